// The ingress under concurrent deliveries, on a real database: webhooks arriving together
// are stored together (group commit), and each is still answered only once its own message
// is stored, once, with its contact and conversation; a webhook that cannot be stored fails
// alone; the delivery log is written beside the answer, not before it.
import { randomBytes } from "node:crypto";
import { beforeAll, expect, test } from "vitest";
import { db } from "@/server/db/client";
import { attachEmbeddedExecutor } from "@/server/inngest/client";
import { TEST_CHANNEL, useChannelDatabase } from "../../tests/support/channel-database";
import { eventually } from "../../tests/support/parley";
import { receiveWebhook } from "./ingress";
import { WEBHOOK_LOG_SIZE } from "./webhook-log";
import { whatsappWebhookEnvelope } from "./whatsapp/envelope";
import { signBody } from "./whatsapp/signature";
import { whatsappCloudProvider } from "./whatsapp/provider";

const channels = useChannelDatabase();

/** The wamids the executor was handed, and whether each message was already stored (committed) then. */
const handedOver: { wamid: string; storedBefore: boolean }[] = [];

beforeAll(() => {
  attachEmbeddedExecutor({
    fetch,
    async send(events) {
      for (const event of events) {
        const stored = await db().message.count({ where: { wamid: event.id } });
        handedOver.push({ wamid: event.id!, storedBefore: stored === 1 });
      }
      return events.map((event) => event.id);
    },
  });
});

let sequence = 0;

function textMessage(from: string, text: string, options: { wamid?: string; sentAt?: Date; name?: string } = {}) {
  const wamid = options.wamid ?? `wamid.INGRESS${sequence++}`;
  const timestamp = String(Math.floor((options.sentAt ?? new Date()).getTime() / 1000));
  return { wamid, body: { from, id: wamid, timestamp, type: "text", text: { body: text } }, contact: { profile: { name: options.name ?? "Ana" }, wa_id: from } };
}

function webhook(...messages: ReturnType<typeof textMessage>[]) {
  const body = JSON.stringify(
    whatsappWebhookEnvelope(
      { phoneNumberId: TEST_CHANNEL.phoneNumberId, displayPhoneNumber: "15550001111" },
      { contacts: messages.map((message) => message.contact), messages: messages.map((message) => message.body) },
    ),
  );
  const rawBody = new TextEncoder().encode(body);
  const headers = new Headers({ "content-type": "application/json", "x-hub-signature-256": signBody(rawBody, TEST_CHANNEL.appSecret) });
  return receiveWebhook(whatsappCloudProvider, { rawBody, url: "http://parley.test/api/webhooks/whatsapp", headers });
}

test("webhooks arriving together are each answered once their message is stored, once, with one contact and conversation per sender", async () => {
  await webhook(textMessage("34611000000", "warming the number cache"));
  const hourAgo = new Date(Date.now() - 3_600_000);
  const senders = Array.from({ length: 12 }, (_, i) => `346110000${String(i + 10)}`);
  // Each sender writes twice (an hour ago, then now), and Meta delivers every webhook twice.
  const messages = senders.flatMap((from) => [textMessage(from, "first", { sentAt: hourAgo }), textMessage(from, "second")]);
  const answers = await Promise.all([...messages, ...messages].map((message) => webhook(message)));

  expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
  const stored = await db().message.findMany({ where: { wamid: { in: messages.map((m) => m.wamid) } }, include: { conversation: { include: { contact: true } } }, orderBy: { seq: "asc" } });
  expect(stored.map((m) => m.wamid).sort()).toEqual(messages.map((m) => m.wamid).sort());
  for (const from of senders) {
    const theirs = stored.filter((m) => m.conversation.contact.waId === from);
    expect(theirs.map((m) => m.text)).toEqual(["first", "second"]);
    expect(new Set(theirs.map((m) => m.conversationId)).size).toBe(1);
    // The 24-hour window runs from the latest message, whichever was stored last.
    expect(theirs[0]!.conversation.lastInboundAt!.getTime()).toBeGreaterThan(hourAgo.getTime() + 1_000);
  }
  expect(await db().contact.count({ where: { waId: { in: senders } } })).toBe(senders.length);
  expect(handedOver.filter((h) => messages.some((m) => m.wamid === h.wamid)).every((h) => h.storedBefore)).toBe(true);
});

