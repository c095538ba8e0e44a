// The inbox end to end, on the real executor and a fake Graph API: an admin finds a
// conversation by what the contact wrote, takes it over from the bot (whose waiting run is
// cancelled), writes by hand through the channel, and hands it back at a chosen node; the
// transcript shows delivery statuses with Meta's reasons and links bot messages to runs.
import { beforeAll, describe, expect, test } from "vitest";
import type { FlowGraph } from "@/flows/schema";
import { db } from "@/server/db/client";
import { appRouter } from "@/server/trpc/root";
import { seededMember, type Caller } from "../support/callers";
import { eventually, textWebhook, useParley, webhookEnvelope } from "../support/parley";

const parley = useParley();
let admin: Caller;
let adminName: string;

const at = { x: 0, y: 0 };
const bookingFlow: FlowGraph = {
  nodes: [
    { id: "start", type: "trigger", version: 1, config: { match: "keywords", keywords: ["book"] }, position: at },
    { id: "ask_day", type: "ask", version: 1, config: { question: "Which day suits you?", variable: "day" }, position: at },
    { id: "confirm", type: "reply", version: 1, config: { text: "Booked for {{vars.day}}." }, position: at },
  ],
  edges: [
    { id: "1", from: "start", port: "next", to: "ask_day" },
    { id: "2", from: "ask_day", port: "next", to: "confirm" },
  ],
};

beforeAll(async () => {
  await parley.publish("Booking", bookingFlow);
  const member = await seededMember("admin");
  admin = member.caller;
  adminName = member.name;
});

async function conversationOf(waId: string) {
  return eventually(async () => (await db().conversation.findFirst({ where: { contact: { waId } } })) ?? undefined, 10_000, `the conversation with ${waId}`);
}

describe("taking over a conversation", () => {
  const waId = "34666000001";

  test("pauses the bot, sends by hand, and hands back at a chosen node", async () => {
    await parley.postWebhook(textWebhook(waId, "I want to book a table").body);
    await eventually(() => parley.textsTo(waId).length === 1, 15_000, "the question");
    const conversation = await conversationOf(waId);
    await eventually(async () => (await admin.conversations.get({ conversationId: conversation.id })).state === "waiting", 10_000, "the run to wait");

    const found = await admin.conversations.list({ search: "book a TABLE" });
    expect(found.conversations.map((row) => row.id)).toEqual([conversation.id]);
    expect(found.conversations[0]?.match).toBe("I want to book a table");
    expect((await admin.conversations.list({ state: "waiting" })).conversations.map((row) => row.id)).toContain(conversation.id);

    await expect(admin.conversations.send({ conversationId: conversation.id, message: { text: "Hello from a person" } })).rejects.toThrow(/Take the conversation over first/);

    const { cancelledRunId } = await admin.conversations.takeOver({ conversationId: conversation.id });
    expect(cancelledRunId).not.toBeNull();
    expect((await db().flowRun.findUniqueOrThrow({ where: { id: cancelledRunId! } })).status).toBe("cancelled");
    const taken = await admin.conversations.get({ conversationId: conversation.id });
    expect(taken.state).toBe("handed_off");
    expect(taken.handoff?.by).toBe(adminName);

    // The contact's answer goes to the person now: no run takes it, the bot says nothing.
    await parley.postWebhook(textWebhook(waId, "Friday, but can I bring a dog?").body);
    await eventually(async () => (await db().message.findFirst({ where: { text: "Friday, but can I bring a dog?" } })) ?? undefined, 5_000, "the answer stored");
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(parley.textsTo(waId)).toEqual(["Which day suits you?"]);
    expect(await db().flowRun.count({ where: { conversationId: conversation.id } })).toBe(1);

    const clientKey = crypto.randomUUID();
    await admin.conversations.send({ conversationId: conversation.id, message: { text: "Dogs are welcome!", clientKey } });
    // The same key again (a double click, a retried request) sends nothing more.
    await admin.conversations.send({ conversationId: conversation.id, message: { text: "Dogs are welcome!", clientKey } });
    expect(parley.textsTo(waId)).toEqual(["Which day suits you?", "Dogs are welcome!"]);
    const manual = (await admin.conversations.get({ conversationId: conversation.id })).messages.at(-1);
    expect(manual).toMatchObject({ direction: "outbound", text: "Dogs are welcome!", sentBy: adminName, status: "sent", runId: null });

    const { runId } = await admin.conversations.handBack({ conversationId: conversation.id, to: { kind: "continue_at", runId: cancelledRunId!, nodeId: "ask_day" } });
    expect(runId).not.toBeNull();
    // The bot asks again instead of taking what the contact told the person as the answer.
    await eventually(() => parley.textsTo(waId).length === 3, 15_000, "the question asked again");
    expect(parley.textsTo(waId)[2]).toBe("Which day suits you?");
    await parley.postWebhook(textWebhook(waId, "Friday").body);
    await eventually(() => parley.textsTo(waId).length === 4, 15_000, "the booking");
    expect(parley.textsTo(waId)[3]).toBe("Booked for Friday.");
    const resumed = await db().flowRun.findUniqueOrThrow({ where: { id: runId! } });
    expect(resumed).toMatchObject({ resumedFromRunId: cancelledRunId, resumedAtNodeId: "ask_day" });

    const actions = await db().auditLog.findMany({ where: { target: conversation.id }, orderBy: { createdAt: "asc" }, select: { action: true } });
    expect(actions.map((entry) => entry.action)).toEqual(["conversation.take_over", "conversation.hand_back"]);
    await expect(admin.conversations.handBack({ conversationId: conversation.id })).rejects.toThrow(/not handed off/);
  });

  test("a hand-back to the next message starts no run until the contact writes", async () => {
    const other = "34666000002";
    await parley.postWebhook(textWebhook(other, "book please").body);
    await eventually(() => parley.textsTo(other).length === 1, 15_000, "the question");
    const conversation = await conversationOf(other);
    await admin.conversations.takeOver({ conversationId: conversation.id });
    const { runId } = await admin.conversations.handBack({ conversationId: conversation.id });
    expect(runId).toBeNull();
    expect((await admin.conversations.get({ conversationId: conversation.id })).state).toBe("closed");
    await parley.postWebhook(textWebhook(other, "book again").body);
    await eventually(() => parley.textsTo(other).length === 2, 15_000, "a new run's question");
  });
});

