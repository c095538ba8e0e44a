import { z } from "zod";
import { defineNode, type NodeContext, type NodeResult } from "../../define-node";
import { WHATSAPP_LIMITS } from "../../message";
import { ModelUnavailableError, type ChatMessage, type ChatRequest, type ChatResult } from "../../models";
import { redactUrl } from "../../http/outbound";
import { limitLength, refusalIn, splitMessage } from "./answer";
import { DEFAULT_REFUSAL_PHRASES, llmConfig, REPLY_PROPERTY, splitNames, type LlmConfig, type OutputField } from "./config";
import { historyUsedSchema, promptHistory, type PromptHistory } from "./history";
import { offeredFlowTools, runFlowTool, runTool, toolDefinitions, type ToolRun } from "./tools";

/** Rounds in which the model may call tools; the round after them must answer in text. */
export const MAX_TOOL_ROUNDS = 4;

type Context = NodeContext<LlmConfig>;

const outputs = z.object({
  /** The text sent to the contact or stored (the JSON text when fields are extracted and nothing is sent). */
  answer: z.string(),
  /** Extracted fields by name (structured output), as stored in `vars`. */
  fields: z.record(z.string(), z.unknown()),
  refused: z.boolean(),
  /** The answer was longer than the node's maximum and was cut. */
  truncated: z.boolean(),
  /** How many messages the answer was sent as. */
  messages: z.number(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number() }),
  costUsd: z.number().nullable(),
  toolCalls: z.array(z.object({ name: z.string(), arguments: z.string(), url: z.string().nullable(), status: z.number().nullable(), error: z.string().nullable() })),
  /** The conversation history the model read: how many messages word for word, and the running summary. */
  history: historyUsedSchema,
  error: z.string().nullable(),
});
type LlmOutput = z.infer<typeof outputs>;

export default defineNode<LlmConfig>({
  type: "llm",
  version: 1,
  title: "Ask AI",
  description:
    "A language model answers the contact (or fills variables): give it instructions, the message and any context ({{nodes.<lookup>.context}}), " +
    "let it read the last messages (and a running summary of older ones) and call your APIs or other flows. Fields extract values into {{vars.…}}. Continues at “refused” when the model declines, " +
    "at “error” when no model answers (after sending the fallback message, if any). Models are set up in Settings → Models.",
  category: "ai",
  icon: "🤖",
  config: llmConfig,
  outputs,
  defaultConfig: {
    system: "You are the friendly assistant of our business on WhatsApp. Answer briefly, in the language the customer writes in. If you do not know, say so.",
    prompt: "{{message.text}}",
    historyTurns: 10,
    history: "window",
    model: "",
    temperature: 0.3,
    maxTokens: 800,
    answer: "send",
    variable: "",
    fields: [],
    tools: [],
    flowTools: [],
    searchDocuments: "",
    maxLength: 1500,
    refusalPhrases: DEFAULT_REFUSAL_PHRASES,
    fallbackMessage: "Sorry, I can't answer right now. Please try again in a few minutes.",
  },
  ports: () => [
    { id: "next", label: "answered" },
    { id: "refused", label: "refused" },
    { id: "error", label: "error", failure: true },
  ],
  summary: (c) => {
    const action = c.answer === "send" ? "Answers" : `Stores the answer${c.variable ? ` in vars.${c.variable}` : ""}`;
    const extras = [
      c.fields.length > 0 ? `extracts ${c.fields.map((field) => field.name).join(", ")}` : "",
      c.searchDocuments ? `may search the “${c.searchDocuments}” documents` : "",
      c.tools.length + c.flowTools.length > 0 ? `may call ${[...c.flowTools, ...c.tools].map((tool) => tool.name).join(", ")}` : "",
      c.history === "summary" ? `keeps a summary of the conversation` : "",
    ].filter(Boolean);
    return `${action} with ${c.model || "the default model"}${extras.length > 0 ? `; ${extras.join("; ")}` : ""}`;
  },
  templateFields: ["system", "prompt", "tools", "fallbackMessage"],
  // Tool authorization headers carry API keys; URLs may carry them in the query.
  traceConfig: (c) => ({ ...c, tools: c.tools.map((tool) => ({ ...tool, url: redactUrl(tool.url), authorization: tool.authorization ? "***" : "" })) }),
  setsVariables: (c) => [...(c.variable ? [c.variable] : []), ...c.fields.map((field) => field.name)],
  sendsFreeForm: (c) => c.answer === "send" || c.fallbackMessage.trim() !== "",
  run,
});

