import { z } from "zod";
import { defineNode, NEXT_PORT } from "../../define-node";

const config = z.object({
  match: z.enum(["any", "keywords"]).default("any"),
  /** Matched as whole words, case-insensitively, when `match` is "keywords". */
  keywords: z.array(z.string().trim().min(1).max(60)).max(50).default([]),
});
type TriggerConfig = z.infer<typeof config>;

function words(text: string): Set<string> {
  return new Set(text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean));
}

export default defineNode<TriggerConfig>({
  type: "trigger",
  version: 1,
  title: "When a message arrives",
  description: "Starts the flow when a contact writes to the channel: any message, or one containing a keyword.",
  category: "trigger",
  icon: "⚡",
  config,
  defaultConfig: { match: "any", keywords: [] },
  ports: () => [NEXT_PORT],
  summary: (c) => (c.match === "any" ? "Any message" : `Keywords: ${c.keywords.join(", ") || "none yet"}`),
  trigger: {
    match(c, message) {
      if (c.match === "any") return 0;
      const said = words(message.text ?? "");
      const hit = c.keywords.some((keyword) => {
        const phrase = [...words(keyword)];
        return phrase.length > 0 && phrase.every((word) => said.has(word));
      });
      return hit ? 1 : null;
    },
  },
  async run(context) {
    return { output: { text: context.message?.text ?? null } };
  },
});
