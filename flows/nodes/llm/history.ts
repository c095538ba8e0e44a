// What the LLM node's model reads of the conversation before the message it answers: the
// last turns word for word ("window"), and with "summary" also a running summary of
// everything before them. The summary is kept per conversation and extended only by the
// messages that fell out of the window since it was last written, with one model call
// (through ctx.models, so it is traced with its tokens and cost); without a model it falls
// back to the window alone and says so.
import { z } from "zod";
import type { NodeContext } from "../../define-node";
import { ModelUnavailableError, type ChatMessage, type ChatResult, type HistoryEntry } from "../../models";
import { HISTORY_MODES, type LlmConfig } from "./config";

/** The most tokens a summary may take: it is read on every later turn. */
export const SUMMARY_MAX_TOKENS = 400;

export const SUMMARY_INSTRUCTIONS =
  "You keep the running summary of a WhatsApp conversation between a business's assistant and a customer. " +
  "Rewrite the summary so far to include the new messages. Keep what the assistant needs later: the customer's name and details, " +
  "order or booking numbers, what they asked, what was answered or promised, and what is still open. " +
  "At most 150 words, in the conversation's language. Answer with the summary only.";

/** What the node's trace shows of the history it used. */
export const historyUsedSchema = z.object({
  mode: z.enum(HISTORY_MODES),
  /** Messages read word for word. */
  turns: z.number(),
  /** The summary given to the model (null when none), and how many messages it folds. */
  summary: z.string().nullable(),
  summarisedTurns: z.number(),
  /** The summary was extended in this run (one model call). */
  summaryUpdated: z.boolean(),
  /** Why the summary was not used, when it was asked for. */
  note: z.string().nullable(),
});
export type HistoryUsed = z.infer<typeof historyUsedSchema>;

export interface PromptHistory {
  /** The earlier messages as chat turns. */
  messages: ChatMessage[];
  /** Appended to the system prompt: the summary of what came before them. */
  context: string | null;
  used: HistoryUsed;
  /** The summary's model call, when one was made: its tokens and cost count in the node's. */
  call: ChatResult | null;
}

export async function promptHistory(context: NodeContext<LlmConfig>): Promise<PromptHistory> {
  const { config } = context;
  const window = (entries: HistoryEntry[], note: string | null = null): PromptHistory => ({
    messages: entries.map(chatTurn),
    context: null,
    used: { mode: "window", turns: entries.length, summary: null, summarisedTurns: 0, summaryUpdated: false, note },
    call: null,
  });
  if (config.history === "window") return window(config.historyTurns > 0 ? await context.history(config.historyTurns) : []);

  const read = await context.summary.read(config.historyTurns);
  let summary = read.summary;
  let call: ChatResult | null = null;
  if (read.older) {
    try {
      call = await context.models.chat({
        ...(config.model ? { model: config.model } : {}),
        temperature: 0,
        maxTokens: SUMMARY_MAX_TOKENS,
        messages: [
          { role: "system", content: SUMMARY_INSTRUCTIONS },
          { role: "user", content: `Summary so far:\n${summary?.text ?? "(none yet)"}\n\nNew messages:\n${read.older.entries.map(transcriptLine).join("\n")}` },
        ],
      });
    } catch (error) {
      if (!(error instanceof ModelUnavailableError)) throw error;
      return window(read.recent, `No model could update the conversation's summary (${error.message}): the model read the last ${read.recent.length} messages only.`);
    }
    const text = (call.text ?? "").trim();
    if (text === "") return { ...window(read.recent, "The model gave an empty summary: the model read the last messages only."), call };
    summary = { text, turns: (summary?.turns ?? 0) + read.older.entries.length, through: read.older.through };
    await context.summary.save(summary);
  }
  return {
    messages: read.recent.map(chatTurn),
    context: summary ? `Summary of the conversation before the messages below:\n${summary.text}` : null,
    used: { mode: "summary", turns: read.recent.length, summary: summary?.text ?? null, summarisedTurns: summary?.turns ?? 0, summaryUpdated: call !== null, note: null },
    call,
  };
}

function chatTurn(entry: HistoryEntry): ChatMessage {
  return entry.from === "contact" ? { role: "user", content: entry.text } : { role: "assistant", content: entry.text };
}

function transcriptLine(entry: HistoryEntry): string {
  return `${entry.from === "contact" ? "Customer" : "Assistant"}: ${entry.text}`;
}
