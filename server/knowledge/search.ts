// Keyword search with BM25 (MiniSearch ranks with BM25+): the passages of a document
// collection for a question, and the rows of a table for filters and words. Terms are
// lower-cased, stop words dropped and English words stemmed ("returns", "returned" →
// "return"), the same way when indexing and when searching. When the passages carry
// embeddings and the question is embedded too, the keyword ranking and the semantic one
// are fused (reciprocal rank fusion), so "money back" also finds the refund policy. The
// semantic candidates come from PostgreSQL with pgvector (vectors.ts) or from `similar`,
// which compares the stored arrays here.
import MiniSearch, { type SearchResult } from "minisearch";
import { stemmer } from "stemmer";
import { eng, spa } from "stopword";
import type { Passage, TableFilter, TableSearchOutcome } from "@/flows/knowledge";
import { cosine } from "@/server/ai/embeddings";

const STOP_WORDS = new Set([...eng, ...spa]);

function processTerm(term: string): string | null {
  const word = term.toLowerCase();
  if (STOP_WORDS.has(word)) return null;
  return /^[a-z]+$/.test(word) ? stemmer(word) : word;
}

const SEARCH_OPTIONS = {
  combineWith: "OR",
  // A typo in a longer word ("refnud") still finds it, at a lower score.
  fuzzy: (term: string) => (term.length >= 5 ? 0.2 : false),
} as const;

const round = (score: number) => Math.round(score * 1000) / 1000;

export interface StoredPassage {
  /** The KnowledgeChunk it is stored as: pgvector's answers name chunks. */
  chunkId?: string;
  document: string;
  heading: string | null;
  text: string;
  /** Present when the passage was embedded at upload with the index's embedding model (and pgvector does not compare them). */
  embedding?: number[] | null;
}

/** A passage (by its position in the index) semantically close to a question. */
export interface SemanticMatch {
  position: number;
  similarity: number;
}

/** Reciprocal rank fusion's constant: how much lower ranks still count. */
const RRF_K = 60;
/** Below this cosine similarity a passage is not semantically related to the question. */
const MIN_SIMILARITY = 0.3;
/** Semantic candidates considered per search. */
export const SEMANTIC_CANDIDATES = 20;

/** The passages of one collection, indexed for BM25 search. */
export class PassageIndex {
  private readonly index = new MiniSearch<StoredPassage & { id: number }>({
    fields: ["heading", "text"],
    storeFields: [],
    processTerm,
    searchOptions: { ...SEARCH_OPTIONS, boost: { heading: 1.5 } },
  });
  private positions?: Map<string | undefined, number>;

  constructor(
    private readonly passages: StoredPassage[],
    /** The model the passages' embeddings were made with; null when none was. */
    readonly embeddingModel: string | null = null,
  ) {
    this.index.addAll(passages.map(({ document, heading, text }, id) => ({ id, document, heading, text })));
  }

  /** The passages' stored embeddings compared with `queryVector` here (cosine). */
  similar(queryVector: number[]): SemanticMatch[] {
    return this.passages.map((candidate, position) => ({ position, similarity: candidate.embedding ? cosine(candidate.embedding, queryVector) : 0 }));
  }

  /** Where the passage stored as `chunkId` sits in this index; undefined when it is not here. */
  position(chunkId: string): number | undefined {
    this.positions ??= new Map(this.passages.map((passage, position) => [passage.chunkId, position]));
    return this.positions.get(chunkId);
  }

  /**
   * The best `limit` passages for `query`, best first. By keywords alone (score: BM25)
   * without `semantic` matches — none when no word of the query occurs; fused with the
   * closest of them otherwise (score: the fused rank, ×1000).
   */
  search(query: string, limit: number, semantic?: SemanticMatch[] | null): Passage[] {
    const keyword = this.index.search(query);
    const passage = (id: number, score: number): Passage => {
      const { document, heading, text } = this.passages[id]!;
      return { document, heading, text, score: round(score) };
    };
    if (!semantic) return keyword.slice(0, limit).map((result) => passage(result.id as number, result.score));
    const closest = semantic
      .filter((candidate) => candidate.similarity >= MIN_SIMILARITY)
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, SEMANTIC_CANDIDATES);
    const fused = new Map<number, number>();
    keyword.forEach((result, rank) => fused.set(result.id as number, (fused.get(result.id as number) ?? 0) + 1 / (RRF_K + rank + 1)));
    closest.forEach((candidate, rank) => fused.set(candidate.position, (fused.get(candidate.position) ?? 0) + 1 / (RRF_K + rank + 1)));
    return [...fused]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([id, score]) => passage(id, score * 1000));
  }
}

