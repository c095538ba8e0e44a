import { z } from "zod";
import { defineNode } from "../../define-node";

const config = z.object({
  /** Told to the contact before a person takes over; empty to say nothing. */
  message: z.string().max(4096).default("I'm passing you to a colleague, who will answer here shortly."),
  /** Shown to the admins who pick the conversation up; may name variables ("Hot lead: {{vars.company}}"). */
  reason: z.string().trim().min(1, "say why a person should take over").max(200).default("The contact asked for a person"),
});
type HandoffConfig = z.infer<typeof config>;

export default defineNode<HandoffConfig>({
  type: "handoff",
  version: 1,
  title: "Hand off to a person",
  description: "Pauses the bot for this conversation so a person can answer; an admin hands it back from the run page.",
  category: "message",
  icon: "🙋",
  config,
  defaultConfig: { message: "I'm passing you to a colleague, who will answer here shortly.", reason: "The contact asked for a person" },
  ports: () => [],
  summary: (c) => `Hand off: ${c.reason}`,
  templateFields: ["message", "reason"],
  async run(context) {
    const message = context.config.message.trim() ? context.render(context.config.message) : null;
    if (message) await context.send({ type: "text", text: message });
    const reason = context.render(context.config.reason).trim().slice(0, 200) || "The contact asked for a person";
    await context.handOff(reason);
    return { output: { reason, told: message } };
  },
});
