// Twilio signs each webhook: X-Twilio-Signature = base64(HMAC-SHA1(auth token, the full URL
// Twilio called + every POST parameter's name and value, sorted by name)).
import { createHmac, timingSafeEqual } from "node:crypto";

export function twilioSignature(authToken: string, url: string, params: URLSearchParams): string {
  const sorted = [...params.entries()].sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  return createHmac("sha1", authToken)
    .update(url + sorted.map(([name, value]) => name + value).join(""), "utf8")
    .digest("base64");
}

/**
 * Whether `header` signs the request for one of the URLs it may have been sent to: behind a
 * proxy the app sees another host than the one configured in Twilio, so the public URL
 * (NEXTAUTH_URL with the same path) counts too.
 */
export function isValidTwilioSignature(header: string | null, authToken: string, urls: string[], params: URLSearchParams): boolean {
  if (!header) return false;
  const given = Buffer.from(header);
  return urls.some((url) => {
    const expected = Buffer.from(twilioSignature(authToken, url, params));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
