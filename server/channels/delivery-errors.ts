// How a send's refusal or a failed status is recorded on the Message (Message.error), for
// every provider: its code, a kind code can branch on, and its meaning in words. Each
// provider maps its own codes (./whatsapp/errors.ts, ./twilio/errors.ts).
import { z } from "zod";

export type DeliveryErrorKind =
  /** Free-form message outside the 24-hour window; send a template. */
  | "window_closed"
  /** The number's throughput was exceeded; retry later. */
  | "throughput"
  /** Too many messages to this contact too quickly; retry later. */
  | "pair_rate"
  /** API call rate limits of the app or account; retry later. */
  | "rate_limit"
  /** The provider's side failed for now; retry later. */
  | "temporary"
  /** The token or its permissions; fix in Settings → WhatsApp numbers. */
  | "auth"
  /** The template is missing, paused or its parameters do not match. */
  | "template"
  /** The contact cannot receive it (not on WhatsApp, opted out of marketing, experiment). */
  | "recipient"
  /** Media could not be downloaded or uploaded. */
  | "media"
  /** The message itself is wrong (a parameter, an unsupported type). */
  | "invalid"
  /** The business account or number is restricted, locked or unregistered. */
  | "account"
  | "unknown";

/** Kinds worth retrying after a pause: the same message may go through later. */
const RETRIABLE_KINDS = new Set<DeliveryErrorKind>(["throughput", "pair_rate", "rate_limit", "temporary"]);

export function isRetriableKind(kind: DeliveryErrorKind): boolean {
  return RETRIABLE_KINDS.has(kind);
}

/**
 * The pause before attempt `attempt + 1`: the provider's Retry-After when given; 4^n seconds after
 * the pair rate (Meta's advice: 1 s, 4 s, 16 s); doubling from 1 s otherwise.
 */
export function retryDelayMs(attempt: number, error: DeliveryError, retryAfterSeconds: number | null): number {
  if (retryAfterSeconds !== null) return retryAfterSeconds * 1000;
  return (error.kind === "pair_rate" ? 4 ** attempt : 2 ** attempt) * 1000;
}

export const deliveryErrorSchema = z.object({
  /** The provider's code; null when Parley refused the send itself or the answer named no code. */
  code: z.number().nullable(),
  kind: z.string(),
  /** What it means and what to do, in words. */
  meaning: z.string(),
  /** The provider's own title and details, when given. */
  title: z.string().nullable(),
  details: z.string().nullable(),
  retriable: z.boolean(),
});
export type DeliveryError = z.infer<typeof deliveryErrorSchema>;

export const WINDOW_CLOSED_MEANING = "More than 24 hours since the contact last wrote: only an approved template can reach them now.";

/** Parley's own refusal of a free-form send outside the window (nothing reached the provider). */
export function windowClosedRefusal(lastInboundAt: Date | null): DeliveryError {
  return {
    code: null,
    kind: "window_closed",
    meaning: WINDOW_CLOSED_MEANING,
    title: "Not sent: the 24-hour window is closed",
    details: lastInboundAt ? `The contact last wrote at ${lastInboundAt.toISOString()}.` : "The contact has never written.",
    retriable: false,
  };
}
