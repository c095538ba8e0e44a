// Pacing of sends under WhatsApp's limits (whatsapp.md fact 16): per business number, its
// throughput (80 messages per second by default); per contact, the pair rate (one message
// per 6 seconds sustained, bursts of up to 45 borrowing from later). Each is a generic cell
// rate algorithm: one "next send due" time per number and per conversation, moved forward
// by one atomic UPDATE in PostgreSQL, so every process sending through a number shares it.
import { sql } from "@/server/db/sql";
import type { Clock } from "./clock";

export interface PaceRule {
  /** Sustained spacing between sends, ms. */
  intervalMs: number;
  /** How many sends may go at once after a quiet spell. */
  burst: number;
}

/** Meta's pair rate: 1 message per 6 s to one contact, with bursts of up to 45 that later sends pay back. */
export const PAIR_RATE: PaceRule = { intervalMs: 6_000, burst: 45 };

/**
 * A number's throughput as even spacing (whole milliseconds, rounded up so it never exceeds
 * the rate) with no burst: Meta counts messages per second.
 */
export function throughputRule(messagesPerSecond: number): PaceRule {
  return { intervalMs: Math.ceil(1000 / Math.max(1, messagesPerSecond)), burst: 1 };
}

/**
 * When a send may go, given the pacing time after reserving it (`reservedUntil`: the
 * previous due time or now, whichever is later, plus one interval).
 */
export function sendTime(reservedUntil: number, now: number, rule: PaceRule): number {
  return Math.max(now, reservedUntil - rule.intervalMs * rule.burst);
}

/**
 * Reserves the next send through `channelId` to `conversationId` under both limits and
 * waits until it may go. A reserved slot is spent even if the send then fails: pacing errs
 * on the slow side.
 */
export async function paceSend(
  input: { channelId: string; conversationId: string; messagesPerSecond: number },
  clock: Clock,
): Promise<void> {
  const now = clock.now();
  const numberRule = throughputRule(input.messagesPerSecond);
  // One statement reserves both slots, the pair first: the number's slot is then taken at
  // the time the send will really go (the pair's slot as sendTime() computes it).
  const [reserved] = await sql().$queryRaw<{ pairDue: bigint; until: bigint | null }>`
    WITH pair AS (
      UPDATE "Conversation" SET "sendPaceMs" = GREATEST(COALESCE("sendPaceMs", 0), ${now}::bigint) + ${PAIR_RATE.intervalMs}::bigint
      WHERE id = ${input.conversationId} RETURNING "sendPaceMs" AS until
    ), pair_due AS (
      SELECT COALESCE((SELECT GREATEST(${now}::bigint, until - ${PAIR_RATE.intervalMs * PAIR_RATE.burst}::bigint) FROM pair), ${now}::bigint) AS at
    ), number AS (
      UPDATE "Channel" SET "sendPaceMs" = GREATEST(COALESCE("sendPaceMs", 0), (SELECT at FROM pair_due)) + ${numberRule.intervalMs}::bigint
      WHERE id = ${input.channelId} RETURNING "sendPaceMs" AS until
    )
    SELECT (SELECT at FROM pair_due) AS "pairDue", (SELECT until FROM number) AS until`;
  const pairDue = Number(reserved!.pairDue);
  const due = reserved!.until !== null ? sendTime(Number(reserved!.until), pairDue, numberRule) : pairDue;
  if (due > now) await clock.sleep(due - now);
}
