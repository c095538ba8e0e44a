// Flow analytics on runs, messages and traces written with known timings: counts per day
// and version, completion and failure rates, where customers stopped answering, time to the
// first reply (median and p95), model tokens and cost; the studio's test runs and other
// workspaces' flows are left out, and viewers may read.
import { randomBytes } from "node:crypto";
import { beforeAll, expect, test } from "vitest";
import type { FlowGraph } from "@/flows/schema";
import { db } from "@/server/db/client";
import { appRouter } from "@/server/trpc/root";
import { useChannelDatabase } from "../support/channel-database";

const channels = useChannelDatabase();
const NOW = new Date("2026-11-20T12:00:00.000Z");
const at = { x: 0, y: 0 };
const graph: FlowGraph = {
  nodes: [
    { id: "start", type: "trigger", version: 1, config: { match: "any" }, position: at },
    { id: "ask_name", type: "ask", version: 1, label: "Ask the name", config: { question: "Your name?", variable: "name" }, position: at },
    { id: "assistant", type: "llm", version: 1, label: "Assistant", config: { system: "Be brief.", prompt: "{{message.text}}" }, position: at },
  ],
  edges: [
    { id: "e1", from: "start", port: "next", to: "ask_name" },
    { id: "e2", from: "ask_name", port: "next", to: "assistant" },
  ],
};
let flowId: string;
let versions: { v1: string; v2: string; test: string };

const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
const daysAgo = (days: number, hour = 10) => new Date(Date.UTC(2026, 10, 20 - days, hour));

/** One run: its trigger message, a first reply after `replyMs`, traces ending at `lastNode`, model calls. */
async function run(input: {
  version: string;
  startedAt: Date;
  status: "completed" | "failed" | "cancelled" | "waiting";
  replyMs?: number;
  lastNode?: string;
  timeoutAt?: string;
  modelCalls?: { inputTokens: number; outputTokens: number; costUsd: number | null }[];
}) {
  const waId = `3460${randomBytes(4).readUInt32BE(0) % 10_000_000}`;
  const { conversationId } = await channels.conversation(waId, input.startedAt);
  const trigger = await db().message.create({
    data: { conversationId, channelId: channels.channelId, direction: "inbound", type: "text", text: "hi", payload: {}, status: "received", createdAt: input.startedAt },
  });
  const created = await db().flowRun.create({
    data: {
      flowId,
      flowVersionId: input.version,
      conversationId,
      triggerMessageId: trigger.id,
      status: input.status,
      startedAt: input.startedAt,
      waitingNodeId: input.status === "waiting" ? (input.lastNode ?? null) : null,
    },
  });
  if (input.replyMs !== undefined) {
    await db().message.create({
      data: {
        conversationId,
        channelId: channels.channelId,
        direction: "outbound",
        type: "text",
        text: "Your name?",
        payload: {},
        status: "delivered",
        runId: created.id,
        createdAt: new Date(input.startedAt.getTime() + input.replyMs - 5),
        sentAt: new Date(input.startedAt.getTime() + input.replyMs),
      },
    });
  }
  const nodes = ["start", input.timeoutAt, input.lastNode].filter((node): node is string => Boolean(node));
  for (const [index, nodeId] of nodes.entries()) {
    const when = new Date(input.startedAt.getTime() + index * 1000);
    await db().stepTrace.create({
      data: {
        runId: created.id,
        key: `${nodeId}#0`,
        nodeId,
        nodeType: nodeId === "assistant" ? "llm" : "ask",
        port: nodeId === input.timeoutAt ? "timeout" : "next",
        startedAt: when,
        endedAt: when,
        ...(nodeId === "assistant" && input.modelCalls
          ? { modelCalls: input.modelCalls.map((usage) => ({ request: {}, result: { usage: { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens }, costUsd: usage.costUsd }, error: null })) }
          : {}),
      },
    });
  }
  return created;
}

