// The channel layer on a fresh database without the rest of Parley: a workspace, one
// WhatsApp channel pointed at a fake Graph API, and contacts with their conversations. For
// integration tests of sending, pacing and webhooks that call server/channels directly.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { createTestDatabase, type TestDatabase } from "./database";
import { startFakeGraph, type FakeGraph } from "./fake-graph";

export const TEST_CHANNEL = { phoneNumberId: "109000000001", accessToken: "channel-test-token", appSecret: "channel-test-secret", verifyToken: "channel-verify" };

export interface ChannelDatabase {
  database: TestDatabase;
  graph: FakeGraph;
  workspaceId: string;
  channelId: string;
  /** A contact with its conversation on the channel; `lastInboundAt` null: the contact never wrote. */
  conversation(waId: string, lastInboundAt: Date | null): Promise<{ conversationId: string; contactId: string }>;
}

export function useChannelDatabase(): ChannelDatabase {
  let state: ChannelDatabase | undefined;
  beforeAll(async () => {
    const database = await createTestDatabase();
    Object.assign(process.env, { DATABASE_URL: database.url, PARLEY_SECRET_KEY: randomBytes(32).toString("base64url") });
    const [{ db }, { encryptSecret, sha256Hex }] = await Promise.all([import("@/server/db/client"), import("@/server/security/secrets")]);
    const graph = await startFakeGraph({ token: TEST_CHANNEL.accessToken });
    const workspace = await db().workspace.create({ data: { name: "Channels", slug: `channels-${randomBytes(4).toString("hex")}` } });
    const channel = await db().channel.create({
      data: {
        workspaceId: workspace.id,
        name: "Shop",
        phoneNumberId: TEST_CHANNEL.phoneNumberId,
        graphBaseUrl: graph.url,
        accessTokenCipher: encryptSecret(TEST_CHANNEL.accessToken),
        appSecretCipher: encryptSecret(TEST_CHANNEL.appSecret),
        verifyTokenHash: sha256Hex(TEST_CHANNEL.verifyToken),
        verifyTokenCipher: encryptSecret(TEST_CHANNEL.verifyToken),
      },
    });
    state = {
      database,
      graph,
      workspaceId: workspace.id,
      channelId: channel.id,
      async conversation(waId, lastInboundAt) {
        const contact = await db().contact.create({ data: { workspaceId: workspace.id, waId } });
        const conversation = await db().conversation.create({ data: { workspaceId: workspace.id, channelId: channel.id, contactId: contact.id, lastInboundAt } });
        return { conversationId: conversation.id, contactId: contact.id };
      },
    };
  });
  afterAll(async () => {
    const { db } = await import("@/server/db/client");
    await db().$disconnect();
    (globalThis as { parleyDb?: unknown }).parleyDb = undefined;
    await state?.graph.close();
    await state?.database.drop();
  });
  return new Proxy({} as ChannelDatabase, {
    get(_, key) {
      if (!state) throw new Error("The channel database starts in beforeAll: use it inside hooks and tests.");
      return Reflect.get(state, key);
    },
  });
}
