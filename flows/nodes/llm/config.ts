// The LLM node's config: the prompt (system + message template + history window), the
// model settings, where the answer goes, the fields extracted into variables, the HTTP
// tools the model may call, and the guardrails. Lists are lists of flat records so the
// inspector draws them as rows.
import { z } from "zod";
import { KNOWLEDGE_NAME, KNOWLEDGE_NAME_HINT } from "../../knowledge";
import { WHATSAPP_LIMITS } from "../../message";
import { MAX_URL_LENGTH, urlTemplateProblem } from "../../http/request";

export const FIELD_TYPES = ["string", "number", "boolean", "enum"] as const;
export const ANSWER_MODES = ["send", "store"] as const;
export const HISTORY_MODES = ["window", "summary"] as const;
/** With structured output and "send", the model writes the contact's answer in this property. */
export const REPLY_PROPERTY = "reply";
export const MAX_HISTORY_TURNS = 50;
export const MAX_ANSWER_LENGTH = 3 * WHATSAPP_LIMITS.text;

const VARIABLE_NAME = /^[a-z_][a-z0-9_]{0,39}$/i;
const VARIABLE_HINT = "use letters, digits and '_' (not starting with a digit)";

export const DEFAULT_REFUSAL_PHRASES = [
  "I can't help with",
  "I cannot help with",
  "I can't assist with",
  "I cannot assist with",
  "I'm not able to help with",
  "I am not able to help with",
  "I'm unable to help with",
  "I'm sorry, but I can't",
];

const outputField = z.object({
  name: z.string().trim().regex(VARIABLE_NAME, VARIABLE_HINT).describe("Stored as {{vars.<name>}}."),
  type: z.enum(FIELD_TYPES).default("string"),
  description: z.string().max(500).default("").describe("What the model should put here."),
  options: z.string().max(1000).default("").describe("Enum: the allowed values, separated by commas."),
});
export type OutputField = z.infer<typeof outputField>;

const httpTool = z.object({
  name: z.string().trim().regex(/^[a-zA-Z0-9_-]{1,64}$/, "letters, digits, '_' and '-' (at most 64)").describe("How the model calls it, e.g. order_status."),
  description: z.string().trim().min(1, "say when the model should call it and what it returns").max(1000),
  method: z.enum(["GET", "POST"]).default("GET"),
  url: z.string().trim().min(1, "enter the URL to call").max(MAX_URL_LENGTH).describe("With {{variables}}, and {argument} where an argument goes in the path."),
  arguments: z
    .string()
    .max(500)
    .default("")
    .describe("Names the model fills in, separated by commas. {name} in the URL places one; the others go in the query (GET) or the JSON body (POST)."),
  authorization: z.string().max(2000).default("").describe("An Authorization header value, e.g. Bearer …; never shown in traces."),
});
export type HttpTool = z.infer<typeof httpTool>;

const flowTool = z.object({
  name: z.string().trim().regex(/^[a-zA-Z0-9_-]{1,64}$/, "letters, digits, '_' and '-' (at most 64)").describe("How the model calls it, e.g. book_appointment."),
  description: z.string().trim().min(1, "say when the model should call it and what it gives back").max(1000),
  flowId: z.string().trim().min(1, "pick the flow to run").max(64).meta({ choices: "flows" }).describe("A published flow of this workspace: it runs here with the model's arguments as {{trigger.data.…}}."),
  parameters: z
    .string()
    .max(5000)
    .default("")
    .describe("The arguments as a JSON Schema object (optional): empty takes the {{trigger.data.…}} fields the flow reads, as texts."),
});
export type FlowTool = z.infer<typeof flowTool>;

