// What nodes may ask of the workspace's knowledge base (Settings → Knowledge), independent
// of how the server stores and ranks it (server/knowledge): passages of uploaded documents
// for a question, and rows of an uploaded CSV table for field filters and a text query.
import { z } from "zod";

/** Collection and table names, as Settings → Knowledge stores them and lookup nodes name them. */
export const KNOWLEDGE_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;
export const KNOWLEDGE_NAME_HINT = "use lower-case letters, digits, - and _ (up to 40), like “faq” or “products”";

/** A lower-case name from free text ("Product catalog.csv" → "product-catalog"). */
export function knowledgeName(text: string): string {
  return text
    .replace(/\.[a-z0-9]+$/i, "")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^[-_]+|-+$/g, "")
    .slice(0, 40);
}

export const MAX_PASSAGES = 20;
export const MAX_ROWS = 50;

export const knowledgeSearchRequestSchema = z.object({
  /** The document collection to search, by name ("faq", "policies"). */
  collection: z.string().min(1),
  query: z.string(),
  limit: z.number().int().min(1).max(MAX_PASSAGES),
});
export type KnowledgeSearchRequest = z.infer<typeof knowledgeSearchRequestSchema>;

export const passageSchema = z.object({
  /** The document's name, as uploaded (to cite). */
  document: z.string(),
  /** The section the passage sits under (a heading, or the page of a PDF). */
  heading: z.string().nullable(),
  text: z.string(),
  /** BM25 relevance: higher is better; comparable within one search only. */
  score: z.number(),
});
export type Passage = z.infer<typeof passageSchema>;

/** Passages numbered for a model to cite: "[1] faq.md — Shipping" and the text. */
export function passagesText(passages: Passage[]): string {
  return passages.map((passage, index) => `[${index + 1}] ${passage.document}${passage.heading ? ` — ${passage.heading}` : ""}\n${passage.text}`).join("\n\n");
}

export const TABLE_FILTER_OPERATORS = ["is", "contains", "at least", "at most"] as const;

export const tableFilterSchema = z.object({
  column: z.string().min(1),
  operator: z.enum(TABLE_FILTER_OPERATORS),
  value: z.string(),
});
export type TableFilter = z.infer<typeof tableFilterSchema>;

export const tableSearchRequestSchema = z.object({
  table: z.string().min(1),
  /** Every filter must hold; "at least"/"at most" compare numbers (prices, stock). */
  filters: z.array(tableFilterSchema),
  /** Words matched against every column and ranked (BM25); empty keeps the table's order. */
  query: z.string(),
  limit: z.number().int().min(1).max(MAX_ROWS),
});
export type TableSearchRequest = z.infer<typeof tableSearchRequestSchema>;

/** A failure the node should report on its error port: the search itself could not run. */
type Failed = { ok: false; error: string };

export type KnowledgeSearchOutcome = { ok: true; passages: Passage[] } | Failed;

export type TableSearchOutcome =
  | {
      ok: true;
      columns: string[];
      /** The best matches first, at most the request's limit; each row as { column: text }. */
      rows: Record<string, string>[];
      /** How many rows matched in all. */
      total: number;
    }
  | Failed;
