// The classify node's config: the intents (each one output), which text to classify, and
// when the local classifier's answer is enough.
import { z } from "zod";

/** The output for messages that fit no intent; no intent may take its name (nor the runtime's "next" and "error"). */
export const UNKNOWN = "unknown";
const RESERVED_NAMES = new Set([UNKNOWN, "next", "error"]);
export const MAX_INTENTS = 30;
export const MAX_EXAMPLES = 200;

const intentConfig = z.object({
  // The name is the intent's output port and what the language model answers with.
  name: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{0,39}$/, "name the intent with lower-case letters, digits and '_', starting with a letter (e.g. order_status): it names its output")
    .refine((name) => !RESERVED_NAMES.has(name), "“unknown”, “next” and “error” are taken: “unknown” is the output for messages that fit no intent"),
  description: z.string().trim().max(500, "descriptions hold at most 500 characters").default("").describe("What these messages are about; the language model reads it."),
  examples: z
    .array(z.string().trim().min(1).max(500, "examples hold at most 500 characters"))
    .max(MAX_EXAMPLES, `at most ${MAX_EXAMPLES} examples per intent`)
    .default([])
    .describe("Messages a customer would send, one per line, in every language your customers write in."),
});
export type IntentConfig = z.infer<typeof intentConfig>;

const variableName = z.string().regex(/^[a-z_][a-z0-9_]{0,39}$/i, "use letters, digits and '_' (not starting with a digit)");

export const classifyConfig = z
  .object({
    intents: z
      .array(intentConfig)
      .min(2, "add at least two intents: with one there is nothing to choose")
      .max(MAX_INTENTS, `at most ${MAX_INTENTS} intents`)
      .describe("Each intent is one output; messages that fit none take “unknown”."),
    text: z.string().max(1000).default("{{message.text}}").describe("What to classify: the latest message by default, or any {{template}}."),
    threshold: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe("From this local confidence (0–1) the local classifier decides alone; below it the language model decides. 1 always asks the model, 0 never."),
    fallbackThreshold: z
      .number()
      .min(0)
      .max(1)
      .default(0.3)
      .describe("When no language model can answer: the local answer stands from this confidence, below it the message is “unknown”."),
    model: z.string().trim().max(100).default("").describe("The language model to ask; the workspace's default when empty."),
    variable: variableName.optional().describe("Store the intent's name (or “unknown”) in {{vars.<variable>}}."),
  })
  .superRefine((c, issues) => {
    const issue = (path: (string | number)[], message: string) => issues.addIssue({ code: "custom", path, message });
    const seen = new Set<string>();
    c.intents.forEach((intent, index) => {
      if (seen.has(intent.name)) issue(["intents", index, "name"], `Two intents are named “${intent.name}”: each names its own output.`);
      seen.add(intent.name);
      if (intent.examples.length === 0 && intent.description === "") {
        issue(["intents", index], `give “${intent.name}” examples (for the local classifier) or a description (for the language model)`);
      }
    });
    if (c.fallbackThreshold > c.threshold) issue(["fallbackThreshold"], "keep it at or below the threshold: messages at or above the threshold never need the model");
  });
export type ClassifyConfig = z.infer<typeof classifyConfig>;
