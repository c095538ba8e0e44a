// Broadcasts on the real path (tRPC → executor → sendMessage → fake Graph API → status
// webhooks): who is reached and who is skipped and why, personalised parameters, delivery
// read back per recipient, a throttled send retried without a double send, and a cancel
// that stops the sends.
import { beforeAll, describe, expect, test } from "vitest";
import { db } from "@/server/db/client";
import { seededMember, type Caller } from "../support/callers";
import { CHANNEL, eventually, useParley, webhookEnvelope } from "../support/parley";

const parley = useParley();
let admin: Caller;
let channelId: string;
let workspaceId: string;

const WABA = "WABA-BROADCASTS";
const template = (name: string, status: string, body: string) => ({ name, language: "en_US", status, category: "MARKETING", components: [{ type: "BODY", text: body }] });

beforeAll(async () => {
  admin = (await seededMember("admin")).caller;
  const channel = await db().channel.update({ where: { phoneNumberId: CHANNEL.phoneNumberId }, data: { wabaId: WABA } });
  channelId = channel.id;
  workspaceId = channel.workspaceId;
  const shipped = {
    name: "order_shipped",
    language: "en_US",
    status: "APPROVED",
    category: "UTILITY",
    components: [
      { type: "HEADER", format: "IMAGE" },
      { type: "BODY", text: "Hi {{1}}, your order is on its way." },
      { type: "BUTTONS", buttons: [{ type: "URL", text: "Track it", url: "https://shop.example/track/{{1}}" }] },
    ],
  };
  parley.graph.templates.set(WABA, [template("spring_offer", "APPROVED", "Hello {{1}}! This week only: {{2}} off."), template("loyalty_points", "PENDING", "{{1}} points"), shipped]);
  await admin.channels.refreshTemplates({ channelId });
});

async function contact(waId: string, tags: string[], extra: { name?: string; optedOutAt?: Date } = {}) {
  return db().contact.create({ data: { workspaceId, waId, tags, ...extra } });
}

const templateSendsTo = (waId: string) => parley.graph.requests.filter((request) => request.body.to === waId && request.body.type === "template");
const parametersOf = (request: { body: Record<string, unknown> }) =>
  ((request.body.template as { components: { parameters: { text: string }[] }[] }).components[0]?.parameters ?? []).map((parameter) => parameter.text);

async function finished(id: string) {
  return eventually(async () => {
    const detail = await admin.broadcasts.get({ id });
    return detail.status !== "sending" ? detail : undefined;
  }, 20_000, "the broadcast to finish");
}

function statusWebhook(wamid: string, to: string, status: string, errors?: unknown[]) {
  return webhookEnvelope({ statuses: [{ id: wamid, recipient_id: to, status, timestamp: String(Math.floor(Date.now() / 1000)), ...(errors ? { errors } : {}) }] });
}

