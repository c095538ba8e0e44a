import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { seed } from "@/server/db/seed";
import { decryptSecret, sha256Hex } from "@/server/security/secrets";
import { verifyPassword } from "@/server/auth/password";
import { createTestDatabase, type TestDatabase } from "../support/database";

let database: TestDatabase;
beforeAll(async () => {
  process.env.PARLEY_SECRET_KEY = randomBytes(32).toString("base64url");
  database = await createTestDatabase();
});
afterAll(() => database.drop());

const envChannel = { phoneNumberId: "123456789", accessToken: "token-1", appSecret: "secret-1", verifyToken: "verify-1" };

test("the first start creates the demo; a second start with the same settings changes nothing", async () => {
  const first = await seed(database.db, { internalUrl: "http://127.0.0.1:3000", envChannel });
  expect(first.changed).toEqual(["workspace", "admin", "simulator channel", "env channel", "demo flow"]);
  expect(first.generatedAdmin?.email).toBe("admin@parley.local");
  expect(await verifyPassword(first.generatedAdmin!.password, (await database.db.user.findFirstOrThrow()).passwordHash)).toBe(true);

  const flow = await database.db.flow.findFirstOrThrow({ include: { channels: true, publishedVersion: true } });
  expect(flow.publishedVersion?.number).toBe(1);
  expect(flow.channels.map((c) => c.phoneNumberId).sort()).toEqual(["100000000000001", "123456789"]);

  const snapshot = async () => ({
    channels: await database.db.channel.findMany({ orderBy: { id: "asc" } }),
    users: await database.db.user.findMany(),
    flows: await database.db.flow.findMany(),
    versions: await database.db.flowVersion.count(),
  });
  const before = await snapshot();
  const second = await seed(database.db, { internalUrl: "http://127.0.0.1:3000", envChannel });
  expect(second).toEqual({ changed: [] });
  expect(await snapshot()).toEqual(before);
});

test("changed WhatsApp settings update the env channel, encrypted", async () => {
  const result = await seed(database.db, { internalUrl: "http://127.0.0.1:3000", envChannel: { ...envChannel, accessToken: "token-2", verifyToken: "verify-2" } });
  expect(result.changed).toEqual(["env channel"]);
  const channel = await database.db.channel.findUniqueOrThrow({ where: { phoneNumberId: "123456789" } });
  expect(channel.accessTokenCipher).not.toContain("token-2");
  expect(decryptSecret(channel.accessTokenCipher)).toBe("token-2");
  expect(channel.verifyTokenHash).toBe(sha256Hex("verify-2"));
});

test("ADMIN_PASSWORD given later replaces the admin's password; the same one again changes nothing", async () => {
  expect((await seed(database.db, { internalUrl: "http://127.0.0.1:3000", adminPassword: "new-password-1" })).changed).toEqual(["admin password"]);
  expect((await seed(database.db, { internalUrl: "http://127.0.0.1:3000", adminPassword: "new-password-1" })).changed).toEqual([]);
});