export const llmConfig = z
  .object({
    system: z.string().max(20_000).default("").describe("Who the assistant is and how it answers. {{variables}} are filled in."),
    prompt: z.string().max(20_000).default("{{message.text}}").describe("The message the model answers, usually {{message.text}}, with any context (e.g. {{nodes.lookup.context}})."),
    historyTurns: z.number().int().min(0).max(MAX_HISTORY_TURNS).default(10).describe("Earlier messages of the conversation (either side) the model also reads word for word."),
    history: z
      .enum(HISTORY_MODES)
      .default("window")
      .describe("window: only those messages; summary: also a running summary of everything before them, kept for the conversation (one more model call when messages fall out of the window)."),
    model: z.string().trim().max(200).default("").describe("Empty: the workspace's default model (Settings → Models)."),
    temperature: z.number().min(0).max(2).default(0.3),
    maxTokens: z.number().int().min(1).max(32_000).default(800).describe("The most tokens the model may write."),
    answer: z.enum(ANSWER_MODES).default("send").describe("send: reply to the contact; store: only keep it (in the variable below and {{nodes.<id>.answer}})."),
    variable: z
      .string()
      .trim()
      .default("")
      .refine((name) => name === "" || VARIABLE_NAME.test(name), VARIABLE_HINT)
      .describe("Also store the answer as {{vars.<variable>}} (optional)."),
    fields: z.array(outputField).max(20, "at most 20 fields").default([]).describe("Structured output: values the model extracts, each stored as {{vars.<name>}}."),
    tools: z.array(httpTool).max(5, "at most 5 tools").default([]).describe("APIs the model may call (JSON over HTTP) before answering."),
    flowTools: z.array(flowTool).max(5, "at most 5 flows").default([]).describe("Flows the model may run before answering; it reads back the variables they set."),
    searchDocuments: z
      .string()
      .trim()
      .default("")
      .refine((name) => name === "" || KNOWLEDGE_NAME.test(name), KNOWLEDGE_NAME_HINT)
      .describe("A document collection (Settings → Knowledge, e.g. faq) the model may search before answering; empty: none."),
    maxLength: z.number().int().min(20).max(MAX_ANSWER_LENGTH).default(1500).describe("Answers longer than this many characters are cut at a sentence."),
    refusalPhrases: z.array(z.string().trim().min(1).max(200)).max(30).default(DEFAULT_REFUSAL_PHRASES).describe("An answer containing one of these continues at “refused” instead of being sent."),
    fallbackMessage: z
      .string()
      .max(WHATSAPP_LIMITS.text)
      .default("")
      .describe("Sent when there is no answer (no model available, an empty or malformed answer); then the node continues at “error”."),
  })
  .superRefine((c, issues) => {
    const names = new Set<string>();
    c.fields.forEach((field, index) => {
      if (names.has(field.name)) issues.addIssue({ code: "custom", path: ["fields", index, "name"], message: `“${field.name}” is listed twice` });
      names.add(field.name);
      if (field.type === "enum" && splitNames(field.options).length === 0) issues.addIssue({ code: "custom", path: ["fields", index, "options"], message: "list the allowed values" });
      if (c.answer === "send" && field.name === REPLY_PROPERTY) {
        issues.addIssue({ code: "custom", path: ["fields", index, "name"], message: `“${REPLY_PROPERTY}” holds the answer sent to the contact: pick another name` });
      }
    });
    const tools = new Set<string>();
    const named = (list: "tools" | "flowTools", index: number, name: string) => {
      if (tools.has(name)) issues.addIssue({ code: "custom", path: [list, index, "name"], message: `two tools are named “${name}”` });
      if (c.searchDocuments && name === SEARCH_DOCUMENTS_TOOL) {
        issues.addIssue({ code: "custom", path: [list, index, "name"], message: `“${SEARCH_DOCUMENTS_TOOL}” is the document search's name: pick another` });
      }
      tools.add(name);
    };
    c.flowTools.forEach((tool, index) => {
      named("flowTools", index, tool.name);
      const problem = parametersProblem(tool.parameters);
      if (problem) issues.addIssue({ code: "custom", path: ["flowTools", index, "parameters"], message: problem });
    });
    c.tools.forEach((tool, index) => {
      named("tools", index, tool.name);
      const problem = urlTemplateProblem(tool.url);
      if (problem) issues.addIssue({ code: "custom", path: ["tools", index, "url"], message: problem });
      const bad = splitNames(tool.arguments).find((name) => !/^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/.test(name));
      if (bad !== undefined) issues.addIssue({ code: "custom", path: ["tools", index, "arguments"], message: `“${bad}”: argument names use letters, digits and '_'` });
    });
  });

export type LlmConfig = z.infer<typeof llmConfig>;

/** The tool that searches `searchDocuments`, offered to the model beside the HTTP tools. */
export const SEARCH_DOCUMENTS_TOOL = "search_documents";

/** Why a flow tool's JSON Schema text cannot describe the model's arguments; null when it can (or is empty). */
function parametersProblem(text: string): string | null {
  if (text.trim() === "") return null;
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch {
    return "not valid JSON";
  }
  if (!schema || typeof schema !== "object" || Array.isArray(schema) || (schema as { type?: unknown }).type !== "object") return "a JSON Schema with \"type\": \"object\"";
  return null;
}

/** "a, b ,c" → ["a", "b", "c"]. */
export function splitNames(list: string): string[] {
  return list
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
}
