// A provider can take a message and only later report it failed for a passing reason: Meta's
// throughput or pair rate (130429, 131056) in a status webhook, and on Twilio nearly always
// so, since its Messages API queues first and reports the sender's rate limit (63018) in the
// status callback. Such a message never reached the contact, so sending it again is no double
// send: the failed status schedules a redelivery, which waits (the same backoff as a refused
// send) and sends the same Message row again through deliverStoredMessage — consent, the
// 24-hour window and pacing are checked anew. A message is redelivered at most
// MAX_REDELIVERIES times; then its failure stands.
import { NonRetriableError } from "inngest";
import { z } from "zod";
import { outboundMessageSchema } from "@/flows/message";
import { db } from "@/server/db/client";
import { inngest } from "@/server/inngest/client";
import type { Clock } from "./clock";
import { deliveryErrorSchema } from "./delivery-errors";
import type { ParsedStatus } from "./provider";
import { deliverStoredMessage, retryDelayMs } from "./send";
import { ChannelSendError } from "./send-error";

export const MESSAGE_REDELIVERY_EVENT = "parley/message.redeliver";

/** Times one message is sent again after failed statuses. */
export const MAX_REDELIVERIES = 3;

const redeliverySchema = z.object({
  messageId: z.string(),
  conversationId: z.string(),
  /** The provider's id of the send that failed: a redelivery happens once per failure. */
  failedWamid: z.string(),
  delayMs: z.number().int().nonnegative(),
});
export type Redelivery = z.infer<typeof redeliverySchema>;

/**
 * After `status` is recorded: the redelivery event when it failed a message the business sent
 * for a reason worth retrying, and the message has redeliveries left; else null.
 */
export async function redeliveryAfter(status: ParsedStatus): Promise<{ id: string; name: typeof MESSAGE_REDELIVERY_EVENT; data: Redelivery } | null> {
  if (status.status !== "failed" || !status.error?.retriable) return null;
  const message = await db().message.findUnique({ where: { wamid: status.wamid }, select: { id: true, conversationId: true, direction: true, status: true } });
  if (!message || message.direction !== "outbound" || message.status !== "failed") return null;
  const failures = await db().messageStatusEvent.count({ where: { messageId: message.id, status: "failed" } });
  if (failures > MAX_REDELIVERIES) return null;
  return {
    id: `redeliver:${status.wamid}`,
    name: MESSAGE_REDELIVERY_EVENT,
    data: { messageId: message.id, conversationId: message.conversationId, failedWamid: status.wamid, delayMs: retryDelayMs(failures - 1, status.error, null) },
  };
}

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
