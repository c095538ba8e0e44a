// The last webhooks each number received, kept for Settings → WhatsApp numbers: when a bot
// does not answer, this shows whether Meta delivers at all and whether the signature matches.
import { randomUUID } from "node:crypto";
import { sql } from "@/server/db/sql";
import { groupCommit } from "@/server/executor/group-commit";
import { log } from "@/server/observability/log";

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

/** How long after a delivery its number's log is trimmed: one trim serves every delivery meanwhile. */
const TRIM_AFTER_MS = 1_000;

/**
 * Records one webhook delivery for a number. It runs for every webhook, so deliveries logged
 * together share one statement; trimming each number back to its last WEBHOOK_LOG_SIZE
 * follows within TRIM_AFTER_MS, once for all of them (trimming in every statement read and
 * sorted the number's kept rows each time, as much work as the insert itself). The settings
 * page reads the last WEBHOOK_LOG_SIZE only, so the rows waiting to be trimmed never show.
 */
export const logWebhookDelivery = groupCommit<WebhookDeliveryRecord, void>(async (deliveries) => {
  await insertDeliveries(deliveries);
  for (const delivery of deliveries) untrimmed.add(delivery.channelId);
  trimTimer ??= setTimeout(trimLogs, TRIM_AFTER_MS).unref();
  return deliveries.map(() => undefined);
});

async function insertDeliveries(deliveries: WebhookDeliveryRecord[]): Promise<void> {
  const column = <T>(value: (delivery: WebhookDeliveryRecord) => T) => deliveries.map(value);
  await sql().$executeRaw`
    INSERT INTO "WebhookDelivery" (id, "channelId", "receivedAt", "signatureOk", "httpStatus", messages, statuses, problem)
    SELECT * FROM unnest(
      ${column(() => randomUUID())}::text[], ${column((d) => d.channelId)}::text[], ${column((d) => d.receivedAt.toISOString())}::timestamp(3)[],
      ${column((d) => d.signatureOk)}::boolean[], ${column((d) => d.httpStatus)}::int[], ${column((d) => d.messages)}::int[],
      ${column((d) => d.statuses)}::int[], ${column((d) => d.problem)}::text[]
    )`;
}

/** Numbers logged since the last trim. */
const untrimmed = new Set<string>();
let trimTimer: NodeJS.Timeout | undefined;

/**
 * Deletes all but the last WEBHOOK_LOG_SIZE deliveries of each number logged since the last
 * trim. Only the rows to delete are locked, and those another process is deleting are
 * skipped rather than waited for, which could deadlock: the next trim takes them.
 */
async function trimLogs(): Promise<void> {
  const channelIds = [...untrimmed];
  untrimmed.clear();
  try {
    await sql().$executeRaw`
      DELETE FROM "WebhookDelivery" WHERE id IN (
        SELECT id FROM "WebhookDelivery" WHERE id IN (
          SELECT old.id FROM unnest(${channelIds}::text[]) AS logged("channelId")
          CROSS JOIN LATERAL (
            SELECT id FROM "WebhookDelivery" w WHERE w."channelId" = logged."channelId"
            ORDER BY "receivedAt" DESC, id DESC OFFSET ${WEBHOOK_LOG_SIZE}
          ) old
        )
        FOR UPDATE SKIP LOCKED
      )`;
  } catch (error) {
    // Kept for the next trim: a number's log only grows for a while, nothing is lost.
    for (const id of channelIds) untrimmed.add(id);
    log().warn({ err: error }, "webhook delivery log not trimmed");
  } finally {
    trimTimer = undefined;
    if (untrimmed.size > 0) trimTimer = setTimeout(trimLogs, TRIM_AFTER_MS).unref();
  }
}
