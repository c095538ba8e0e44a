// Meta signs each webhook POST: X-Hub-Signature-256 = "sha256=" + HMAC-SHA256(raw body, app secret).
// The HMAC must cover the raw bytes: Meta signs an escaped-unicode payload that
// re-serialised JSON would not reproduce (whatsapp.md fact 2).
import { createHmac, timingSafeEqual } from "node:crypto";

export function signBody(rawBody: Uint8Array | string, appSecret: string): string {
  return `sha256=${createHmac("sha256", appSecret).update(rawBody).digest("hex")}`;
}

export function isValidSignature(rawBody: Uint8Array, header: string | null, appSecret: string): boolean {
  if (!header || !/^sha256=[0-9a-f]{64}$/i.test(header)) return false;
  const expected = Buffer.from(signBody(rawBody, appSecret).slice(7), "hex");
  const given = Buffer.from(header.slice(7), "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