describe("a broadcast to a tag", () => {
  let broadcastId: string;

  test("the preview counts who will receive it and who is skipped, and why", async () => {
    const ana = await contact("34688000001", [], { name: "Ana" });
    await admin.conversations.setContactTags({ contactId: ana.id, tags: ["VIP ", "vip"] });
    expect((await db().contact.findUniqueOrThrow({ where: { id: ana.id } })).tags).toEqual(["vip"]);
    await contact("34688000002", ["vip", "promo"]);
    await contact("34688000003", ["vip"], { name: "Carla", optedOutAt: new Date() });
    await contact("34688000004", ["vip"], { name: "Dani" });
    await contact("34688000005", ["other"], { name: "Eva" });
    const rules = await admin.channels.contactRules({ id: channelId });
    await admin.channels.saveContactRules({ id: channelId, rules: { ...rules, blocklist: ["34688000004"] } });

    expect(await admin.broadcasts.tags()).toEqual(expect.arrayContaining([{ tag: "vip", contacts: 4 }, { tag: "promo", contacts: 1 }]));
    const preview = await admin.broadcasts.preview({ channelId, audience: { kind: "tags", tags: ["vip"] } });
    expect(preview).toEqual({
      total: 4,
      reachable: 2,
      skipped: expect.arrayContaining([
        { reason: "opted out (STOP)", count: 1 },
        { reason: "on this number's blocklist", count: 1 },
      ]),
      tooMany: false,
    });
  });

  test("sends the template once to each reachable contact, personalised, and skips the others", async () => {
    ({ id: broadcastId } = await admin.broadcasts.create({
      name: "Spring offer to VIPs",
      channelId,
      template: { name: "spring_offer", language: "en_US" },
      bodyParameters: ["{{contact.name|friend}}", "20%"],
      audience: { kind: "tags", tags: ["vip"] },
    }));
    const detail = await finished(broadcastId);
    expect(detail.status).toBe("completed");
    expect(templateSendsTo("34688000001").map(parametersOf)).toEqual([["Ana", "20%"]]);
    expect(templateSendsTo("34688000002").map(parametersOf)).toEqual([["friend", "20%"]]);
    expect(templateSendsTo("34688000003")).toEqual([]);
    expect(templateSendsTo("34688000004")).toEqual([]);
    expect(templateSendsTo("34688000005")).toEqual([]);
    expect(detail.counts).toMatchObject({ sent: 2, skipped: 2, queued: 0, failed: 0 });
    expect(detail.recipients.find((recipient) => recipient.waId === "34688000003")).toMatchObject({ state: "skipped", reason: "opted out (STOP)" });
    expect(await db().auditLog.count({ where: { action: "broadcast.create", target: broadcastId } })).toBe(1);
    // The messages are in the contacts' conversations, as any other sent message, and the inbox shows what the contact read.
    const conversation = await db().conversation.findFirstOrThrow({ where: { channelId, contact: { waId: "34688000001" } } });
    const transcript = await admin.conversations.get({ conversationId: conversation.id });
    expect(transcript.messages.map((message) => [message.type, message.text])).toEqual([["template", "Hello Ana! This week only: 20% off."]]);
  });

  test("delivery, reading and failures come back per recipient from the status webhooks", async () => {
    const [toAna] = templateSendsTo("34688000001");
    const [toSecond] = templateSendsTo("34688000002");
    await parley.postWebhook(statusWebhook(toAna!.wamid, "34688000001", "delivered"));
    await parley.postWebhook(statusWebhook(toAna!.wamid, "34688000001", "read"));
    await parley.postWebhook(statusWebhook(toSecond!.wamid, "34688000002", "failed", [{ code: 131026, title: "Message undeliverable" }]));
    const detail = await eventually(async () => {
      const current = await admin.broadcasts.get({ id: broadcastId });
      return current.counts.read === 1 && current.counts.failed === 1 ? current : undefined;
    }, 10_000, "the statuses to count");
    expect(detail.counts).toMatchObject({ sent: 0, delivered: 0, read: 1, failed: 1, skipped: 2 });
    const failed = await admin.broadcasts.get({ id: broadcastId, state: "failed" });
    expect(failed.recipients).toEqual([expect.objectContaining({ waId: "34688000002", state: "failed", reason: expect.stringMatching(/.+/) })]);
    expect((await admin.broadcasts.list()).find((broadcast) => broadcast.id === broadcastId)?.counts).toMatchObject({ read: 1, failed: 1, skipped: 2 });
  });

  test("a contact who says STOP after the broadcast is written is skipped at the send", async () => {
    for (const waId of ["34688000006", "34688000007", "34688000008"]) await contact(waId, ["late"], { name: `Late ${waId}` });
    // One send a second: the last recipient's turn comes two seconds after the first.
    await db().channel.update({ where: { id: channelId }, data: { messagesPerSecond: 1 } });
    const { id } = await admin.broadcasts.create({
      name: "Late",
      channelId,
      template: { name: "spring_offer", language: "en_US" },
      bodyParameters: ["{{contact.name}}", "10%"],
      audience: { kind: "tags", tags: ["late"] },
    });
    const last = await db().broadcastRecipient.findFirstOrThrow({ where: { broadcastId: id }, orderBy: { id: "desc" }, include: { contact: true } });
    await db().contact.update({ where: { id: last.contactId }, data: { optedOutAt: new Date() } });
    const detail = await finished(id);
    await db().channel.update({ where: { id: channelId }, data: { messagesPerSecond: 80 } });
    expect(detail.counts).toMatchObject({ sent: 2, skipped: 1 });
    expect(templateSendsTo(last.contact.waId!)).toEqual([]);
    expect(detail.recipients.find((recipient) => recipient.waId === last.contact.waId)).toMatchObject({ state: "skipped", reason: "opted out (STOP)" });
  });
});

