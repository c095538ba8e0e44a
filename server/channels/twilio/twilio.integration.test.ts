// A Twilio WhatsApp sender end to end: added in Settings → WhatsApp numbers, a flow bound to
// it answers a signed form-encoded webhook through Twilio's Messages API (a fake Twilio),
// buttons go as numbered options and an option's number is an answer, status callbacks
// update the sent messages, a forged signature is refused and logged, and the account's
// Content API templates are listed for the number and sent as ContentSid, by a broadcast and
// by the reply node's "window closed" fallback.
import { beforeAll, afterAll, describe, expect, test } from "vitest";
import type { FlowGraph } from "@/flows/schema";
import type { Viewer } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { createApiKey } from "@/server/security/api-keys";
import { appRouter } from "@/server/trpc/root";
import { startFakeTwilio, twilioWebhook, type FakeTwilio } from "../../../tests/support/fake-twilio";
import { eventually, useParley } from "../../../tests/support/parley";

const ACCOUNT_SID = `AC${"0123456789abcdef".repeat(2)}`;
const AUTH_TOKEN = "twilio-auth-token-for-tests";
const SENDER = "14155238886";

const at = { x: 0, y: 0 };
const sizes: FlowGraph = {
  nodes: [
    { id: "start", type: "trigger", version: 1, config: { match: "keywords", keywords: ["size"] }, position: at },
    {
      id: "pick",
      type: "ask",
      version: 1,
      config: { kind: "choice", question: "Which size?", variable: "size", choices: [{ id: "s", title: "Small" }, { id: "m", title: "Medium" }, { id: "l", title: "Large" }] },
      position: at,
    },
    { id: "done", type: "reply", version: 1, config: { text: "{{nodes.pick.title}} it is." }, position: at },
  ],
  edges: [
    { id: "e1", from: "start", port: "next", to: "pick" },
    ...["s", "m", "l"].map((port) => ({ id: `e-${port}`, from: "pick", port, to: "done" })),
  ],
};

const parley = useParley();
let twilio: FakeTwilio;
let admin: ReturnType<typeof appRouter.createCaller>;
let channelId: string;

beforeAll(async () => {
  // Two templates a page, so listing them follows Twilio's next_page_url.
  twilio = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, contentPageSize: 2 });
  const membership = await db().membership.findFirstOrThrow({ include: { user: true } });
  const viewer: Viewer = { userId: membership.userId, email: membership.user.email, workspaceId: membership.workspaceId, role: "admin" };
  admin = appRouter.createCaller({ viewer });
  channelId = (await admin.channels.save({ name: "Twilio sandbox", provider: "twilio", phoneNumberId: "+1 415 523 8886", accountId: ACCOUNT_SID, accessToken: AUTH_TOKEN, graphBaseUrl: twilio.url })).id;
  const { flowId } = await parley.publish("Sizes on Twilio", sizes);
  await admin.channels.setFlows({ id: channelId, flowIds: [flowId] });
});
afterAll(() => twilio?.close());

const webhookUrl = () => `${parley.url}/api/webhooks/twilio`;
const post = (params: Record<string, string>, token = AUTH_TOKEN) => {
  const { body, headers } = twilioWebhook(webhookUrl(), token, params);
  return fetch(webhookUrl(), { method: "POST", headers, body });
};
let sids = 0;
const incoming = (from: string, body: string) =>
  post({ MessageSid: `SMin${++sids}`, AccountSid: ACCOUNT_SID, From: `whatsapp:+${from}`, To: `whatsapp:+${SENDER}`, Body: body, WaId: from, ProfileName: "Jon", NumMedia: "0", SmsStatus: "received", MessageType: "text" });
const sentTo = (to: string) => twilio.messages.filter((m) => m.form.To === `whatsapp:+${to}`);

test("the settings keep the number as its digits, the auth token as both secrets, and the credentials test asks Twilio", async () => {
  const channel = (await admin.channels.list()).find((c) => c.id === channelId)!;
  expect(channel).toMatchObject({ provider: "twilio", providerTitle: "Twilio", phoneNumberId: SENDER, accountId: ACCOUNT_SID, callbackUrl: expect.stringMatching(/\/api\/webhooks\/twilio$/), verifyToken: null });
  expect(JSON.stringify(channel)).not.toContain(AUTH_TOKEN);
  expect(await admin.channels.testToken({ id: channelId })).toMatchObject({ ok: true, verifiedName: "Parley test account" });
});

test("a signed incoming message starts the flow; the question goes out through the Messages API with numbered options, and “2” answers it", async () => {
  const contact = "34611000001";
  const response = await incoming(contact, "size please");
  expect(response.status).toBe(200);
  expect(await response.text()).toBe("<Response/>");
  await eventually(() => sentTo(contact).length === 1, 15_000, "the question");
  expect(sentTo(contact)[0]!.form).toMatchObject({ From: `whatsapp:+${SENDER}`, To: `whatsapp:+${contact}`, Body: "Which size?\n\n1. Small\n2. Medium\n3. Large" });
  // The contact's message was marked read with "typing…" through Twilio's typing indicator before the answer.
  expect(twilio.typingIndicators).toEqual([`SMin${sids}`]);
  await incoming(contact, "2");
  await eventually(() => sentTo(contact).length === 2, 15_000, "the answer");
  expect(sentTo(contact)[1]!.form.Body).toBe("Medium it is.");
  expect(twilio.typingIndicators).toEqual([`SMin${sids - 1}`, `SMin${sids}`]);
  const stored = await db().message.findMany({ where: { channelId, direction: "outbound" }, orderBy: { seq: "asc" } });
  expect(stored.map((m) => m.wamid)).toEqual(sentTo(contact).map((m) => m.sid));
});

