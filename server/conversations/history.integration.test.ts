// What a model reads of a conversation (`ctx.history`): the last messages of both sides
// before the one being answered, oldest first — without sends that never arrived, and
// without the rest of a burst taken together with the current message.
import { afterAll, beforeAll, expect, test } from "vitest";
import { db } from "@/server/db/client";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { conversationHistory } from "./history";

let database: TestDatabase;
let conversationId: string;
let channelId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  process.env.DATABASE_URL = database.url;
  const workspace = await db().workspace.create({ data: { name: "Shop", slug: "shop" } });
  const channel = await db().channel.create({ data: { workspaceId: workspace.id, name: "Main", phoneNumberId: "1001", accessTokenCipher: "x", appSecretCipher: "x" } });
  const contact = await db().contact.create({ data: { workspaceId: workspace.id, waId: "34655000001" } });
  channelId = channel.id;
  conversationId = (await db().conversation.create({ data: { workspaceId: workspace.id, channelId, contactId: contact.id } })).id;
});
afterAll(async () => {
  await db().$disconnect();
  await database.drop();
});

let sequence = 0;
async function message(direction: "inbound" | "outbound", text: string | null, extra: { status?: "received" | "sent" | "failed"; type?: string; consumedAt?: Date } = {}) {
  const row = await db().message.create({
    data: {
      conversationId,
      channelId,
      direction,
      text,
      type: extra.type ?? "text",
      payload: {},
      status: extra.status ?? (direction === "inbound" ? "received" : "sent"),
      wamid: `wamid.${++sequence}`,
      consumedAt: extra.consumedAt,
      consumedByRunId: extra.consumedAt ? "run-1" : undefined,
    },
  });
  return row.id;
}

test("the last turns before the current message, from both sides, oldest first", async () => {
  await message("inbound", "Hi");
  await message("outbound", "Hello! How can I help?");
  await message("outbound", "This one never arrived", { status: "failed" });
  await message("inbound", null, { type: "image" });
  await message("outbound", "Nice picture. Anything else?");
  const takenAt = new Date();
  await message("inbound", "I want to return", { consumedAt: takenAt });
  const current = await message("inbound", "the blue mug", { consumedAt: takenAt });
  await message("outbound", "Sure, which order?");

  expect(await conversationHistory({ conversationId, turns: 10, beforeMessageId: current })).toEqual([
    { from: "contact", text: "Hi", at: expect.any(String) },
    { from: "bot", text: "Hello! How can I help?", at: expect.any(String) },
    { from: "contact", text: "[image]", at: expect.any(String) },
    { from: "bot", text: "Nice picture. Anything else?", at: expect.any(String) },
  ]);
  expect((await conversationHistory({ conversationId, turns: 2, beforeMessageId: current })).map((entry) => entry.text)).toEqual(["[image]", "Nice picture. Anything else?"]);
  expect(await conversationHistory({ conversationId, turns: 0, beforeMessageId: current })).toEqual([]);
  // A run started without a message (a schedule) reads up to the latest message.
  expect((await conversationHistory({ conversationId, turns: 3, beforeMessageId: null })).map((entry) => entry.text)).toEqual(["I want to return", "the blue mug", "Sure, which order?"]);
});
