// Links to a message's media for flows: `{{message.media.url}}` can be handed to an HTTP
// node or a model, so it opens without a session — but only with its signature, which
// names the message and an expiry (HMAC with a key derived from PARLEY_SECRET_KEY).
// People in the studio open media through their session instead.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** How long a link given to a flow stays valid. */
export const MEDIA_LINK_DAYS = 7;

function signature(messageId: string, expires: number): string {
  const secret = process.env.PARLEY_SECRET_KEY;
  if (!secret) throw new Error("PARLEY_SECRET_KEY is not set: `npm start` provides one, or set it in the environment.");
  const key = createHash("sha256").update(`parley media links\u0000${secret}`).digest();
  return createHmac("sha256", key).update(`${messageId}\u0000${expires}`).digest("base64url");
}

/** The media's path under the app: /api/media/{messageId}. */
export function mediaPath(messageId: string): string {
  return `/api/media/${encodeURIComponent(messageId)}`;
}

export function signedMediaUrl(messageId: string, now = Date.now()): string {
  const expires = Math.floor(now / 1000) + MEDIA_LINK_DAYS * 86_400;
  const url = new URL(mediaPath(messageId), process.env.NEXTAUTH_URL ?? "http://localhost:3000");
  url.searchParams.set("expires", String(expires));
  url.searchParams.set("signature", signature(messageId, expires));
  return url.toString();
}

export function validMediaSignature(messageId: string, expires: string | null, given: string | null, now = Date.now()): boolean {
  if (!expires || !given || !/^\d+$/.test(expires) || Number(expires) * 1000 < now) return false;
  const expected = Buffer.from(signature(messageId, Number(expires)));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