test("Twilio's rate limits (a 429 from its API, the sender's 63018) are waited out: the question goes out once", async () => {
  const contact = "34611000002";
  twilio.refuseNext({ status: 429, code: 20429, message: "Too Many Requests" });
  twilio.refuseNext({ status: 429, code: 63018, message: `Account ${ACCOUNT_SID} exceeded the 1 rps rate limit` });
  await incoming(contact, "size");
  await eventually(() => sentTo(contact).length === 1, 20_000, "the question after two refusals");
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(sentTo(contact)).toHaveLength(1);
  const question = await eventually(async () => (await db().message.findFirst({ where: { channelId, direction: "outbound", wamid: sentTo(contact)[0]!.sid } })) ?? undefined, 5_000, "the stored question");
  expect(question).toMatchObject({ status: "sent", error: null });
});

test("status callbacks move the sent message forward; an undelivered one fails with its meaning", async () => {
  const contact = "34611000001";
  const [question, answer] = sentTo(contact);
  const status = (sid: string, params: Record<string, string>) => post({ MessageSid: sid, AccountSid: ACCOUNT_SID, From: `whatsapp:+${SENDER}`, To: `whatsapp:+${contact}`, ...params });
  expect((await status(question!.sid, { MessageStatus: "read", SmsStatus: "read" })).status).toBe(200);
  expect((await status(question!.sid, { MessageStatus: "delivered", SmsStatus: "delivered" })).status).toBe(200);
  expect((await status(answer!.sid, { MessageStatus: "undelivered", ErrorCode: "63016" })).status).toBe(200);
  expect(await db().message.findUniqueOrThrow({ where: { wamid: question!.sid } })).toMatchObject({ status: "read" });
  expect(await db().message.findUniqueOrThrow({ where: { wamid: answer!.sid } })).toMatchObject({ status: "failed", error: { code: 63016, kind: "window_closed" } });
});

test("a webhook signed with another token is refused, stores nothing, and shows in the number's last webhooks", async () => {
  const response = await post({ MessageSid: "SMforged", AccountSid: ACCOUNT_SID, From: "whatsapp:+34611000009", To: `whatsapp:+${SENDER}`, Body: "size" }, "not-the-auth-token");
  expect(response.status).toBe(401);
  expect(await db().message.findUnique({ where: { wamid: "SMforged" } })).toBeNull();
  // The log is written beside the answer, not before it.
  const refused = await eventually(async () => (await admin.channels.webhooks({ id: channelId })).find((delivery) => !delivery.signatureOk), 10_000, "the refusal logged");
  expect(refused).toMatchObject({ signatureOk: false, httpStatus: 401, problem: expect.stringMatching(/auth token/) });
});

