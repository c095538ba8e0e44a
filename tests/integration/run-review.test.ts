// Run review end to end, on the real executor: a run that failed (WhatsApp refused its
// answer) shows in the dead letters, with the undelivered message and Meta's reason, and in
// the runs list's "failed" count, and is retried from the node that failed, keeping what
// the contact had said; a waiting run is cancelled; and a
// recorded run is replayed against an edited draft, which shows where the answers differ.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { FlowGraph } from "@/flows/schema";
import { json, startFakeApi, type FakeApi } from "@/node-packages/examples/fake-api";
import { db } from "@/server/db/client";
import { seededMember, type Caller } from "../support/callers";
import { eventually, textWebhook, useParley } from "../support/parley";

const parley = useParley({ env: { PARLEY_HTTP_ALLOWLIST: "127.0.0.1" } });
let orders: FakeApi;
let admin: Caller;
let flowId: string;

const at = { x: 0, y: 0 };
const orderFlow = (api: string, answer = "Order {{vars.order_id}} is {{vars.order_status}}."): FlowGraph => ({
  nodes: [
    { id: "start", type: "trigger", version: 1, config: { match: "keywords", keywords: ["order"] }, position: at },
    { id: "ask", type: "ask", version: 1, config: { question: "What is your order number?", variable: "order_id" }, position: at },
    {
      id: "fetch_order",
      type: "http",
      version: 1,
      config: { method: "GET", url: `${api}/orders/{{vars.order_id}}`, headers: [], body: "", timeoutMs: 5000, retries: 0, mapping: [{ variable: "order_status", path: "status" }] },
      position: at,
    },
    { id: "answer", type: "reply", version: 1, config: { text: answer }, position: at },
  ],
  edges: [
    { id: "1", from: "start", port: "next", to: "ask" },
    { id: "2", from: "ask", port: "next", to: "fetch_order" },
    { id: "3", from: "fetch_order", port: "next", to: "answer" },
  ],
});

beforeAll(async () => {
  orders = await startFakeApi((request, response) => {
    json(response, 200, { id: request.url.pathname.split("/").at(-1), status: "shipped" });
  });
  ({ flowId } = await parley.publish("Order status", orderFlow(orders.url)));
  const member = await seededMember("admin");
  admin = member.caller;
});

afterAll(async () => {
  await orders?.close();
});

async function runOf(waId: string, status: string) {
  return eventually(
    async () => (await db().flowRun.findFirst({ where: { conversation: { contact: { waId } }, status: status as never }, orderBy: { startedAt: "desc" } })) ?? undefined,
    20_000,
    `a ${status} run for ${waId}`,
  );
}

describe("a failed run", () => {
  const waId = "34655000001";

  test("lands in the dead letters and the failed count, and is retried from the node that failed", async () => {
    await parley.postWebhook(textWebhook(waId, "order").body);
    await eventually(() => parley.textsTo(waId).length === 1, 15_000, "the question");
    parley.graph.refuseNext({ status: 400, code: 131026, message: "Message undeliverable" });
    await parley.postWebhook(textWebhook(waId, "A-1001").body);
    const failed = await runOf(waId, "failed");

    const letters = await admin.runs.deadLetters();
    expect(letters.runs.map((run) => run.id)).toContain(failed.id);
    const undelivered = letters.messages.find((message) => message.runId === failed.id);
    expect(undelivered).toMatchObject({ text: "Order A-1001 is shipped.", nodeId: "answer", error: { code: 131026 } });
    expect(undelivered?.error?.meaning).toMatch(/not on WhatsApp/);
    const listed = await admin.runs.list({ status: "failed", flowId });
    expect(listed.runs.map((run) => run.id)).toEqual([failed.id]);
    expect(listed.counts.failed).toBe(1);
    const detail = await admin.runs.get({ id: failed.id });
    expect(detail.failedNodeId).toBe("answer");
    expect(detail.graph?.nodes.map((node) => node.id)).toContain("answer");

    const { runId } = await admin.runs.retry({ id: failed.id });
    await eventually(() => parley.textsTo(waId).length === 2, 20_000, "the retried run's answer");
    // The order number the contact gave the failed run is still known; the question is not asked again.
    expect(parley.textsTo(waId)).toEqual(["What is your order number?", "Order A-1001 is shipped."]);
    const retried = await runOf(waId, "completed");
    expect(retried.id).toBe(runId);
    expect(retried.resumedFromRunId).toBe(failed.id);
    expect(retried.resumedAtNodeId).toBe("answer");
    const retriedTraces = await db().stepTrace.findMany({ where: { runId }, orderBy: { startedAt: "asc" } });
    expect(retriedTraces.map((trace) => trace.nodeId)).toEqual(["answer"]);
    // The order API was asked once, by the failed run: the retry reused what it answered.
    expect(orders.received.filter((request) => request.path === "/orders/A-1001")).toHaveLength(1);

    expect((await admin.runs.deadLetters()).runs.map((run) => run.id)).not.toContain(failed.id);
    await expect(admin.runs.retry({ id: failed.id })).rejects.toThrow(/already retried/);
    await expect(admin.runs.retry({ id: runId })).rejects.toThrow(/Only failed runs/);
    expect(await db().auditLog.count({ where: { action: "run.retry", target: failed.id } })).toBe(1);
  });
});