const ROW_ID = "\u0000row";

/** One CSV table, indexed for BM25 search over all its columns. */
export class TableIndex {
  private readonly index: MiniSearch;

  constructor(
    private readonly name: string,
    readonly columns: string[],
    private readonly rows: Record<string, string>[],
  ) {
    // The row number is the id under a name no CSV column has, so a column called "id" stays searchable.
    this.index = new MiniSearch({
      idField: ROW_ID,
      fields: columns,
      storeFields: [],
      processTerm,
      searchOptions: SEARCH_OPTIONS,
      extractField: (row, field) => (field === ROW_ID ? row[ROW_ID] : row.data[field]),
    });
    this.index.addAll(rows.map((data, id) => ({ [ROW_ID]: id, data })));
  }

  /**
   * Rows where every filter holds (a filter with an empty value is skipped: an optional
   * criterion the contact did not give), ranked by `query` when it has words.
   */
  search(filters: TableFilter[], query: string, limit: number): TableSearchOutcome {
    const tests: ((row: Record<string, string>) => boolean)[] = [];
    for (const filter of filters) {
      if (filter.value.trim() === "") continue;
      const test = this.filterTest(filter);
      if ("error" in test) return { ok: false, error: test.error };
      tests.push(test.test);
    }
    const matching = new Set<number>();
    this.rows.forEach((row, id) => {
      if (tests.every((test) => test(row))) matching.add(id);
    });
    let ids: number[];
    if (query.trim() === "") {
      ids = [...matching];
    } else {
      const results: SearchResult[] = this.index.search(query, { filter: (result) => matching.has(result.id as number) });
      ids = results.map((result) => result.id as number);
    }
    return { ok: true, columns: this.columns, rows: ids.slice(0, limit).map((id) => this.rows[id]!), total: ids.length };
  }

  private filterTest(filter: TableFilter): { test: (row: Record<string, string>) => boolean } | { error: string } {
    const column = this.columns.find((name) => name.toLowerCase() === filter.column.trim().toLowerCase());
    if (!column) return { error: `The table “${this.name}” has no column “${filter.column}”: its columns are ${this.columns.join(", ")}.` };
    const wanted = filter.value.trim().toLowerCase();
    switch (filter.operator) {
      case "is":
        return { test: (row) => (row[column] ?? "").trim().toLowerCase() === wanted };
      case "contains":
        return { test: (row) => (row[column] ?? "").toLowerCase().includes(wanted) };
      case "at least":
      case "at most": {
        const bound = parseNumber(filter.value);
        if (bound === null) return { error: `“${filter.column} ${filter.operator}” needs a number, not “${filter.value}”.` };
        const atLeast = filter.operator === "at least";
        return {
          test: (row) => {
            const value = parseNumber(row[column] ?? "");
            return value !== null && (atLeast ? value >= bound : value <= bound);
          },
        };
      }
    }
  }
}

/**
 * A number as people and spreadsheets write prices and quantities: "19.99", "€ 19,99",
 * "1,299.00", "1.299,00", "$25". Null when the text holds no number.
 */
export function parseNumber(text: string): number | null {
  const cleaned = text.replace(/[^\d.,-]/g, "");
  if (!/\d/.test(cleaned)) return null;
  const lastComma = cleaned.lastIndexOf(",");
  const lastDot = cleaned.lastIndexOf(".");
  let normalized: string;
  if (lastComma > lastDot) {
    // "1.299,00" or "19,99": the comma is the decimal separator, unless it groups thousands ("1,299").
    const decimals = cleaned.length - lastComma - 1;
    normalized = decimals === 3 && lastDot === -1 ? cleaned.replace(/,/g, "") : cleaned.replace(/\./g, "").replace(",", ".");
  } else {
    normalized = cleaned.replace(/,/g, "");
  }
  const value = Number(normalized);
  return Number.isFinite(value) ? value : null;
}
