// The tools an LLM node offers its model:
// - HTTP tools: functions with string arguments, a call being one JSON API request through
//   `ctx.fetch` (the server's SSRF policy), like the HTTP request node's. The model's
//   arguments fill `{name}` placeholders (URL-encoded) and the query or the JSON body; they
//   are never rendered as templates, so a model cannot read variables by writing `{{…}}`.
// - flow tools: a call runs a published flow inline (`ctx.flows.run`, as “Run another flow”
//   does) with the arguments as its `{{trigger.data.…}}`; the model reads back the
//   variables the flow set.
// - when the node names a document collection, a search of it (the lookup node's search).
import { passagesText, type KnowledgeSearchOutcome, type KnowledgeSearchRequest } from "../../knowledge";
import type { NodeContext } from "../../define-node";
import type { ToolDefinition } from "../../models";
import { callHttpApi } from "../../http/call";
import type { OutboundFetch } from "../../http/outbound";
import { redactUrl } from "../../http/outbound";
import { buildHttpCall, DEFAULT_TIMEOUT_MS } from "../../http/request";
import { SEARCH_DOCUMENTS_TOOL, splitNames, type FlowTool, type HttpTool } from "./config";

/** Passages the document search hands the model per call. */
const PASSAGES_PER_SEARCH = 3;

/** What a tool call can reach besides the HTTP tools' config. */
export interface ToolEnvironment {
  render(template: string): string;
  fetch: OutboundFetch;
  /** The collection the model may search, or "" for none. */
  searchDocuments: string;
  searchKnowledge(request: KnowledgeSearchRequest): Promise<KnowledgeSearchOutcome>;
}

/** What the trace shows of one tool call, and what the model reads back. */
export interface ToolRun {
  name: string;
  arguments: string;
  /** The URL called, secret query values redacted; null when no request was made. */
  url: string | null;
  status: number | null;
  error: string | null;
  /** The response (or the error) as the model reads it. */
  content: string;
}

/** A flow tool as offered to the model, with the JSON Schema of its arguments. */
export interface OfferedFlowTool {
  tool: FlowTool;
  parameters: Record<string, unknown>;
}

/**
 * The flow tools with their arguments' schemas: the node's JSON Schema when it gives one,
 * else the `{{trigger.data.…}}` fields the flow's published version reads, as texts.
 */
export async function offeredFlowTools(tools: FlowTool[], flows: NodeContext<unknown>["flows"]): Promise<OfferedFlowTool[]> {
  const offered: OfferedFlowTool[] = [];
  // One after the other: each resolution is a durable step, named in order.
  for (const tool of tools) {
    if (tool.parameters.trim() !== "") {
      offered.push({ tool, parameters: JSON.parse(tool.parameters) as Record<string, unknown> });
      continue;
    }
    const inputs = await flows.inputs(tool.flowId);
    // A flow that cannot run is still offered: calling it tells the model why.
    offered.push({ tool, parameters: textArguments(inputs.ok ? inputs.fields : []) });
  }
  return offered;
}

export function toolDefinitions(tools: HttpTool[], searchDocuments = "", flowTools: OfferedFlowTool[] = []): ToolDefinition[] {
  const search: ToolDefinition[] = searchDocuments
    ? [
        {
          name: SEARCH_DOCUMENTS_TOOL,
          description: "Searches the business's own documents (FAQ, policies, manuals) and returns the passages that best match. Use it before answering questions about the business.",
          parameters: { type: "object", properties: { query: { type: "string", description: "What to look for, in the customer's words." } }, required: ["query"], additionalProperties: false },
        },
      ]
    : [];
  return [
    ...search,
    ...flowTools.map(({ tool, parameters }) => ({ name: tool.name, description: tool.description, parameters })),
    ...tools.map((tool) => ({ name: tool.name, description: tool.description, parameters: textArguments(splitNames(tool.arguments)) })),
  ];
}

/** The JSON Schema of arguments that are all required texts. */
function textArguments(names: string[]): Record<string, unknown> {
  return { type: "object", properties: Object.fromEntries(names.map((name) => [name, { type: "string" }])), required: names, additionalProperties: false };
}

/**
 * Runs the model's call of a flow tool: the flow runs inline with the arguments as its
 * trigger data. Never throws for the flow's own failure: the model is told, like any tool's.
 */