describe("a waiting run", () => {
  const waId = "34655000002";

  test("is cancelled: it answers nothing more and the next message starts afresh", async () => {
    await parley.postWebhook(textWebhook(waId, "order").body);
    const waiting = await runOf(waId, "waiting");
    await admin.runs.cancel({ id: waiting.id });
    expect((await db().flowRun.findUniqueOrThrow({ where: { id: waiting.id } })).status).toBe("cancelled");
    await expect(admin.runs.cancel({ id: waiting.id })).rejects.toThrow(/cancelled already/);

    // "B-7" would have been the cancelled run's answer; now it starts a new run (of the demo flow, which takes any message).
    await parley.postWebhook(textWebhook(waId, "B-7").body);
    const next = await eventually(async () => (await db().message.findFirst({ where: { text: "B-7" } }))?.consumedByRunId ?? undefined, 10_000, "a new run to take the message");
    expect(next).not.toBe(waiting.id);
    await eventually(() => parley.textsTo(waId).length > 1, 10_000, "the new run's answer");
    expect(parley.textsTo(waId).filter((text) => text.startsWith("Order"))).toEqual([]);
    expect(await db().auditLog.count({ where: { action: "run.cancel", target: waiting.id } })).toBe(1);
  });
});

describe("replaying a recorded run against the draft", () => {
  const waId = "34655000003";

  test("matches an unchanged draft and shows the message the edited draft answers differently", async () => {
    await parley.postWebhook(textWebhook(waId, "order").body);
    await eventually(() => parley.textsTo(waId).length === 1, 15_000, "the question");
    await parley.postWebhook(textWebhook(waId, "C-3").body);
    const run = await runOf(waId, "completed");
    const sentBefore = parley.graph.requests.length;

    const same = await admin.runs.replay({ id: run.id });
    expect(same.differences).toBe(0);
    expect(same.turns.map((turn) => [turn.heard, turn.recorded, turn.draft])).toEqual([
      ["order", ["What is your order number?"], ["What is your order number?"]],
      ["C-3", ["Order C-3 is shipped."], ["Order C-3 is shipped."]],
    ]);

    await db().flow.update({ where: { id: flowId }, data: { draft: orderFlow(orders.url, "Good news: order {{vars.order_id}} is {{vars.order_status}}!") as object } });
    const changed = await admin.runs.replay({ id: run.id });
    expect(changed.differences).toBe(1);
    expect(changed.turns[1]).toMatchObject({ heard: "C-3", same: false, recorded: ["Order C-3 is shipped."], draft: ["Good news: order C-3 is shipped!"] });
    // A replay sends nothing to the contact and starts no run.
    expect(parley.graph.requests.length).toBe(sentBefore);
    expect(await db().flowRun.count({ where: { conversationId: run.conversationId } })).toBe(1);
  });
});

test("runs are filtered by contact, version and time, with counts per status", async () => {
  const byContact = await admin.runs.list({ contact: "34655000002", flowId });
  expect(byContact.runs.map((run) => run.status)).toEqual(["cancelled"]);
  expect(byContact.counts).toMatchObject({ cancelled: 1, failed: 0, completed: 0 });
  expect((await admin.runs.list({ flowId, version: 1 })).runs.length).toBeGreaterThanOrEqual(4);
  expect((await admin.runs.list({ flowId, version: 2 })).runs).toEqual([]);
  expect((await admin.runs.list({ to: new Date(Date.now() - 86_400_000) })).runs).toEqual([]);
  const firstPage = await admin.runs.list({ flowId, limit: 2 });
  const secondPage = await admin.runs.list({ flowId, limit: 2, cursor: firstPage.nextCursor! });
  expect(new Set([...firstPage.runs, ...secondPage.runs].map((run) => run.id)).size).toBe(4);
});
