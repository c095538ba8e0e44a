// Request budgets per caller, so one client cannot exhaust the app: per signed-in user on
// the API, per source address on the webhook, per key on the events API, per address on
// sign-in. In memory, per process: behind several instances each has its own budget.
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

const perMinute = (envName: string, fallback: number) => {
  const configured = Number(process.env[envName]);
  return new RateLimiterMemory({ points: Number.isFinite(configured) && configured > 0 ? configured : fallback, duration: 60 });
};

export const RATE_LIMITS = {
  /** tRPC calls per user per minute (the studio polls a few endpoints every couple of seconds). */
  api: perMinute("PARLEY_RATE_LIMIT_API", 600),
  /** Webhook deliveries per source address per minute (Meta batches, so this is generous). */
  webhook: perMinute("PARLEY_RATE_LIMIT_WEBHOOK", 6_000),
  /** POST /api/events per API key per minute. */
  events: perMinute("PARLEY_RATE_LIMIT_EVENTS", 600),
  /** Sign-in attempts per address per minute, whichever accounts they name. */
  signIn: perMinute("PARLEY_RATE_LIMIT_SIGN_IN", 20),
} as const;

/** Takes one request from `key`'s budget: null when allowed, else the seconds to wait. */
export async function overLimit(limiter: RateLimiterMemory, key: string): Promise<number | null> {
  try {
    await limiter.consume(key);
    return null;
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    throw rejection;
  }
}

/** The address of the client as the first proxy saw it (X-Forwarded-For), else "local". */
export function clientAddress(headers: { get(name: string): string | null }): string {
  return headers.get("x-forwarded-for")?.split(",")[0]?.trim() || headers.get("x-real-ip") || "local";
}

/** A 429 response naming when to come back. */
export function tooManyRequests(retryAfterSeconds: number, what: string): Response {
  return Response.json(
    { error: `Too many ${what}: try again in ${retryAfterSeconds} s.` },
    { status: 429, headers: { "retry-after": String(retryAfterSeconds) } },
  );
}
