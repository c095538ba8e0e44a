import { describe, expect, test } from "vitest";
import { isValidSignature, signBody } from "./signature";

const secret = "app-secret-123";
const body = new TextEncoder().encode('{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[]}]}');

describe("X-Hub-Signature-256", () => {
  test("accepts the HMAC of the raw body with the app secret", () => {
    expect(isValidSignature(body, signBody(body, secret), secret)).toBe(true);
  });

  test("rejects a signature made with another secret", () => {
    expect(isValidSignature(body, signBody(body, "other-secret"), secret)).toBe(false);
  });

  test("rejects a body changed after signing, even one that parses to the same JSON", () => {
    const signature = signBody(body, secret);
    const reformatted = new TextEncoder().encode(JSON.stringify(JSON.parse(new TextDecoder().decode(body)), null, 2));
    expect(isValidSignature(reformatted, signature, secret)).toBe(false);
  });

  test("checks Meta's escaped-unicode bytes, not a re-serialisation", () => {
    const escaped = new TextEncoder().encode('{"text":"caf\\u00e9"}');
    const signature = signBody(escaped, secret);
    expect(isValidSignature(escaped, signature, secret)).toBe(true);
    expect(isValidSignature(new TextEncoder().encode('{"text":"café"}'), signature, secret)).toBe(false);
  });

  test.each([null, "", "sha256=", "sha1=abc", "sha256=zz", `sha256=${"0".repeat(63)}`])("rejects malformed header %j", (header) => {
    expect(isValidSignature(body, header, secret)).toBe(false);
  });
});
