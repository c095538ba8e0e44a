// The message model nodes read and write, independent of the channel's wire format.
import { z } from "zod";

export const inboundMessageSchema = z.object({
  /** Parley's Message id. */
  id: z.string(),
  type: z.string(),
  /** What the customer wrote or chose: the text, a button/list title, a caption. */
  text: z.string().nullable(),
  /** Id of the chosen reply button or list row, when the message is such a reply. */
  replyId: z.string().nullable(),
  receivedAt: z.string(),
});
export type InboundMessage = z.infer<typeof inboundMessageSchema>;

export const outboundMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text"), text: z.string().min(1).max(4096), previewUrl: z.boolean().optional() }),
]);
export type OutboundMessage = z.infer<typeof outboundMessageSchema>;

export interface ContactInfo {
  id: string;
  name: string | null;
  /** The WhatsApp id (phone number), or null when only a business-scoped user id is known. */
  waId: string | null;
}