export async function runFlowTool(call: { name: string; arguments: string }, tool: FlowTool, flows: NodeContext<unknown>["flows"]): Promise<ToolRun> {
  const args = parseArguments(call.arguments);
  if ("error" in args) return failedRun(call, args.error);
  const outcome = await flows.run({ flowId: tool.flowId, data: args.value, label: tool.name });
  if (!outcome.ok) return failedRun(call, `the flow failed: ${outcome.error}`);
  return { name: call.name, arguments: call.arguments, url: null, status: null, error: null, content: JSON.stringify({ variables: outcome.variables }) };
}

function failedRun(call: { name: string; arguments: string }, error: string, url: string | null = null): ToolRun {
  return { name: call.name, arguments: call.arguments, url, status: null, error, content: `Error: ${error}` };
}

/** The model's arguments: a JSON object, or why they are not one. */
function parseArguments(text: string): { value: Record<string, unknown> } | { error: string } {
  try {
    const parsed: unknown = JSON.parse(text || "{}");
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return { error: "the arguments must be a JSON object." };
    return { value: parsed as Record<string, unknown> };
  } catch {
    return { error: "the arguments are not valid JSON." };
  }
}

/**
 * Runs the model's call of a tool. `render` fills the tool's `{{…}}` (URL, authorization)
 * from the run's variables. Never throws: a failure is told to the model, which can answer
 * without the data or say what went wrong.
 */
export async function runTool(call: { name: string; arguments: string }, tools: HttpTool[], environment: ToolEnvironment): Promise<ToolRun> {
  const { render, fetch } = environment;
  const failed = (error: string, url: string | null = null): ToolRun => failedRun(call, error, url);
  if (call.name === SEARCH_DOCUMENTS_TOOL && environment.searchDocuments) return searchDocuments(call, environment, failed);
  const tool = tools.find((candidate) => candidate.name === call.name);
  if (!tool) return failed(`there is no tool named “${call.name}”.`);
  const parsed = parseArguments(call.arguments);
  if ("error" in parsed) return failed(parsed.error);
  const args = parsed.value;
  const value = (name: string) => (args[name] === undefined || args[name] === null ? "" : typeof args[name] === "string" ? args[name] : JSON.stringify(args[name]));

  const placed = new Set<string>();
  let url = render(tool.url).trim();
  for (const name of splitNames(tool.arguments)) {
    if (url.includes(`{${name}}`)) {
      url = url.replaceAll(`{${name}}`, encodeURIComponent(value(name)));
      placed.add(name);
    }
  }
  const rest = Object.fromEntries(splitNames(tool.arguments).filter((name) => !placed.has(name) && value(name) !== "").map((name) => [name, value(name)]));
  if (tool.method === "GET" && Object.keys(rest).length > 0) url += `${url.includes("?") ? "&" : "?"}${new URLSearchParams(rest)}`;
  const authorization = render(tool.authorization).trim();
  // Everything is rendered already: the request builder must not render the model's words as a template.
  const built = buildHttpCall(
    {
      method: tool.method,
      url,
      headers: authorization ? [{ name: "authorization", value: authorization }] : [],
      body: tool.method === "POST" ? JSON.stringify(rest) : "",
      timeoutMs: DEFAULT_TIMEOUT_MS,
      retries: 0,
      mapping: [],
    },
    (text) => text,
  );
  if ("error" in built) return failed(built.error, redactUrl(url));
  const outcome = await callHttpApi(built.call, fetch);
  const shown = redactUrl(built.call.url);
  if (!outcome.ok) return { ...failed(outcome.error ?? "the call failed.", shown), status: outcome.status, content: `Error: ${outcome.error}${outcome.response ? `\n${outcome.response}` : ""}` };
  return { name: call.name, arguments: call.arguments, url: shown, status: outcome.status, error: null, content: outcome.response };
}

async function searchDocuments(call: { name: string; arguments: string }, environment: ToolEnvironment, failed: (error: string) => ToolRun): Promise<ToolRun> {
  let query: unknown;
  try {
    query = (JSON.parse(call.arguments || "{}") as { query?: unknown }).query;
  } catch {
    return failed("the arguments are not valid JSON.");
  }
  if (typeof query !== "string" || query.trim() === "") return failed("give a query to search for.");
  const outcome = await environment.searchKnowledge({ collection: environment.searchDocuments, query: query.trim(), limit: PASSAGES_PER_SEARCH });
  if (!outcome.ok) return failed(outcome.error);
  const content = outcome.passages.length > 0 ? passagesText(outcome.passages) : "No passage of the documents matches this query.";
  return { name: call.name, arguments: call.arguments, url: null, status: null, error: null, content };
}
