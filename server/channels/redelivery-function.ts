// Sends again a message a provider failed for a passing reason, once its redelivery is due
// (./redelivery.ts): the durable function that waits the backoff, and the send itself.
import { NonRetriableError } from "inngest";
import { z } from "zod";
import { outboundMessageSchema } from "@/flows/message";
import { db } from "@/server/db/client";
import { inngest } from "@/server/inngest/client";
import type { Clock } from "./clock";
import { deliveryErrorSchema } from "./delivery-errors";
import { MESSAGE_REDELIVERY_EVENT, redeliverySchema, type Redelivery } from "./redelivery";
import { deliverStoredMessage } from "./send";
import { ChannelSendError } from "./send-error";

/**
 * Sends the failed message again, unless it moved on since (already redelivered, or failed
 * for good). A redelivery interrupted mid-way leaves the message pending under the failed id,
 * and is taken up again by the step's retry.
 */
export async function redeliver(input: Pick<Redelivery, "messageId" | "failedWamid">, options: { clock?: Clock } = {}): Promise<{ redelivered: boolean }> {
  const message = await db().message.findUnique({ where: { id: input.messageId }, include: { conversation: { include: { channel: true, contact: true } } } });
  if (!message || message.wamid !== input.failedWamid) return { redelivered: false };
  const failedForNow = message.status === "failed" && deliveryErrorSchema.safeParse(message.error).data?.retriable === true;
  if (!failedForNow && message.status !== "pending") return { redelivered: false };
  const outgoing = outboundMessageSchema.safeParse(message.payload);
  if (!outgoing.success) throw new ChannelSendError(`Message ${message.id} cannot be sent again: its stored content does not read as a message (${z.prettifyError(outgoing.error)}).`, false);
  await db().message.update({ where: { id: message.id }, data: { status: "pending" } });
  const result = await deliverStoredMessage(message.id, message.conversation, outgoing.data, options);
  return { redelivered: result.wamid !== undefined };
}

export function redeliveryFunction() {
  return inngest().createFunction(
    {
      id: "message-redelivery",
      name: "Send again a message the provider failed for a passing reason",
      triggers: [{ event: MESSAGE_REDELIVERY_EVENT }],
      retries: 4,
      // Paced like every send; one at a time per conversation keeps a contact's messages from racing.
      concurrency: [{ key: "event.data.conversationId", limit: 1 }],
    },
    async ({ event, step }) => {
      const redelivery = redeliverySchema.parse(event.data);
      await step.sleep("back off", redelivery.delayMs);
      return step.run("send again", async () => {
        try {
          return await redeliver(redelivery);
        } catch (error) {
          if (error instanceof ChannelSendError && !error.retriable) throw new NonRetriableError(error.message);
          throw error;
        }
      });
    },
  );
}