describe("the transcript", () => {
  test("shows delivery statuses with Meta's reason for a failure, and links bot messages to their run and node", async () => {
    const waId = "34666000003";
    await parley.postWebhook(textWebhook(waId, "book").body);
    await eventually(() => parley.textsTo(waId).length === 1, 15_000, "the question");
    const conversation = await conversationOf(waId);
    const sent = parley.graph.requests.find((request) => request.body.to === waId && request.body.type === "text")!;
    await parley.postWebhook(
      webhookEnvelope({
        statuses: [
          {
            id: sent.wamid,
            recipient_id: waId,
            status: "failed",
            timestamp: String(Math.floor(Date.now() / 1000)),
            errors: [{ code: 131026, title: "Message undeliverable", message: "Message undeliverable" }],
          },
        ],
      }),
    );
    const question = await eventually(async () => {
      const shown = (await admin.conversations.get({ conversationId: conversation.id })).messages.find((message) => message.text === "Which day suits you?");
      return shown?.status === "failed" ? shown : undefined;
    }, 10_000, "the failed status");
    expect(question.error?.code).toBe(131026);
    expect(question.error?.meaning).toMatch(/not on WhatsApp/);
    expect(question.nodeId).toBe("ask_day");
    const run = await db().flowRun.findFirstOrThrow({ where: { conversationId: conversation.id } });
    expect(question.runId).toBe(run.id);
    const inbound = (await admin.conversations.get({ conversationId: conversation.id })).messages[0];
    expect(inbound).toMatchObject({ direction: "inbound", text: "book", runId: run.id });
  });

  test("refuses a manual message outside the 24-hour window, before reaching WhatsApp", async () => {
    const waId = "34666000004";
    await parley.postWebhook(textWebhook(waId, "book").body);
    await eventually(() => parley.textsTo(waId).length === 1, 15_000, "the question");
    const conversation = await conversationOf(waId);
    await admin.conversations.takeOver({ conversationId: conversation.id });
    await db().conversation.update({ where: { id: conversation.id }, data: { lastInboundAt: new Date(Date.now() - 25 * 3_600_000) } });
    expect((await admin.conversations.get({ conversationId: conversation.id })).window.open).toBe(false);
    const before = parley.graph.requests.length;
    await expect(admin.conversations.send({ conversationId: conversation.id, message: { text: "Are you still there?" } })).rejects.toThrow(/24 hours/);
    expect(parley.graph.requests.length).toBe(before);
    const refused = await db().message.findFirstOrThrow({ where: { text: "Are you still there?" } });
    expect(refused.status).toBe("failed");
  });
});

test("the inbox leaves out the studio's test conversations and other workspaces' conversations", async () => {
  // A conversation the studio's test panel runs on: pinned to a test-only version of a flow.
  const flow = await db().flow.findFirstOrThrow({ where: { name: "Booking" } });
  const testVersion = await db().flowVersion.create({ data: { flowId: flow.id, number: -1, graph: bookingFlow as object, testOnly: true } });
  const tested = await conversationOf("34666000004");
  await db().conversation.update({ where: { id: tested.id }, data: { testFlowVersionId: testVersion.id } });
  const all = await admin.conversations.list({ limit: 100 });
  expect(all.conversations.length).toBeGreaterThan(0);
  expect(all.conversations.map((row) => row.id)).not.toContain(tested.id);
  await expect(admin.conversations.get({ conversationId: tested.id })).rejects.toThrow(/No such conversation/);

  const elsewhere = await db().workspace.create({ data: { name: "Elsewhere", slug: "elsewhere" } });
  const stranger = appRouter.createCaller({ viewer: { userId: "nobody", email: "x@example.com", workspaceId: elsewhere.id, role: "owner" } });
  expect((await stranger.conversations.list({})).conversations).toEqual([]);
  const someone = all.conversations[0]!;
  await expect(stranger.conversations.get({ conversationId: someone.id })).rejects.toThrow(/No such conversation/);
  await expect(stranger.conversations.takeOver({ conversationId: someone.id })).rejects.toThrow(/No such conversation/);
});
