// Request signing between the executor and the SDK (protocol doc §1.13–1.14).
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import canonicalize from "canonicalize";

const PREFIX = /^signkey-[\w]+-/;

/**
 * Serialises a request body the way the SDK verifies it: the SDK JSON.parses the body and
 * signs its RFC 8785 (JCS) canonical form, so we send exactly those bytes and sign them.
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error("Value cannot be serialised as JSON");
  return text;
}

/** `t=<unix seconds>&s=<hex hmac>`, keyed with the hex text of the key without its prefix. */
export function signBody(body: string, signingKey: string, now = Date.now()): string {
  const t = Math.round(now / 1000).toString();
  const mac = createHmac("sha256", signingKey.replace(PREFIX, "")).update(body + t).digest("hex");
  return `t=${t}&s=${mac}`;
}

/** The Bearer token the SDK sends to the API: prefix + sha256 of the hex-decoded key. */
export function hashedSigningKey(signingKey: string): string {
  const prefix = signingKey.match(PREFIX)?.[0] ?? "";
  const key = signingKey.replace(PREFIX, "");
  return prefix + createHash("sha256").update(key, "hex").digest("hex");
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
