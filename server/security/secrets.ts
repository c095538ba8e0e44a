// Secrets at rest (channel tokens, app secrets, provider keys): AES-256-GCM with a key
// derived from PARLEY_SECRET_KEY. `npm start` generates one into the data folder when the
// environment gives none. The ciphertext names its key id so keys can be rotated.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

const ALGORITHM = "aes-256-gcm";

function keyFrom(material: string): { id: string; key: Buffer } {
  const key = createHash("sha256").update(material, "utf8").digest();
  return { id: createHash("sha256").update(key).digest("hex").slice(0, 8), key };
}

type Keys = { current: { id: string; key: Buffer }; all: Map<string, Buffer> };
/** Derived once per key material (every send decrypts its number's token), again when the environment names other keys. */
let derived: { material: string; previous: string; keys: Keys } | undefined;

function keys(): Keys {
  const material = process.env.PARLEY_SECRET_KEY;
  if (!material) throw new Error("PARLEY_SECRET_KEY is not set: `npm start` provides one, or set it in the environment.");
  const previous = process.env.PARLEY_SECRET_KEY_PREVIOUS ?? "";
  if (derived?.material === material && derived.previous === previous) return derived.keys;
  const current = keyFrom(material);
  const all = new Map([[current.id, current.key]]);
  for (const earlier of previous.split(",").filter(Boolean)) {
    const old = keyFrom(earlier);
    all.set(old.id, old.key);
  }
  derived = { material, previous, keys: { current, all } };
  return derived.keys;
}

/** The id of PARLEY_SECRET_KEY as ciphertexts name it. */
export function currentKeyId(): string {
  return keys().current.id;
}

export function encryptSecret(plaintext: string): string {
  const { current } = keys();
  const iv = randomBytes(12);
  const cipher = createCipheriv(ALGORITHM, current.key, iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", current.id, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(":");
}

export function decryptSecret(ciphertext: string): string {
  const [version, keyId, iv, tag, body] = ciphertext.split(":");
  if (version !== "v1" || !keyId || !iv || !tag || body === undefined) throw new Error("Unreadable secret: not a Parley ciphertext.");
  const key = keys().all.get(keyId);
  if (!key) throw new Error(`Secret encrypted with key ${keyId}, which is neither PARLEY_SECRET_KEY nor in PARLEY_SECRET_KEY_PREVIOUS.`);
  const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
}

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}
