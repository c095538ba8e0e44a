// Cron triggers (`{cron: "TZ=Europe/Paris 0 9 * * 1-5"}`), parsed by cron-parser.
//
// Each (function, schedule) has one ExecutorCron row holding its next tick. A worker takes due
// rows with FOR UPDATE SKIP LOCKED and, in the same transaction, stores the tick's
// `inngest/scheduled.timer` event (its id is derived from the function and the tick, so it is
// deduplicated like any event id), starts the run and advances `nextAt`. A crash before the
// commit leaves the tick due, one after it has already advanced: a restart neither skips nor
// doubles a tick. Ticks missed while no executor ran are fired once each on restart, up to
// CATCH_UP_MS old; older ones are skipped (and logged).
import { CronExpressionParser } from "cron-parser";

/** Missed ticks older than this are skipped on restart rather than fired late. */
export const CATCH_UP_MS = 24 * 60 * 60 * 1000;
/** At most this many missed ticks of one schedule are fired per pass. */
export const MAX_TICKS_PER_PASS = 50;

export interface ParsedCron {
  expression: string;
  tz?: string;
}

/** Splits Inngest's `TZ=<zone> <expr>` form (also `CRON_TZ=`). */
export function parseCron(text: string): ParsedCron {
  const match = /^\s*(?:CRON_TZ|TZ)=(\S+)\s+(.+)$/.exec(text);
  return match ? { tz: match[1], expression: (match[2] ?? "").trim() } : { expression: text.trim() };
}

/** The first tick strictly after `after`, or an Error when the schedule is invalid. */
export function nextTick(text: string, after: Date): Date | Error {
  const { expression, tz } = parseCron(text);
  try {
    if (tz) new Intl.DateTimeFormat("en", { timeZone: tz }); // throws RangeError on an unknown zone
    const parsed = CronExpressionParser.parse(expression, { currentDate: after, ...(tz ? { tz } : {}) });
    const next = parsed.next().toDate();
    if (Number.isNaN(next.getTime())) throw new Error("no next tick");
    return next;
  } catch (error) {
    return new Error(`invalid cron "${text}": ${error instanceof Error ? error.message : String(error)}`);
  }
}
