// A provider can take a message and only later report it failed for a passing reason: Meta's
// throughput or pair rate (130429, 131056) in a status webhook, and on Twilio nearly always
// so, since its Messages API queues first and reports the sender's rate limit (63018) in the
// status callback. Such a message never reached the contact, so sending it again is no double
// send: the failed status schedules a redelivery, which waits (the same backoff as a refused
// send) and sends the same Message row again (./redelivery-function.ts) — consent, the
// 24-hour window and pacing are checked anew. A message is redelivered at most
// MAX_REDELIVERIES times; then its failure stands.
import { z } from "zod";
import { db } from "@/server/db/client";
import { retryDelayMs, type DeliveryError } from "./delivery-errors";

export const MESSAGE_REDELIVERY_EVENT = "parley/message.redeliver";

/** Times one message is sent again after failed statuses. */
export const MAX_REDELIVERIES = 3;

export const redeliverySchema = z.object({
  messageId: z.string(),
  conversationId: z.string(),
  /** The provider's id of the send that failed: a redelivery happens once per failure. */
  failedWamid: z.string(),
  delayMs: z.number().int().nonnegative(),
});
export type Redelivery = z.infer<typeof redeliverySchema>;

/**
 * After `status` is recorded (or applied by the send, when it came before the provider's
 * answer): the redelivery event when it failed a message the business sent for a reason worth
 * retrying, and the message has redeliveries left; else null.
 */
export async function redeliveryAfter(status: { wamid: string; status: string; error: DeliveryError | null }): Promise<{ id: string; name: typeof MESSAGE_REDELIVERY_EVENT; data: Redelivery } | null> {
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