describe("templates with a media header and a link button", () => {
  const shipped = { template: { name: "order_shipped", language: "en_US" }, bodyParameters: ["{{contact.name|there}}"], audience: { kind: "tags" as const, tags: ["shipped"] } };

  test("the header's media and the button's link ending go out with each send, personalised", async () => {
    await contact("34688500001", ["shipped"], { name: "Olga" });
    const { id } = await admin.broadcasts.create({
      name: "Shipped",
      channelId,
      ...shipped,
      headerParameter: "https://cdn.example.com/parcels/box.jpg",
      buttonParameters: [{ index: 0, value: "olga-{{contact.phone}}" }],
    });
    expect((await finished(id)).counts).toMatchObject({ sent: 1, failed: 0 });
    const [sent] = templateSendsTo("34688500001");
    expect((sent!.body.template as { components: unknown[] }).components).toEqual([
      { type: "header", parameters: [{ type: "image", image: { link: "https://cdn.example.com/parcels/box.jpg" } }] },
      { type: "body", parameters: [{ type: "text", text: "Olga" }] },
      { type: "button", sub_type: "url", index: "0", parameters: [{ type: "text", text: "olga-+34688500001" }] },
    ]);
  });

  test("a missing header or link ending is refused before anything is sent, saying what is missing", async () => {
    await expect(admin.broadcasts.create({ name: "x", channelId, ...shipped, buttonParameters: [{ index: 0, value: "a" }] })).rejects.toThrow(
      "Template “order_shipped” has a media header (image): give the public https link to the image.",
    );
    await expect(admin.broadcasts.create({ name: "x", channelId, ...shipped, headerParameter: "https://cdn.example.com/a.jpg" })).rejects.toThrow(
      "Template “order_shipped” has a link button “Track it” whose link ends with {{1}}: give that ending.",
    );
    await expect(admin.broadcasts.create({ name: "x", channelId, ...shipped, headerParameter: "a picture", buttonParameters: [{ index: 0, value: "a" }] })).rejects.toThrow(
      "its parameter must be a public https link",
    );
  });
});

