import { z } from "zod";
import { defineNode } from "../../define-node";

const config = z.object({
  question: z.string().trim().min(1, "write the question to ask").max(4096),
  /** The answer is stored as {{vars.<variable>}}. */
  variable: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,39}$/i, "use letters, digits and '_' (not starting with a digit)"),
  timeout: z
    .string()
    .regex(/^\d+[smhd]$/, 'a number and a unit: "30m", "24h", "7d"')
    .default("24h"),
});
type AskConfig = z.infer<typeof config>;

export default defineNode<AskConfig>({
  type: "ask",
  version: 1,
  title: "Ask a question",
  description: "Sends a question, waits for the contact's answer and stores it in a variable.",
  category: "message",
  icon: "❓",
  config,
  defaultConfig: { question: "What is your name?", variable: "name", timeout: "24h" },
  ports: () => [
    { id: "next", label: "answered" },
    { id: "timeout", label: "no answer" },
  ],
  summary: (c) => `${c.question} → {{vars.${c.variable}}}`,
  templateFields: ["question"],
  waitsForContact: true,
  setsVariables: (c) => [c.variable],
  async run(context) {
    const question = context.render(context.config.question);
    await context.send({ type: "text", text: question });
    const answer = await context.waitForReply({ timeout: context.config.timeout });
    if (!answer) return { port: "timeout", output: { question, answer: null } };
    context.setVar(context.config.variable, answer.text);
    return { output: { question, answer: answer.text, messageId: answer.id } };
  },
});
