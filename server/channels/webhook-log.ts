// The last webhooks each number received, kept for Settings → WhatsApp numbers: when a bot
// does not answer, this shows whether Meta delivers at all and whether the signature matches.
import { randomUUID } from "node:crypto";
import { sql } from "@/server/db/sql";

/** Webhook deliveries kept per number. */
export const WEBHOOK_LOG_SIZE = 50;

/**
 * Records one webhook delivery for a number and keeps only its last WEBHOOK_LOG_SIZE, in one
 * statement: it runs for every webhook. (The DELETE reads the rows as they were before the
 * INSERT, so it keeps one fewer old row.) Concurrent deliveries skip the old rows another
 * is deleting rather than wait for them, which could deadlock; the next delivery trims them.
 */
export async function logWebhookDelivery(delivery: { channelId: string; signatureOk: boolean; httpStatus: number; messages: number; statuses: number; problem: string | null }): Promise<void> {
  await sql().$executeRaw`
    WITH logged AS (
      INSERT INTO "WebhookDelivery" (id, "channelId", "signatureOk", "httpStatus", messages, statuses, problem)
      VALUES (${randomUUID()}, ${delivery.channelId}, ${delivery.signatureOk}, ${delivery.httpStatus}, ${delivery.messages}, ${delivery.statuses}, ${delivery.problem})
    )
    DELETE FROM "WebhookDelivery" WHERE id IN (
      SELECT id FROM "WebhookDelivery" WHERE "channelId" = ${delivery.channelId}
      ORDER BY "receivedAt" DESC, id DESC OFFSET ${WEBHOOK_LOG_SIZE - 1}
      FOR UPDATE SKIP LOCKED
    )`;
}