beforeAll(async () => {
  const flow = await db().flow.create({ data: { workspaceId: channels.workspaceId, name: "Support", draft: graph as object } });
  flowId = flow.id;
  const version = (number: number, publishedAt: Date, testOnly = false) =>
    db().flowVersion.create({ data: { flowId, number, graph: graph as object, publishedAt, testOnly } });
  const [v1, v2, testVersion] = await Promise.all([version(1, daysAgo(10)), version(2, daysAgo(3)), version(-1, daysAgo(1), true)]);
  versions = { v1: v1.id, v2: v2.id, test: testVersion.id };
  await db().flow.update({ where: { id: flowId }, data: { publishedVersionId: v2.id } });

  // Version 1, five days ago: two completed (replies after 1 s and 3 s), one failed at the assistant.
  await run({ version: versions.v1, startedAt: daysAgo(5), status: "completed", replyMs: 1000, lastNode: "assistant", modelCalls: [{ inputTokens: 100, outputTokens: 20, costUsd: 0.001 }] });
  await run({ version: versions.v1, startedAt: daysAgo(5, 11), status: "completed", replyMs: 3000, lastNode: "assistant", modelCalls: [{ inputTokens: 50, outputTokens: 10, costUsd: 0.0005 }] });
  await run({ version: versions.v1, startedAt: daysAgo(5, 12), status: "failed", replyMs: 2000, lastNode: "assistant" });
  // Version 2, two days ago: one completed quickly, one whose question timed out, one still waiting for hours.
  await run({ version: versions.v2, startedAt: daysAgo(2), status: "completed", replyMs: 500, lastNode: "assistant", modelCalls: [{ inputTokens: 10, outputTokens: 5, costUsd: null }] });
  await run({ version: versions.v2, startedAt: daysAgo(2, 11), status: "completed", replyMs: 500, timeoutAt: "ask_name" });
  await run({ version: versions.v2, startedAt: minutesAgo(180), status: "waiting", replyMs: 700, lastNode: "ask_name" });
  // Not counted: a run waiting for a few minutes only is no drop-off yet; a test run; a run before the period.
  await run({ version: versions.v2, startedAt: minutesAgo(5), status: "waiting", replyMs: 100, lastNode: "ask_name" });
  await run({ version: versions.test, startedAt: daysAgo(1), status: "failed", replyMs: 9000, lastNode: "assistant" });
  await run({ version: versions.v1, startedAt: daysAgo(40), status: "failed", lastNode: "assistant" });
});

async function analytics(days = 30) {
  const { flowAnalytics } = await import("@/server/analytics/flow-analytics");
  return flowAnalytics(channels.workspaceId, { flowId, days, timeZone: "Europe/Madrid" }, NOW);
}

test("runs are counted per day in the viewer's time zone and per version, test runs and older runs left out", async () => {
  const figures = await analytics();
  expect(figures.days).toHaveLength(31);
  expect(figures.days.find((day) => day.day === "2026-11-15")).toMatchObject({ started: 3, completed: 2, failed: 1, byVersion: { v1: { started: 3, completed: 2 } } });
  expect(figures.days.find((day) => day.day === "2026-11-18")).toMatchObject({ started: 2, completed: 2, byVersion: { v2: { started: 2, completed: 2 } } });
  expect(figures.days.find((day) => day.day === "2026-11-20")).toMatchObject({ started: 2, completed: 0 });
  expect(figures.days.reduce((sum, day) => sum + day.started, 0)).toBe(7);
  expect(figures.days.at(-1)!.day).toBe("2026-11-20");
});

test("per version: completion and failure rates, time to first reply, model tokens and cost", async () => {
  const [v1, v2] = (await analytics()).versions;
  expect(v1).toMatchObject({ version: 1, runs: 3, completed: 2, completionRate: 2 / 3, failureRate: 1 / 3 });
  expect(v1!.firstReplyMs).toEqual({ p50: 2000, p95: expect.closeTo(2900, 0), replied: 3 });
  expect(v1!.model).toEqual({ calls: 2, inputTokens: 150, outputTokens: 30, costUsd: expect.closeTo(0.0015, 6) });
  expect(v2).toMatchObject({ version: 2, runs: 4, completed: 2, failureRate: 0 });
  expect(v2!.firstReplyMs).toMatchObject({ p50: 500, replied: 4 });
  expect(v2!.model).toEqual({ calls: 1, inputTokens: 10, outputTokens: 5, costUsd: null });
});

test("drop-off counts where customers stopped: failed runs, unanswered questions, runs waiting for over an hour", async () => {
  const { dropOff } = await analytics();
  expect(dropOff).toEqual([
    { nodeId: "ask_name", label: "Ask the name", runs: 2 },
    { nodeId: "assistant", label: "Assistant", runs: 1 },
  ]);
});

test("a shorter period sees fewer days; viewers may read; another workspace's flow is not found", async () => {
  expect((await analytics(3)).versions.map((version) => version.runs)).toEqual([0, 4]);
  const viewer = appRouter.createCaller({ viewer: { userId: "someone", email: "v@example.com", workspaceId: channels.workspaceId, role: "viewer" } });
  expect((await viewer.analytics.flow({ flowId, days: 30, timeZone: "UTC" })).flow.name).toBe("Support");
  const stranger = appRouter.createCaller({ viewer: { userId: "other", email: "o@example.com", workspaceId: "another-workspace", role: "owner" } });
  await expect(stranger.analytics.flow({ flowId })).rejects.toThrow(/No such flow/);
  await expect(viewer.analytics.flow({ flowId, timeZone: "Mars/Olympus" })).rejects.toThrow(/IANA time zone/);
});
