import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, test } from "vitest";
import { currentKeyId, decryptSecret, encryptSecret } from "./secrets";

const saved = { key: process.env.PARLEY_SECRET_KEY, previous: process.env.PARLEY_SECRET_KEY_PREVIOUS };
const useKeys = (key: string, previous?: string) => {
  process.env.PARLEY_SECRET_KEY = key;
  if (previous) process.env.PARLEY_SECRET_KEY_PREVIOUS = previous;
  else delete process.env.PARLEY_SECRET_KEY_PREVIOUS;
};
afterEach(() => useKeys(saved.key ?? "", saved.previous));

describe("secrets at rest", () => {
  test("round-trip, with a fresh IV each time and no plaintext in the ciphertext", () => {
    useKeys(randomBytes(32).toString("base64url"));
    const first = encryptSecret("EAAG-access-token");
    const second = encryptSecret("EAAG-access-token");
    expect(first).not.toBe(second);
    expect(first).not.toContain("EAAG");
    expect(decryptSecret(first)).toBe("EAAG-access-token");
    expect(first.startsWith(`v1:${currentKeyId()}:`)).toBe(true);
  });

  test("a tampered ciphertext is refused", () => {
    useKeys(randomBytes(32).toString("base64url"));
    const parts = encryptSecret("secret").split(":");
    parts[4] = Buffer.from("SECRET").toString("base64url");
    expect(() => decryptSecret(parts.join(":"))).toThrow();
  });

  test("after a rotation, old ciphertexts still open with the previous key, and not without it", () => {
    const oldKey = randomBytes(32).toString("base64url");
    const newKey = randomBytes(32).toString("base64url");
    useKeys(oldKey);
    const old = encryptSecret("app-secret");
    useKeys(newKey, oldKey);
    expect(decryptSecret(old)).toBe("app-secret");
    expect(encryptSecret("x").split(":")[1]).not.toBe(old.split(":")[1]);
    useKeys(newKey);
    expect(() => decryptSecret(old)).toThrow(/neither PARLEY_SECRET_KEY nor in PARLEY_SECRET_KEY_PREVIOUS/);
  });
});
