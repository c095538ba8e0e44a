// Identifiers and durations shared by the executor.
import { randomBytes } from "node:crypto";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * A ULID (time-ordered, 26 chars), the id format Inngest uses for runs and events. Ordering
 * by id roughly follows creation time, which keeps logs and tables readable.
 */
export function ulid(now = Date.now()): string {
  let time = "";
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let rand = "";
  for (let i = 0; i < 16; i++) rand += CROCKFORD[(bytes[i] ?? 0) % 32];
  return time + rand;
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Parses an Inngest time string ("30s", "2h30m", "1w") into milliseconds, or null when it is
 * not one. The SDK produces these for step.sleep and waitForEvent timeouts (protocol doc §3.6).
 */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?(ms|w|d|h|m|s))+$/.test(trimmed)) return null;
  let total = 0;
  for (const match of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|w|d|h|m|s)/g)) {
    total += Number(match[1]) * (UNIT_MS[match[2] ?? "s"] ?? 1000);
  }
  return total;
}

/** A Sleep op's `name` is either a time string (step.sleep) or an ISO date (step.sleepUntil). */
export function sleepTarget(name: string, now = Date.now()): Date | null {
  const duration = parseDuration(name);
  if (duration !== null) return new Date(now + duration);
  const at = Date.parse(name);
  return Number.isNaN(at) ? null : new Date(at);
}

/** `Retry-After` is whole seconds or an HTTP/ISO date (RetryAfterError). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.max(0, Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * Options for the executor's interactive transactions. Prisma's defaults (2 s to get a
 * connection, 5 s to finish) are tight when 16 turns, claims and event posts share one pool
 * on a loaded machine; a slow transaction is better than a failed claim or a lost event post.
 */
export const TX_OPTIONS = { maxWait: 10_000, timeout: 30_000 } as const;

/**
 * The deterministic event id of event `index` of a send carrying the SDK's
 * `x-inngest-event-id-seed: <ms>,<base64 of 10 bytes>` header: a ULID whose time is `ms` and
 * whose entropy is the 10 bytes plus `index`, as Inngest's server derives it
 * (pkg/event SeededIDFromString). The SDK keeps one seed across the retries of one send, so a
 * retried POST whose first attempt was stored but not acknowledged yields the same ids and is
 * deduplicated. Null when the header is absent or malformed.
 */
export function seededId(seed: string | null | undefined, index: number): string | null {
  if (!seed) return null;
  const match = /^(\d+),([A-Za-z0-9+/]+=*)$/.exec(seed.trim());
  if (!match) return null;
  const millis = Number(match[1]);
  const entropy = Buffer.from(match[2] ?? "", "base64");
  if (!Number.isSafeInteger(millis) || millis <= 0 || millis >= 2 ** 48 || entropy.length !== 10) return null;
  let value = BigInt(`0x${entropy.toString("hex")}`) + BigInt(index);
  value &= (1n << 80n) - 1n;
  let rand = "";
  for (let i = 0; i < 16; i++) {
    rand = CROCKFORD[Number(value & 31n)] + rand;
    value >>= 5n;
  }
  let time = "";
  let t = millis;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return time + rand;
}
