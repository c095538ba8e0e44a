// The last webhooks each number received, kept for Settings → WhatsApp numbers: when a bot
// does not answer, this shows whether Meta delivers at all and whether the signature matches.
import { db } from "@/server/db/client";

/** Webhook deliveries kept per number. */
export const WEBHOOK_LOG_SIZE = 50;

/** Records one webhook delivery for a number and keeps only its last WEBHOOK_LOG_SIZE. */
export async function logWebhookDelivery(delivery: { channelId: string; signatureOk: boolean; httpStatus: number; messages: number; statuses: number; problem: string | null }): Promise<void> {
  await db().webhookDelivery.create({ data: delivery });
  await db().$executeRaw`
    DELETE FROM "WebhookDelivery" WHERE "channelId" = ${delivery.channelId} AND id NOT IN (
      SELECT id FROM "WebhookDelivery" WHERE "channelId" = ${delivery.channelId} ORDER BY "receivedAt" DESC, id DESC LIMIT ${WEBHOOK_LOG_SIZE}
    )`;
}
