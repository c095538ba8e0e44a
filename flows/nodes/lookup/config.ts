// The lookup node's config: one source (documents, a table or an API) and how long a result
// is kept for the conversation. The form shows every source's fields; the checks below
// only require the chosen source's.
import { z } from "zod";
import { checkHttpRequest, DEFAULT_TIMEOUT_MS, httpRequestFields, MAX_URL_LENGTH } from "../../http/request";
import { RESPONSE_PATH_PATTERN } from "../../http/response-path";
import { KNOWLEDGE_NAME, KNOWLEDGE_NAME_HINT, MAX_PASSAGES, MAX_ROWS, TABLE_FILTER_OPERATORS } from "../../knowledge";

export const LOOKUP_SOURCES = ["knowledge", "table", "http"] as const;
export const MAX_FILTERS = 10;
const CACHE_DURATION = /^(0|\d+[smhd])$/;

const { method, ...requestFields } = httpRequestFields;

const filter = z.object({
  column: z.string().trim().min(1, "name the column").max(100),
  operator: z.enum(TABLE_FILTER_OPERATORS).default("is"),
  /** A `{{template}}`; a filter whose value comes out empty is left out. */
  value: z.string().max(500),
});

export const lookupConfig = z
  .object({
    source: z.enum(LOOKUP_SOURCES).default("knowledge").describe("knowledge: passages of documents; table: rows of a CSV table; http: an API"),
    query: z.string().max(1000).default("{{message.text}}").describe("What to search for (documents and tables)."),
    collection: z.string().trim().default("").describe("Documents: the collection to search (Settings → Knowledge)."),
    table: z.string().trim().default("").describe("Table: its name (Settings → Knowledge)."),
    filters: z.array(filter).max(MAX_FILTERS, `at most ${MAX_FILTERS} filters`).default([]).describe("Table: conditions every row must meet, e.g. price at most {{vars.budget}}."),
    maxResults: z.number().int().min(1).max(MAX_ROWS).default(3).describe(`Passages (at most ${MAX_PASSAGES}) or rows to return.`),
    method,
    url: z.string().trim().max(MAX_URL_LENGTH).default("").describe("API: the URL to call."),
    ...requestFields,
    foundWhen: z
      .string()
      .trim()
      .default("")
      .refine((path) => path === "" || RESPONSE_PATH_PATTERN.test(path), "a path like orders[0] or data.order")
      .describe("API: a path in the answer that must hold a value for “found”, e.g. orders[0]. A 404 is always “not found”."),
    cacheFor: z
      .string()
      .trim()
      .default("10m")
      .refine((duration) => CACHE_DURATION.test(duration), "a duration like 30s, 10m, 2h or 1d, or 0")
      .describe("Keep a result for the conversation this long (30s, 10m, 2h, 1d); 0 looks up every time."),
  })
  .superRefine((value, context) => {
    const require = (path: string, message: string) => context.addIssue({ code: "custom", path: [path], message });
    if (value.source === "knowledge") {
      if (value.collection === "") require("collection", "name the collection of documents to search");
      else if (!KNOWLEDGE_NAME.test(value.collection)) require("collection", KNOWLEDGE_NAME_HINT);
      if (value.query.trim() === "") require("query", "say what to search for, e.g. {{message.text}}");
      if (value.maxResults > MAX_PASSAGES) require("maxResults", `at most ${MAX_PASSAGES} passages`);
    } else if (value.source === "table") {
      if (value.table === "") require("table", "name the table to search");
      else if (!KNOWLEDGE_NAME.test(value.table)) require("table", KNOWLEDGE_NAME_HINT);
      if (value.query.trim() === "" && value.filters.length === 0) require("filters", "add a filter or a query, or every row would match");
    } else {
      if (value.url === "") require("url", "enter the URL to call");
      else checkHttpRequest(value, context);
    }
  });

export type LookupConfig = z.infer<typeof lookupConfig>;

export const DEFAULT_LOOKUP_CONFIG: LookupConfig = {
  source: "knowledge",
  query: "{{message.text}}",
  collection: "faq",
  table: "",
  filters: [],
  maxResults: 3,
  method: "GET",
  url: "",
  headers: [],
  body: "",
  timeoutMs: DEFAULT_TIMEOUT_MS,
  retries: 0,
  mapping: [],
  foundWhen: "",
  cacheFor: "10m",
};