describe("templates from Twilio's Content API", () => {
  const shipped = {
    sid: `HX${"a1".repeat(16)}`,
    friendly_name: "Order shipped (card)",
    language: "en",
    types: {
      "twilio/text": { body: "Hi {{1}}, order {{2}} is on its way." },
      "whatsapp/card": {
        body: "Hi {{1}}, order {{2}} is on its way.",
        media: ["https://cdn.shop.example/parcels/{{3}}"],
        actions: [{ type: "URL", title: "Track it", url: "https://shop.example/track/{{4}}" }],
      },
    },
    approval: { name: "order_shipped", category: "UTILITY", status: "approved" },
  };

  // The shop tells Parley an order shipped: the free-form note cannot reach a contact outside the window, the template can.
  const shippingNotice: FlowGraph = {
    nodes: [
      { id: "start", type: "api_event", version: 1, config: { event: "order.shipped" }, position: at },
      { id: "note", type: "reply", version: 1, config: { text: "Order {{trigger.data.order}} is on its way." }, position: at },
      {
        id: "template",
        type: "reply",
        version: 1,
        config: {
          kind: "template",
          templateName: "order_shipped",
          language: "en",
          parameters: ["{{contact.name | default: 'there'}}", "{{trigger.data.order}}"],
          headerFormat: "image",
          headerParameter: "https://cdn.shop.example/parcels/{{trigger.data.order}}.jpg",
          buttonParameters: [{ index: 0, subType: "url", value: "{{trigger.data.order}}" }],
        },
        position: at,
      },
    ],
    edges: [
      { id: "e1", from: "start", port: "next", to: "note" },
      { id: "e2", from: "note", port: "window_closed", to: "template" },
    ],
  };

  beforeAll(async () => {
    const { flowId } = await parley.publish("Shipping notice on Twilio", shippingNotice);
    const bound = (await admin.channels.list()).find((c) => c.id === channelId)!.flows.map((flow) => flow.id);
    await admin.channels.setFlows({ id: channelId, flowIds: [...bound, flowId] });
    twilio.contents.push(
      shipped,
      { sid: `HX${"c3".repeat(16)}`, friendly_name: "draft_never_submitted", language: "en", types: { "twilio/text": { body: "Draft" } } },
      // On the second page.
      { sid: `HX${"b2".repeat(16)}`, friendly_name: "spring_offer", language: "en", types: { "twilio/text": { body: "Hello {{1}}! {{2}} off." } }, approval: { name: "spring_offer", category: "MARKETING", status: "pending" } },
      { sid: `HX${"d4".repeat(16)}`, friendly_name: "pick_a_slot", language: "en", types: { "twilio/list-picker": { body: "Pick one", button: "Slots", items: [] } }, approval: { name: "pick_a_slot", category: "UTILITY", status: "approved" } },
    );
  });

  test("the number lists the templates submitted to WhatsApp, with their status and the parameters they take", async () => {
    expect((await admin.channels.list()).find((c) => c.id === channelId)).toMatchObject({ templatesReady: true });
    const { templates, problems } = await admin.channels.refreshTemplates({ channelId });
    expect(problems).toEqual([]);
    expect(templates.map((t) => [t.name, t.status])).toEqual([
      ["order_shipped", "APPROVED"],
      ["spring_offer", "PENDING"],
    ]);
    expect(templates[0]).toMatchObject({
      language: "en",
      category: "UTILITY",
      bodyText: "Hi {{1}}, order {{2}} is on its way.",
      bodyParameters: 2,
      header: { format: "image" },
      buttons: [{ index: 0, subType: "url", text: "Track it", required: true }],
    });
  });

  async function broadcastShipped(contact: string, headerParameter: string) {
    const { id } = await admin.broadcasts.create({
      name: `Shipped to ${contact}`,
      channelId,
      template: { name: "order_shipped", language: "en" },
      bodyParameters: ["{{contact.name|friend}}", "A-17"],
      headerParameter,
      buttonParameters: [{ index: 0, value: "A-17" }],
      audience: { kind: "numbers", numbers: [contact] },
    });
    return eventually(async () => {
      const detail = await admin.broadcasts.get({ id });
      return detail.status === "completed" ? detail : undefined;
    }, 20_000, "the broadcast to finish");
  }

  test("a broadcast reaches a contact on the Twilio number as the template's ContentSid with its variables", async () => {
    const contact = "34611000020";
    const detail = await broadcastShipped(contact, "https://cdn.shop.example/parcels/a17.jpg");
    expect(detail.counts).toMatchObject({ sent: 1, failed: 0 });
    const [sent, ...more] = sentTo(contact);
    expect(more).toEqual([]);
    expect(sent!.form).toMatchObject({ From: `whatsapp:+${SENDER}`, To: `whatsapp:+${contact}`, ContentSid: shipped.sid });
    expect(JSON.parse(sent!.form.ContentVariables!)).toEqual({ 1: "friend", 2: "A-17", 3: "a17.jpg", 4: "A-17" });
    expect(sent!.form.Body).toBeUndefined();
    expect(await db().message.findUniqueOrThrow({ where: { wamid: sent!.sid } })).toMatchObject({ status: "sent", error: null });
  });

  test("a header link the Content template cannot take fails that recipient with why, and Twilio is not called", async () => {
    const contact = "34611000021";
    const detail = await broadcastShipped(contact, "https://elsewhere.example/a17.jpg");
    expect(detail.counts).toMatchObject({ sent: 0, failed: 1 });
    expect(detail.recipients[0]!.reason).toMatch(/shows the media at https:\/\/cdn\.shop\.example\/parcels\/\{\{3\}\}: give a link of that form/);
    expect(sentTo(contact)).toEqual([]);
  });

  test("the reply node's window-closed fallback reaches a contact who never wrote as the Content template", async () => {
    const contact = "34611000022";
    const workspace = await db().workspace.findFirstOrThrow();
    const { key } = await createApiKey({ workspaceId: workspace.id, name: "Shop", userId: (await db().user.findFirstOrThrow()).id });
    const posted = await fetch(`${parley.url}/api/events`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ event: "order.shipped", to: `+${contact}`, channel: SENDER, data: { order: "B-22" } }),
    });
    expect(posted.status).toBe(202);
    await eventually(() => sentTo(contact).length === 1, 15_000, "the template");
    const [sent] = sentTo(contact);
    expect(sent!.form).toMatchObject({ ContentSid: shipped.sid });
    expect(JSON.parse(sent!.form.ContentVariables!)).toEqual({ 1: "there", 2: "B-22", 3: "B-22.jpg", 4: "B-22" });
    // The note was refused before Twilio, for the closed window.
    const note = await db().message.findFirstOrThrow({ where: { conversation: { contact: { waId: contact } }, nodeId: "note" } });
    expect(note).toMatchObject({ status: "failed", wamid: null, error: { kind: "window_closed" } });
  });
});
