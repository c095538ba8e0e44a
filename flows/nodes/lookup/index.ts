import { defineNode, type NodeContext, type NodeResult } from "../../define-node";
import { callHttpApi, type HttpCallOutcome } from "../../http/call";
import { redactUrl } from "../../http/outbound";
import { buildHttpCall, traceableRequest } from "../../http/request";
import { passagesText, type KnowledgeSearchOutcome, type TableSearchOutcome } from "../../knowledge";
import { DEFAULT_LOOKUP_CONFIG, lookupConfig, type LookupConfig } from "./config";

type Context = NodeContext<LookupConfig>;

export default defineNode<LookupConfig>({
  type: "lookup",
  version: 1,
  title: "Look up",
  description:
    "Finds what the answer needs: passages of your documents for an LLM node to quote ({{nodes.<id>.context}}), rows of a product table, " +
    "or an API such as your order system. Upload documents and tables in Settings → Knowledge. Continues at “found”, “not found” or “error”; " +
    "a result is kept for the conversation for “Cache for”.",
  category: "data",
  icon: "🔎",
  config: lookupConfig,
  defaultConfig: DEFAULT_LOOKUP_CONFIG,
  // Header values carry API keys: traces show the header names only.
  traceConfig: traceableRequest,
  ports: () => [
    { id: "next", label: "found" },
    { id: "not_found", label: "not found" },
    { id: "error", label: "error", failure: true },
  ],
  summary: (c) =>
    c.source === "knowledge" ? `Search the “${c.collection}” documents` : c.source === "table" ? `Find rows in the “${c.table}” table` : `${c.method} ${redactUrl(c.url)}`,
  templateFields: ["query", "filters", "url", "headers", "body"],
  setsVariables: (c) => (c.source === "http" ? c.mapping.map((entry) => entry.variable) : []),
  run(context) {
    switch (context.config.source) {
      case "knowledge":
        return searchDocuments(context);
      case "table":
        return searchTable(context);
      case "http":
        return callApi(context);
    }
  },
});

/** Runs `body` as the node's step; its result is kept for the conversation for `cacheFor` when `keep` says so (not failures). */
function lookUp<T>(context: Context, key: unknown, keep: (value: T) => boolean, body: () => Promise<T>): Promise<{ value: T; cached: boolean }> {
  const { cacheFor } = context.config;
  if (cacheFor === "0") return context.step("lookup", body).then((value) => ({ value, cached: false }));
  return context.cached("lookup", { key: JSON.stringify(key), ttl: cacheFor, keep }, body);
}

const succeeded = (outcome: { ok: boolean }) => outcome.ok;

async function searchDocuments(context: Context): Promise<NodeResult> {
  const { collection, maxResults } = context.config;
  const query = context.render(context.config.query).trim();
  const base = { source: "knowledge", collection, query };
  if (query === "") return { port: "not_found", output: { ...base, passages: [], context: "", count: 0, cached: false } };
  const request = { collection, query, limit: maxResults };
  const { value, cached } = await lookUp<KnowledgeSearchOutcome>(context, { source: "knowledge", ...request, query: query.toLowerCase() }, succeeded, () => context.knowledge.search(request));
  if (!value.ok) return { port: "error", output: { ...base, error: value.error } };
  return {
    port: value.passages.length > 0 ? "next" : "not_found",
    output: { ...base, passages: value.passages, context: passagesText(value.passages), count: value.passages.length, cached },
  };
}

async function searchTable(context: Context): Promise<NodeResult> {
  const { table, maxResults } = context.config;
  const query = context.render(context.config.query).trim();
  const filters = context.config.filters.map((filter) => ({ ...filter, value: context.render(filter.value).trim() }));
  const base = { source: "table", table, query, filters };
  const request = { table, filters, query, limit: maxResults };
  const { value, cached } = await lookUp<TableSearchOutcome>(context, { source: "table", ...request }, succeeded, () => context.tables.search(request));
  if (!value.ok) return { port: "error", output: { ...base, error: value.error } };
  return {
    port: value.rows.length > 0 ? "next" : "not_found",
    output: { ...base, rows: value.rows, row: value.rows[0] ?? null, count: value.rows.length, total: value.total, context: rowsText(value.rows), cached },
  };
}

/** Rows as lines of "column: value" pairs, for a model to read. */
function rowsText(rows: Record<string, string>[]): string {
  return rows.map((row) => Object.entries(row).map(([column, text]) => `${column}: ${text}`).join("; ")).join("\n");
}

async function callApi(context: Context): Promise<NodeResult> {
  const { config } = context;
  const built = buildHttpCall(config, context.render);
  if ("error" in built) return { port: "error", output: { source: "http", method: config.method, url: redactUrl(built.url), status: null, error: built.error } };
  const call = { ...built.call, ...(config.foundWhen ? { foundWhen: config.foundWhen } : {}) };
  const { value: outcome, cached } = await lookUp<HttpCallOutcome>(
    context,
    { source: "http", method: call.method, url: call.url, headers: call.headers, body: call.body ?? null },
    // A 404 (or 410) is an answer worth keeping too: the order does not exist.
    (result) => result.ok || isNotFound(result),
    () => callHttpApi(call, context.fetch),
  );
  const notFound = isNotFound(outcome) || outcome.found === false;
  if (!notFound) for (const [name, value] of Object.entries(outcome.variables)) context.setVar(name, value);
  return {
    port: notFound ? "not_found" : outcome.ok ? "next" : "error",
    output: {
      source: "http",
      method: config.method,
      url: redactUrl(call.url),
      status: outcome.status,
      durationMs: outcome.durationMs,
      attempts: outcome.attempts,
      response: outcome.response,
      ...(outcome.responseTruncated ? { responseTruncated: true } : {}),
      variables: notFound ? {} : outcome.variables,
      ...(outcome.missing.length > 0 && !notFound ? { missing: outcome.missing } : {}),
      error: notFound ? null : outcome.error,
      cached,
    },
  };
}

function isNotFound(outcome: HttpCallOutcome): boolean {
  return outcome.status === 404 || outcome.status === 410;
}