async function run(context: Context): Promise<NodeResult> {
  const { config } = context;
  const output: LlmOutput = {
    answer: "",
    fields: {},
    refused: false,
    truncated: false,
    messages: 0,
    provider: null,
    model: null,
    usage: { inputTokens: 0, outputTokens: 0 },
    costUsd: null,
    toolCalls: [],
    history: { mode: config.history, turns: 0, summary: null, summarisedTurns: 0, summaryUpdated: false, note: null },
    error: null,
  };
  const count = (call: ChatResult) => {
    output.provider = call.provider;
    output.model = call.model;
    output.usage.inputTokens += call.usage.inputTokens;
    output.usage.outputTokens += call.usage.outputTokens;
    if (call.costUsd !== null) output.costUsd = Math.round(((output.costUsd ?? 0) + call.costUsd) * 1e9) / 1e9;
  };
  const fail = async (error: string): Promise<NodeResult> => {
    const fallback = context.render(config.fallbackMessage).trim();
    if (fallback) output.messages = await send(context, fallback);
    return { port: "error", output: { ...output, error } };
  };

  const history = await promptHistory(context);
  output.history = history.used;
  if (history.call) count(history.call);
  const messages = promptMessages(context, history);
  if (!messages.some((message) => message.role === "user")) return fail("Nothing to answer: the message template is empty for this message.");
  const structured = config.fields.length > 0;
  const request: ChatRequest = {
    messages,
    ...(config.model ? { model: config.model } : {}),
    temperature: config.temperature,
    maxTokens: config.maxTokens,
    ...(structured ? { jsonSchema: { name: "answer", schema: answerSchema(config.fields, config.answer === "send") } } : {}),
  };
  const tools = toolDefinitions(config.tools, config.searchDocuments, await offeredFlowTools(config.flowTools, context.flows));

  let result: ChatResult;
  for (let round = 0; ; round++) {
    const lastRound = round >= MAX_TOOL_ROUNDS;
    try {
      // A copy of the messages: the trace keeps each call's request as it was sent.
      result = await context.models.chat({ ...request, messages: [...messages], ...(tools.length > 0 ? { tools, toolChoice: lastRound ? "none" : "auto" } : {}) });
    } catch (error) {
      if (error instanceof ModelUnavailableError) return fail(error.message);
      throw error;
    }
    count(result);
    if (result.toolCalls.length === 0 || lastRound) break;
    // The model wants data first: run its calls (each once, memoized), give it the results, ask again.
    messages.push({ role: "assistant", content: result.text, toolCalls: result.toolCalls });
    for (const [index, call] of result.toolCalls.entries()) {
      const flowTool = config.flowTools.find((tool) => tool.name === call.name);
      // A flow's nodes are durable steps of their own: the flow runs outside any step.
      const ran: ToolRun = flowTool
        ? await runFlowTool(call, flowTool, context.flows)
        : await context.step(`tool:${round}:${index}`, () =>
            runTool(call, config.tools, { render: context.render, fetch: context.fetch, searchDocuments: config.searchDocuments, searchKnowledge: context.knowledge.search }),
          );
      const { content, ...shown } = ran;
      output.toolCalls.push(shown);
      messages.push({ role: "tool", toolCallId: call.id, content });
    }
  }

  let text = result.text ?? "";
  if (structured) {
    if (!result.json || typeof result.json !== "object" || Array.isArray(result.json)) return fail("The model's answer is not the JSON object the fields ask for.");
    const answer = result.json as Record<string, unknown>;
    for (const field of config.fields) {
      output.fields[field.name] = fieldValue(field, answer[field.name]);
      context.setVar(field.name, output.fields[field.name]);
    }
    if (config.answer === "send") text = typeof answer[REPLY_PROPERTY] === "string" ? answer[REPLY_PROPERTY] : "";
  }
  text = text.trim();

  const declined = result.refusal ?? (result.finishReason === "content_filter" ? "The provider's content filter stopped the answer." : null);
  if (declined !== null || refusalIn(text, config.refusalPhrases) !== null) return { port: "refused", output: { ...output, answer: text || declined || "", refused: true } };
  if (text === "" && !(structured && config.answer === "store")) return fail(`The model gave no answer (finish reason: ${result.finishReason}).`);

  const limited = limitLength(text, config.maxLength);
  output.answer = limited.text;
  output.truncated = limited.truncated;
  if (config.variable) context.setVar(config.variable, output.answer);
  if (config.answer === "send") output.messages = await send(context, output.answer);
  return { port: "next", output };
}

/** System prompt (with the summary of older messages), the conversation's last turns, then the message to answer. */
function promptMessages(context: Context, history: PromptHistory): ChatMessage[] {
  const { config } = context;
  const instructions = [context.render(config.system).trim()];
  if (config.answer === "send") instructions.push(`Keep the answer under ${config.maxLength} characters: it is sent as a WhatsApp message.`);
  if (history.context) instructions.push(history.context);
  const prompt = context.render(config.prompt).trim();
  return [{ role: "system", content: instructions.filter(Boolean).join("\n\n") }, ...history.messages, ...(prompt ? [{ role: "user" as const, content: prompt }] : [])];
}

/** The JSON Schema of a structured answer (strict: every property required, null when unknown). */
function answerSchema(fields: OutputField[], withReply: boolean): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  if (withReply) properties[REPLY_PROPERTY] = { type: "string", description: "The answer to send to the contact." };
  for (const field of fields) {
    const description = field.description ? { description: field.description } : {};
    properties[field.name] =
      field.type === "enum" ? { type: ["string", "null"], enum: [...splitNames(field.options), null], ...description } : { type: [field.type, "null"], ...description };
  }
  return { type: "object", properties, required: Object.keys(properties), additionalProperties: false };
}

/** A field's value as its type says (a number sent as "12" is 12); null when it does not fit. */
function fieldValue(field: OutputField, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  switch (field.type) {
    case "string":
      return typeof value === "object" ? JSON.stringify(value) : String(value);
    case "number": {
      const number = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
      return Number.isFinite(number) ? number : null;
    }
    case "boolean":
      return typeof value === "boolean" ? value : value === "true" ? true : value === "false" ? false : null;
    case "enum": {
      const wanted = String(value).trim().toLowerCase();
      return splitNames(field.options).find((option) => option.toLowerCase() === wanted) ?? null;
    }
  }
}

/** Sends the text as one message, or several at WhatsApp's length limit; returns how many. */
async function send(context: Context, text: string): Promise<number> {
  const parts = splitMessage(text, WHATSAPP_LIMITS.text);
  for (const part of parts) await context.send({ type: "text", text: part });
  return parts.length;
}