test("a webhook whose message cannot be stored fails alone: the others delivered with it are stored and answered", async () => {
  await webhook(textMessage("34612000000", "warming"));
  const good = Array.from({ length: 10 }, (_, i) => textMessage(`346120000${String(i + 10)}`, `hello ${i}`));
  // Too long for the unique index on wamid: PostgreSQL refuses the row, and any statement holding it.
  const unstorable = textMessage("34612000099", "hello", { wamid: `wamid.${randomBytes(6_000).toString("base64")}` });
  const outcomes = await Promise.allSettled([...good.slice(0, 5), unstorable, ...good.slice(5)].map((message) => webhook(message)));

  expect(outcomes[5]!.status).toBe("rejected");
  const answered = outcomes.filter((outcome) => outcome.status === "fulfilled").map((outcome) => outcome.value.status);
  expect(answered).toEqual(good.map(() => 200));
  expect(await db().message.count({ where: { wamid: { in: good.map((m) => m.wamid) } } })).toBe(good.length);
  expect(await db().message.count({ where: { wamid: unstorable.wamid } })).toBe(0);
});

test("several messages of one sender in one webhook are stored in the order they were written", async () => {
  const from = "34613000001";
  const texts = ["one", "two", "three"];
  const answer = await webhook(...texts.map((text) => textMessage(from, text)));
  expect(JSON.parse(answer.body)).toMatchObject({ messages: 3 });
  const stored = await db().message.findMany({ where: { conversation: { contact: { waId: from } } }, orderBy: { seq: "asc" } });
  expect(stored.map((m) => m.text)).toEqual(texts);
});

test("every delivery is logged for the number's settings page, written beside the answer, the last 50 kept", async () => {
  const startedAt = new Date();
  const answers = await Promise.all(Array.from({ length: WEBHOOK_LOG_SIZE + 10 }, (_, i) => webhook(textMessage(`346140000${String(i + 10)}`, "hi"))));
  expect(answers.every((answer) => answer.status === 200)).toBe(true);
  const logged = () => db().webhookDelivery.count({ where: { channelId: channels.channelId, receivedAt: { gte: startedAt } } });
  await eventually(async () => (await logged()) >= WEBHOOK_LOG_SIZE, 10_000, "the burst logged");
  // A burst leaves more for a moment; within a second the number's log is trimmed to its last 50.
  const last = await webhook(textMessage("34614000099", "hi", { wamid: "wamid.INGRESS-LAST" }));
  const log = await eventually(async () => {
    const rows = await db().webhookDelivery.findMany({ where: { channelId: channels.channelId }, orderBy: { receivedAt: "desc" } });
    return rows.length === WEBHOOK_LOG_SIZE ? rows : undefined;
  }, 10_000, "the log trimmed to its last 50");
  expect(log[0]).toMatchObject({ signatureOk: true, httpStatus: last.status, messages: 1 });
});

test("a contact is written only when a message changes their details: a new profile name is kept, the same one leaves the row as it was", async () => {
  const from = "34611000090";
  await webhook(textMessage(from, "hello", { name: "Ana" }));
  const first = await db().contact.findFirstOrThrow({ where: { waId: from } });
  await webhook(textMessage(from, "again", { name: "Ana" }));
  const unchanged = await db().contact.findFirstOrThrow({ where: { waId: from } });
  expect(unchanged.updatedAt).toEqual(first.updatedAt);

  await webhook(textMessage(from, "I renamed myself", { name: "Ana María" }));
  const renamed = await db().contact.findFirstOrThrow({ where: { waId: from }, include: { conversations: { include: { messages: { orderBy: { seq: "asc" } } } } } });
  expect(renamed.id).toBe(first.id);
  expect(renamed.name).toBe("Ana María");
  expect(renamed.updatedAt.getTime()).toBeGreaterThan(first.updatedAt.getTime());
  expect(renamed.conversations.flatMap((c) => c.messages.map((m) => m.text))).toEqual(["hello", "again", "I renamed myself"]);
});
