// Rotating the secret key: every stored secret is re-encrypted with the new key and still
// opens to the same value; running again has nothing left to do.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { db } from "@/server/db/client";
import { seed } from "@/server/db/seed";
import { reencryptSecrets } from "@/server/security/rotate";
import { currentKeyId, decryptSecret } from "@/server/security/secrets";
import { createTestDatabase, type TestDatabase } from "../support/database";

let database: TestDatabase;
const oldKey = randomBytes(32).toString("base64url");
const newKey = randomBytes(32).toString("base64url");

beforeAll(async () => {
  process.env.PARLEY_SECRET_KEY = oldKey;
  database = await createTestDatabase();
  process.env.DATABASE_URL = database.url;
  await seed(db(), { internalUrl: "http://127.0.0.1:1", envChannel: { phoneNumberId: "1555000", accessToken: "token-A", appSecret: "secret-A", verifyToken: "v" } });
});
afterAll(async () => {
  await db().$disconnect();
  await database.drop();
  delete process.env.PARLEY_SECRET_KEY_PREVIOUS;
});

test("after rotation every secret is under the new key, with the same value", async () => {
  process.env.PARLEY_SECRET_KEY = newKey;
  process.env.PARLEY_SECRET_KEY_PREVIOUS = oldKey;
  const first = await reencryptSecrets();
  expect(first).toContainEqual({ table: "Channel", column: "accessTokenCipher", reencrypted: 2 });
  expect(first).toContainEqual({ table: "Channel", column: "appSecretCipher", reencrypted: 2 });
  const channel = await db().channel.findUniqueOrThrow({ where: { phoneNumberId: "1555000" } });
  expect(channel.accessTokenCipher.startsWith(`v1:${currentKeyId()}:`)).toBe(true);
  delete process.env.PARLEY_SECRET_KEY_PREVIOUS;
  expect([decryptSecret(channel.accessTokenCipher), decryptSecret(channel.appSecretCipher)]).toEqual(["token-A", "secret-A"]);
  expect((await reencryptSecrets()).every((column) => column.reencrypted === 0)).toBe(true);
});
