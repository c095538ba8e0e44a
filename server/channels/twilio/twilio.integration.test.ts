// A Twilio WhatsApp sender end to end: added in Settings → WhatsApp numbers, a flow bound to
// it answers a signed form-encoded webhook through Twilio's Messages API (a fake Twilio),
// buttons go as numbered options and an option's number is an answer, status callbacks
// update the sent messages, and a forged signature is refused and logged.
import { beforeAll, afterAll, expect, test } from "vitest";
import type { FlowGraph } from "@/flows/schema";
import type { Viewer } from "@/server/auth/session";
import { db } from "@/server/db/client";
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
  twilio = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
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
  const log = await admin.channels.webhooks({ id: channelId });
  expect(log[0]).toMatchObject({ signatureOk: false, httpStatus: 401, problem: expect.stringMatching(/auth token/) });
});
