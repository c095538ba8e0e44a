// What nodes may ask of a language model, independent of the provider that answers: the
// server routes a ChatRequest through the workspace's provider chain (server/ai) and
// returns a ChatResult with what the trace needs (who answered, tokens, cost, latency).
import { z } from "zod";

export const chatMessageSchema = z.discriminatedUnion("role", [
  z.object({ role: z.literal("system"), content: z.string() }),
  z.object({ role: z.literal("user"), content: z.string() }),
  z.object({
    role: z.literal("assistant"),
    content: z.string().nullable(),
    toolCalls: z.array(z.object({ id: z.string(), name: z.string(), arguments: z.string() })).optional(),
  }),
  z.object({ role: z.literal("tool"), toolCallId: z.string(), content: z.string() }),
]);
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const toolDefinitionSchema = z.object({
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
  description: z.string(),
  /** JSON Schema of the tool's arguments. */
  parameters: z.record(z.string(), z.unknown()),
});
export type ToolDefinition = z.infer<typeof toolDefinitionSchema>;

export const chatRequestSchema = z.object({
  messages: z.array(chatMessageSchema).min(1),
  /** A model name; the workspace's default model when omitted. */
  model: z.string().optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().positive().optional(),
  /** Structured output: the answer must be JSON matching this JSON Schema (strict). */
  jsonSchema: z.object({ name: z.string(), schema: z.record(z.string(), z.unknown()) }).optional(),
  tools: z.array(toolDefinitionSchema).optional(),
  /** "none": answer in text although tools are offered (the last round of a tool loop). Default "auto". */
  toolChoice: z.enum(["auto", "none"]).optional(),
});
export type ChatRequest = z.infer<typeof chatRequestSchema>;

export const chatResultSchema = z.object({
  text: z.string().nullable(),
  /** The parsed answer when the request asked for structured output. */
  json: z.unknown().nullable(),
  toolCalls: z.array(z.object({ id: z.string(), name: z.string(), arguments: z.string() })),
  finishReason: z.string(),
  /** Why the model declined to answer, when the provider says so (OpenAI's `refusal`). */
  refusal: z.string().nullable().optional(),
  /** The provider that answered, by its configured name, and the model it used. */
  provider: z.string(),
  model: z.string(),
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number() }),
  latencyMs: z.number(),
  /** From the workspace's price table; null when the model has no price there. */
  costUsd: z.number().nullable(),
  /** Providers tried before the one that answered, and why each was passed over. */
  fallbacks: z.array(z.object({ provider: z.string(), reason: z.string() })),
});
export type ChatResult = z.infer<typeof chatResultSchema>;

/** One earlier message of the conversation, as a node's model prompt shows it (`ctx.history`). */
export const historyEntrySchema = z.object({
  /** "contact" wrote it; "bot" is what the business sent (the flow, or a person after a hand-off). */
  from: z.enum(["contact", "bot"]),
  text: z.string(),
  at: z.string(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/**
 * No provider could answer: none is configured, or every one failed or is cooling down.
 * Nodes turn it into their error port; the run does not retry it.
 */
export class ModelUnavailableError extends Error {
  constructor(
    message: string,
    readonly attempts: { provider: string; reason: string }[] = [],
  ) {
    super(message);
    this.name = "ModelUnavailableError";
  }
}

/** A conversation's running summary: what the messages before a model's history window said. */
export const conversationSummarySchema = z.object({
  text: z.string(),
  /** How many messages it folds. */
  turns: z.number().int(),
  /** Where it ends: an opaque cursor after the last message it folds. */
  through: z.string(),
});
export type ConversationSummary = z.infer<typeof conversationSummarySchema>;

/** `ctx.summary.read(keep)`: the stored summary and the messages since it, split at the window of `keep` turns. */
export interface SummaryRead {
  summary: ConversationSummary | null;
  /** Messages after the summary that fell out of the window: to fold into it, ending at `through`. Null when none did. */
  older: { entries: HistoryEntry[]; through: string } | null;
  /** The last `keep` messages before the current one (after the summary), word for word. */
  recent: HistoryEntry[];
}
