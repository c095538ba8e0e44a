// The last webhooks each number received, kept for Settings → WhatsApp numbers: when a bot
// does not answer, this shows whether Meta delivers at all and whether the signature matches.
import { randomUUID } from "node:crypto";
import { sql } from "@/server/db/sql";
import { groupCommit } from "@/server/executor/group-commit";

/** Webhook deliveries kept per number. */
export const WEBHOOK_LOG_SIZE = 50;

export interface WebhookDeliveryRecord {
  channelId: string;
  receivedAt: Date;
  signatureOk: boolean;
  httpStatus: number;
  messages: number;
  statuses: number;
  problem: string | null;
}

/**
 * Records one webhook delivery for a number and keeps only its last WEBHOOK_LOG_SIZE. It
 * runs for every webhook, so deliveries logged together share one statement.
 */
export const logWebhookDelivery = groupCommit<WebhookDeliveryRecord, void>(async (deliveries) => {
  await logAndTrim(deliveries);
  return deliveries.map(() => undefined);
});

/**
 * Inserts the deliveries and trims each number they name, in one statement. The DELETE reads
 * the rows as they were before the INSERT, so it keeps WEBHOOK_LOG_SIZE less the number's new
 * rows. Only the rows to delete are locked, and those another statement is deleting are
 * skipped rather than waited for, which could deadlock: the next delivery trims them.
 */
async function logAndTrim(deliveries: WebhookDeliveryRecord[]): Promise<void> {
  const column = <T>(value: (delivery: WebhookDeliveryRecord) => T) => deliveries.map(value);
  await sql().$executeRaw`
    WITH delivery AS (
      SELECT * FROM unnest(
        ${column(() => randomUUID())}::text[], ${column((d) => d.channelId)}::text[], ${column((d) => d.receivedAt.toISOString())}::timestamp(3)[],
        ${column((d) => d.signatureOk)}::boolean[], ${column((d) => d.httpStatus)}::int[], ${column((d) => d.messages)}::int[],
        ${column((d) => d.statuses)}::int[], ${column((d) => d.problem)}::text[]
      ) AS d(id, "channelId", "receivedAt", "signatureOk", "httpStatus", messages, statuses, problem)
    ), logged AS (
      INSERT INTO "WebhookDelivery" (id, "channelId", "receivedAt", "signatureOk", "httpStatus", messages, statuses, problem)
      SELECT * FROM delivery
    ), expired AS (
      SELECT old.id FROM (SELECT "channelId", count(*) AS fresh FROM delivery GROUP BY "channelId") logged_for
      CROSS JOIN LATERAL (
        SELECT id FROM "WebhookDelivery" w WHERE w."channelId" = logged_for."channelId"
        ORDER BY "receivedAt" DESC, id DESC OFFSET GREATEST(${WEBHOOK_LOG_SIZE} - logged_for.fresh, 0)
      ) old
    )
    DELETE FROM "WebhookDelivery" WHERE id IN (
      SELECT id FROM "WebhookDelivery" WHERE id IN (SELECT id FROM expired) FOR UPDATE SKIP LOCKED
    )`;
}
