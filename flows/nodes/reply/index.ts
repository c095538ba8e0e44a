import { z } from "zod";
import { defineNode, NEXT_PORT } from "../../define-node";

const config = z.object({
  text: z.string().trim().min(1, "write the message to send").max(4096, "WhatsApp texts hold at most 4096 characters"),
});
type ReplyConfig = z.infer<typeof config>;

export default defineNode<ReplyConfig>({
  type: "reply",
  version: 1,
  title: "Send a message",
  description: "Sends a text message to the contact. Use {{variables}} to personalise it.",
  category: "message",
  icon: "💬",
  config,
  defaultConfig: { text: "Hello {{contact.name | default: 'there'}}!" },
  ports: () => [NEXT_PORT],
  summary: (c) => c.text,
  templateFields: ["text"],
  async run(context) {
    const text = context.render(context.config.text);
    const { messageId } = await context.send({ type: "text", text });
    return { output: { text, messageId } };
  },
});
