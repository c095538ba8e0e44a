// The corpus (tests/fixtures/whatsapp/) through the real webhook: every message is stored
// once with what the flow language reads of it, unsupported ones too; statuses update the
// sent messages in any order, failed ones with their meaning, and start nothing.
import { beforeAll, expect, test } from "vitest";
import { db } from "@/server/db/client";
import { toInboundMessage } from "@/server/conversations/inbox";
import { conversationDetail } from "@/server/conversations/review";
import { webhookCorpus } from "../../../tests/support/whatsapp-corpus";
import { CHANNEL, useParley } from "../../../tests/support/parley";

const parley = useParley();
const corpus = webhookCorpus();
const outboundWamids = [...new Set(corpus.flatMap((f) => f.expected.statuses.map((s) => s.wamid)))];

beforeAll(async () => {
  // The business's messages the status webhooks are about.
  const channel = await db().channel.findUniqueOrThrow({ where: { phoneNumberId: CHANNEL.phoneNumberId } });
  const contact = await db().contact.create({ data: { workspaceId: channel.workspaceId, waId: "34600000850" } });
  const conversation = await db().conversation.create({ data: { workspaceId: channel.workspaceId, channelId: channel.id, contactId: contact.id, lastInboundAt: new Date() } });
  for (const wamid of outboundWamids) {
    await db().message.create({ data: { conversationId: conversation.id, channelId: channel.id, direction: "outbound", wamid, type: "text", text: "Hello", payload: {}, status: "sent" } });
  }
  for (const fixture of corpus) {
    for (const delivery of fixture.deliveries) {
      const response = await parley.postWebhook(delivery);
      expect(response.status, `${fixture.file}: ${await response.clone().text()}`).toBe(200);
    }
  }
});

test("every inbound message of the corpus is stored once, with its type, text and details", async () => {
  const expected = new Map(corpus.flatMap((f) => f.expected.messages.map((m) => [m.wamid as string, m])));
  const stored = await db().message.findMany({ where: { direction: "inbound", wamid: { in: [...expected.keys()] } } });
  expect(stored.map((m) => m.wamid).sort()).toEqual([...expected.keys()].sort());
  for (const row of stored) {
    const { unsupported, details, type, text, replyId } = expected.get(row.wamid!)!;
    const message = toInboundMessage(row);
    expect(message, row.wamid!).toMatchObject({ type, text, replyId });
    if (unsupported) expect(message.unsupported?.reason).toMatch(/\w/);
    else expect(message, row.wamid!).toMatchObject(details as object);
  }
});

test("statuses move each message forward whatever their order, failures keep their meaning", async () => {
  const messages = await db().message.findMany({ where: { wamid: { in: outboundWamids } } });
  const byWamid = new Map(messages.map((m) => [m.wamid!.slice(-1), m]));
  expect(byWamid.get("A")).toMatchObject({ status: "read" });
  expect(byWamid.get("E")).toMatchObject({ status: "read" });
  expect(byWamid.get("F")).toMatchObject({ status: "delivered" });
  expect(byWamid.get("B")).toMatchObject({ status: "failed", error: { code: 131047, kind: "window_closed", title: "Re-engagement message" } });
  expect(byWamid.get("C")).toMatchObject({ status: "failed", error: { code: 130429, kind: "throughput" } });
  expect(byWamid.get("D")).toMatchObject({ status: "failed", error: { code: 131056, kind: "pair_rate" } });
  const runsForStatuses = await db().flowRun.count({ where: { conversation: { contact: { waId: "34600000850" } } } });
  expect(runsForStatuses).toBe(0);
});

test("a contact who changes number, as WhatsApp's system message says, stays one contact under the new number", async () => {
  const contacts = await db().contact.findMany({ where: { waId: { in: ["34600000817", "34600000917"] } }, include: { conversations: { include: { messages: true } } } });
  expect(contacts.map((c) => c.waId)).toEqual(["34600000917"]);
  expect(contacts[0]!.conversations[0]!.messages.map((m) => m.type)).toContain("system");
});

test("a contact whose business-scoped user id changes, as WhatsApp's system message says, stays one contact under the new id", async () => {
  const contacts = await db().contact.findMany({ where: { bsuid: { in: ["BR.1502576394655843", "BR.2602576394655844"] } }, include: { conversations: { include: { messages: { where: { direction: "inbound" }, orderBy: { seq: "asc" } } } } } });
  expect(contacts.map((c) => c.bsuid)).toEqual(["BR.2602576394655844"]);
  expect(contacts[0]!.conversations[0]!.messages.map((m) => m.text)).toEqual(["oi", "User pedro changed from BR.1502576394655843 to BR.2602576394655844", "ainda aqui"]);
});

test("a message Parley cannot read is in the inbox with why, not as a bare type", async () => {
  const contact = await db().contact.findFirstOrThrow({ where: { waId: "34600000818" }, include: { conversations: true } });
  const conversation = contact.conversations[0]!;
  const detail = await conversationDetail(conversation.workspaceId, conversation.id);
  expect(detail?.messages).toContainEqual(expect.objectContaining({ type: "unsupported", text: null, unsupported: "Message type is currently not supported." }));
  expect(detail?.contact.number).toBe("+34600000818");
});

test("a contact writing behind a username is named in the inbox by their user id, not as a phone number", async () => {
  const contact = await db().contact.findFirstOrThrow({ where: { bsuid: "US.13491208655302741918" }, include: { conversations: true } });
  const detail = await conversationDetail(contact.workspaceId, contact.conversations[0]!.id);
  expect(detail?.contact).toMatchObject({ name: "nightowl", number: "US.13491208655302741918" });
});
