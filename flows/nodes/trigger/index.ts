import { z } from "zod";
import { defineNode, NEXT_PORT } from "../../define-node";

const config = z
  .object({
    match: z.enum(["any", "first", "keywords", "regex", "reply"]).default("any"),
    /** Whole words or phrases, case-insensitive, when `match` is "keywords". */
    keywords: z.array(z.string().trim().min(1).max(60)).max(50).default([]),
    /** A JavaScript regular expression tested case-insensitively, when `match` is "regex". */
    pattern: z.string().max(200).default(""),
    /** Button or list-row ids that start the flow, when `match` is "reply". */
    replyIds: z.array(z.string().trim().min(1).max(256)).max(50).default([]),
    /** Between flows of one channel that match a message, the highest priority starts. */
    priority: z.number().int().min(0).max(100).default(0),
  })
  .superRefine((c, ctx) => {
    if (c.match === "keywords" && c.keywords.length === 0) ctx.addIssue({ code: "custom", path: ["keywords"], message: "add at least one keyword" });
    if (c.match === "reply" && c.replyIds.length === 0) ctx.addIssue({ code: "custom", path: ["replyIds"], message: "add at least one button or row id" });
    if (c.match === "regex") {
      if (!c.pattern) ctx.addIssue({ code: "custom", path: ["pattern"], message: "write a pattern" });
      else {
        try {
          new RegExp(c.pattern, "iu");
        } catch (error) {
          ctx.addIssue({ code: "custom", path: ["pattern"], message: `not a valid pattern: ${(error as Error).message}` });
        }
      }
    }
  });
type TriggerConfig = z.infer<typeof config>;

function words(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** Whether `phrase`'s words appear consecutively in `said`. */
function containsPhrase(said: string[], phrase: string[]): boolean {
  if (phrase.length === 0) return false;
  return said.some((_, start) => phrase.every((word, i) => said[start + i] === word));
}

// Specificity: a precise trigger beats a broad one at equal priority.
const SPECIFICITY = { any: 0, first: 1, keywords: 2, regex: 2, reply: 3 } as const;

export default defineNode<TriggerConfig>({
  type: "trigger",
  version: 1,
  title: "When a message arrives",
  description: "Starts the flow when a contact writes: any message, the first of a conversation, keywords, a pattern, or a button/list choice.",
  category: "trigger",
  icon: "⚡",
  config,
  defaultConfig: { match: "any", keywords: [], pattern: "", replyIds: [], priority: 0 },
  ports: () => [NEXT_PORT],
  summary: (c) =>
    ({
      any: "Any message",
      first: "First message of a conversation",
      keywords: `Keywords: ${c.keywords.join(", ")}`,
      regex: `Matches /${c.pattern}/`,
      reply: `Choice: ${c.replyIds.join(", ")}`,
    })[c.match] + (c.priority ? ` (priority ${c.priority})` : ""),
  trigger: {
    kind: "message",
    match(c, message, situation) {
      const text = message.text ?? "";
      const hit = {
        any: true,
        first: situation.firstMessage,
        keywords: c.keywords.some((keyword) => containsPhrase(words(text), words(keyword))),
        regex: c.pattern !== "" && new RegExp(c.pattern, "iu").test(text),
        reply: message.replyId !== null && c.replyIds.includes(message.replyId),
      }[c.match];
      return hit ? c.priority * 10 + SPECIFICITY[c.match] : null;
    },
  },
  async run(context) {
    return { output: { text: context.message?.text ?? null, replyId: context.message?.replyId ?? null } };
  },
});