describe("scheduled broadcasts", () => {
  const spring = { template: { name: "spring_offer", language: "en_US" }, bodyParameters: ["{{contact.name|there}}", "9%"] };

  test("wait for their time without holding up the number, then send; cancelled, they send nothing", async () => {
    await contact("34688400001", ["later"], { name: "Later" });
    await contact("34688400002", ["far"], { name: "Far" });
    await contact("34688400003", ["now"], { name: "Now" });
    const soon = await admin.broadcasts.create({ name: "Soon", channelId, ...spring, audience: { kind: "tags", tags: ["later"] }, scheduledFor: new Date(Date.now() + 3_000) });
    const far = await admin.broadcasts.create({ name: "Far", channelId, ...spring, audience: { kind: "tags", tags: ["far"] }, scheduledFor: new Date(Date.now() + 3_600_000) });
    expect((await admin.broadcasts.get({ id: soon.id })).status).toBe("scheduled");

    // Another broadcast on the number goes out at once: the sleeping ones do not take its turn.
    const now = await admin.broadcasts.create({ name: "Now", channelId, ...spring, audience: { kind: "tags", tags: ["now"] } });
    expect((await finished(now.id)).status).toBe("completed");
    expect(templateSendsTo("34688400003")).toHaveLength(1);
    expect(templateSendsTo("34688400001")).toEqual([]);

    const sent = await eventually(async () => {
      const detail = await admin.broadcasts.get({ id: soon.id });
      return detail.status === "completed" ? detail : undefined;
    }, 20_000, "the scheduled broadcast to send");
    expect(sent.counts).toMatchObject({ sent: 1, queued: 0 });
    expect(templateSendsTo("34688400001")).toHaveLength(1);

    await admin.broadcasts.cancel({ id: far.id });
    expect((await admin.broadcasts.get({ id: far.id })).counts).toMatchObject({ cancelled: 1, queued: 0 });
    expect(templateSendsTo("34688400002")).toEqual([]);
  });

  test("a time in the past, or more than 30 days ahead, is refused", async () => {
    const audience = { kind: "tags" as const, tags: ["vip"] };
    await expect(admin.broadcasts.create({ name: "Past", channelId, ...spring, audience, scheduledFor: new Date(Date.now() - 60_000) })).rejects.toThrow("Schedule it between now and 30 days from now.");
    await expect(admin.broadcasts.create({ name: "Far", channelId, ...spring, audience, scheduledFor: new Date(Date.now() + 31 * 86_400_000) })).rejects.toThrow("Schedule it between now and 30 days from now.");
  });
});

describe("refusals before anything is sent", () => {
  const base = { name: "x", channelId, bodyParameters: ["a", "b"], audience: { kind: "tags" as const, tags: ["vip"] } };

  test("a template that is not approved, a wrong parameter count, or an empty audience is refused with the reason", async () => {
    await expect(admin.broadcasts.create({ ...base, channelId, template: { name: "loyalty_points", language: "en_US" }, bodyParameters: ["a"] })).rejects.toThrow(
      "Template “loyalty_points” is pending: WhatsApp only sends approved templates.",
    );
    await expect(admin.broadcasts.create({ ...base, channelId, template: { name: "spring_offer", language: "en_US" }, bodyParameters: ["a"] })).rejects.toThrow(
      "Template “spring_offer” takes 2 parameter(s); 1 given.",
    );
    await expect(admin.broadcasts.create({ ...base, channelId, template: { name: "spring_offer", language: "en_US" }, audience: { kind: "tags", tags: ["nobody-has-this"] } })).rejects.toThrow(
      "No contact matches this audience.",
    );
    await expect(admin.broadcasts.create({ ...base, channelId, template: { name: "spring_offer", language: "en_US" }, bodyParameters: ["{{contact.email}}", "b"] })).rejects.toThrow(
      "{{contact.email}} is not known",
    );
    const editor = (await seededMember("editor")).caller;
    await expect(editor.broadcasts.create({ ...base, channelId, template: { name: "spring_offer", language: "en_US" } })).rejects.toThrow("This needs the admin role");
  });
});

describe("pacing, retries and cancelling", () => {
  test("a list of numbers, with a throttled send retried: everyone gets exactly one message", async () => {
    parley.graph.refuseNext({ status: 400, code: 130429, message: "(#130429) Rate limit hit" }, 2);
    const numbers = ["+34 688 100 001", "34688100002", "34688100003"];
    const { id } = await admin.broadcasts.create({
      name: "List",
      channelId,
      template: { name: "spring_offer", language: "en_US" },
      bodyParameters: ["{{contact.name|there}}", "5%"],
      audience: { kind: "numbers", numbers },
    });
    const detail = await finished(id);
    expect(detail.counts).toMatchObject({ sent: 3, failed: 0 });
    for (const waId of ["34688100001", "34688100002", "34688100003"]) expect(templateSendsTo(waId)).toHaveLength(1);
    expect(parley.graph.refused.filter((refusal) => refusal.refusal.code === 130429)).toHaveLength(2);
    // Numbers that were no contact yet became contacts.
    expect(await db().contact.count({ where: { workspaceId, waId: { in: ["34688100001", "34688100002", "34688100003"] } } })).toBe(3);
  });

  test("a list of 40,000 numbers (more than one statement can bind) is previewed and written whole", { timeout: 120_000 }, async () => {
    const numbers = Array.from({ length: 40_000 }, (_, i) => `3469${String(i).padStart(7, "0")}`);
    const preview = await admin.broadcasts.preview({ channelId, audience: { kind: "numbers", numbers } });
    expect(preview).toMatchObject({ total: 40_000, reachable: 40_000, tooMany: false });
    // Paced to a crawl, and cancelled at once: this is about writing it, not sending it.
    await db().channel.update({ where: { id: channelId }, data: { messagesPerSecond: 1 } });
    const { id } = await admin.broadcasts.create({ name: "Big list", channelId, template: { name: "spring_offer", language: "en_US" }, bodyParameters: ["{{contact.name|there}}", "5%"], audience: { kind: "numbers", numbers } });
    await admin.broadcasts.cancel({ id });
    await db().channel.update({ where: { id: channelId }, data: { messagesPerSecond: 80 } });
    expect(await db().broadcastRecipient.count({ where: { broadcastId: id } })).toBe(40_000);
    expect(await db().contact.count({ where: { workspaceId, waId: { startsWith: "3469" } } })).toBe(40_000);
  });

  test("a broadcast whose function gives up marks those not reached yet as failed, with why", async () => {
    await db().channel.update({ where: { id: channelId }, data: { messagesPerSecond: 1 } });
    for (let i = 0; i < 5; i++) await contact(`3468830000${i}`, ["given-up"], { name: `Given up ${i}` });
    const { id } = await admin.broadcasts.create({ name: "Given up", channelId, template: { name: "spring_offer", language: "en_US" }, bodyParameters: ["{{contact.name}}", "1%"], audience: { kind: "tags", tags: ["given-up"] } });
    const { abandonBroadcast } = await import("@/server/broadcasts/send");
    await abandonBroadcast(id, "PostgreSQL went away");
    await db().channel.update({ where: { id: channelId }, data: { messagesPerSecond: 80 } });
    const detail = await admin.broadcasts.get({ id, state: "failed" });
    expect(detail.status).toBe("completed");
    expect(detail.counts.queued).toBe(0);
    expect(detail.recipients.length).toBeGreaterThan(0);
    expect(detail.recipients.every((recipient) => recipient.reason === "The broadcast stopped: PostgreSQL went away")).toBe(true);
  });

  test("cancelling stops the sends: every recipient is either sent or cancelled, and nothing goes out after", async () => {
    await db().channel.update({ where: { id: channelId }, data: { messagesPerSecond: 4 } });
    for (let i = 0; i < 30; i++) await contact(`3468820${String(i).padStart(4, "0")}`, ["bulk"], { name: `Bulk ${i}` });
    const { id } = await admin.broadcasts.create({
      name: "Bulk",
      channelId,
      template: { name: "spring_offer", language: "en_US" },
      bodyParameters: ["{{contact.name}}", "1%"],
      audience: { kind: "tags", tags: ["bulk"] },
    });
    const bulkSends = () => parley.graph.requests.filter((request) => String(request.body.to).startsWith("3468820")).length;
    await eventually(() => bulkSends() >= 3, 15_000, "the first sends");
    await admin.broadcasts.cancel({ id });
    await expect(admin.broadcasts.cancel({ id })).rejects.toThrow("This broadcast has already finished.");
    expect((await finished(id)).status).toBe("cancelled");
    // A send already under way when the cancel came finishes, and is recorded as sent.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const detail = await admin.broadcasts.get({ id });
    const sentAfterCancel = bulkSends();
    expect(sentAfterCancel).toBeLessThan(30);
    expect(detail.counts.sent + detail.counts.delivered + detail.counts.read).toBe(sentAfterCancel);
    expect(detail.counts.cancelled).toBe(30 - sentAfterCancel);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(bulkSends()).toBe(sentAfterCancel);
    await db().channel.update({ where: { id: channelId }, data: { messagesPerSecond: 80 } });
  });
});
