// The canvas's test panel: the draft (never published) answers a test contact through the
// real webhook, router, executor and the flow's compiled function; published flows on the
// same simulator number never see those messages; restarting cancels the run and forgets it.
import { expect, test } from "vitest";
import { flowTemplate } from "@/flows/templates";
import type { FlowGraph } from "@/flows/schema";
import type { Viewer } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { appRouter } from "@/server/trpc/root";
import { eventually, useParley } from "../support/parley";

const parley = useParley();

async function owner() {
  const membership = await db().membership.findFirstOrThrow({ include: { user: true } });
  const viewer: Viewer = { userId: membership.userId, email: membership.user.email, workspaceId: membership.workspaceId, role: "owner" };
  return appRouter.createCaller({ viewer });
}

const botTexts = (state: { messages: { direction: string; body: unknown }[] } | null) =>
  (state?.messages ?? []).filter((m) => m.direction === "business").map((m) => (m.body as { text?: { body?: string } }).text?.body ?? "(not text)");

function draft(): FlowGraph {
  const graph = structuredClone(flowTemplate("welcome")!.graph);
  graph.nodes.find((node) => node.id === "greet")!.config = { text: "Draft greeting for {{contact.name}}" };
  // greet → remember → ask_name: a variable set before the question shows while the run waits.
  graph.nodes.push({ id: "remember", type: "set_variable", version: 1, config: { assignments: [{ name: "greeted", value: "yes" }] }, position: { x: 300, y: 200 } });
  graph.edges = graph.edges.filter((edge) => edge.from !== "greet");
  graph.edges.push({ id: "greet-remember", from: "greet", port: "next", to: "remember" }, { id: "remember-ask", from: "remember", port: "next", to: "ask_name" });
  return graph;
}

test("the draft answers in the test panel, lights up its nodes, shows its variables, and stays unpublished", async () => {
  const caller = await owner();
  const { id: flowId } = await caller.flows.create({ name: "Greeter draft", templateId: "welcome" });
  expect(await caller.flowTests.state({ flowId })).toBeNull();

  await caller.flowTests.start({ flowId, graph: draft() });
  expect(await caller.flowTests.send({ flowId, message: { kind: "text", text: "hello" } })).toEqual({ matched: true });
  const waiting = await eventually(async () => {
    const state = await caller.flowTests.state({ flowId });
    return state?.run?.status === "waiting" && botTexts(state).length === 2 ? state : undefined;
  }, 20_000, "the draft to greet and ask");
  expect(botTexts(waiting)[0]).toMatch(/^Draft greeting for Admin \(test\)$/);
  expect(botTexts(waiting)[1]).toBe("What should I call you?");
  expect(waiting.run!.waitingNodeId).toBe("ask_name");
  expect(waiting.run!.traces.map((t) => t.nodeId)).toEqual(["start", "greet", "remember"]);
  expect(waiting.run!.vars).toEqual({ greeted: "yes" });

  await caller.flowTests.send({ flowId, message: { kind: "text", text: "Marisol" } });
  const done = await eventually(async () => {
    const state = await caller.flowTests.state({ flowId });
    return state?.run?.status === "completed" ? state : undefined;
  }, 20_000, "the test run to complete");
  expect(botTexts(done).at(-1)).toBe("Nice to meet you, Marisol! Write again any time to start over.");
  expect(done.run!.vars).toEqual({ greeted: "yes", name: "Marisol" });
  expect(done.run!.traces.map((t) => t.nodeId)).toEqual(["start", "greet", "remember", "ask_name", "thanks"]);

  // Nothing was published, and the seeded demo flow (any message, same number) never answered.
  const flow = await db().flow.findUniqueOrThrow({ where: { id: flowId }, include: { versions: true } });
  expect(flow.publishedVersionId).toBeNull();
  expect(flow.versions.every((version) => version.testOnly && version.number < 0)).toBe(true);
  expect(botTexts(done).some((text) => text.includes("demo bot"))).toBe(false);
  expect((await caller.flows.list()).find((f) => f.id === flowId)?.publishedVersion).toBeNull();
});

test("restarting cancels the waiting run and clears the chat; a message no trigger matches is reported", async () => {
  const caller = await owner();
  const { id: flowId } = await caller.flows.create({ name: "Keyword draft", templateId: "welcome" });
  await caller.flowTests.start({ flowId, graph: draft() });
  await caller.flowTests.send({ flowId, message: { kind: "text", text: "hi" } });
  const waiting = await eventually(async () => {
    const state = await caller.flowTests.state({ flowId });
    return state?.run?.status === "waiting" ? state : undefined;
  }, 20_000, "the run to wait for the name");
  const oldRunId = waiting.run!.id;

  // A keyword trigger now: "hi" no longer starts anything.
  const keyword = draft();
  keyword.nodes[0]!.config = { match: "keywords", keywords: ["menu"] };
  await caller.flowTests.start({ flowId, graph: keyword });
  const fresh = await caller.flowTests.state({ flowId });
  expect(fresh?.messages).toEqual([]);
  expect(fresh?.run).toBeNull();
  expect(await db().flowRun.findUnique({ where: { id: oldRunId } })).toBeNull();
  // The executor stopped the waiting function run: it will never wake up to send anything.
  await eventually(async () => {
    const runs = await db().executorRun.findMany({ where: { functionId: { contains: flowId } } });
    const old = runs.find((run) => (run.event as { data?: { runId?: string } }).data?.runId === oldRunId);
    return old?.status === "cancelled" || undefined;
  }, 10_000, "the executor to cancel the old run");
  const conversation = await db().conversation.findFirstOrThrow({ where: { testFlowVersionId: fresh!.versionId } });
  expect(conversation.activeRunId).toBeNull();

  expect(await caller.flowTests.send({ flowId, message: { kind: "text", text: "hi" } })).toEqual({ matched: false });
  expect(await caller.flowTests.send({ flowId, message: { kind: "text", text: "menu" } })).toEqual({ matched: true });
  await eventually(async () => botTexts(await caller.flowTests.state({ flowId })).length === 2 || undefined, 20_000, "the keyword to start the draft");
});

test("a draft with errors cannot be tested, and the message says what to fix", async () => {
  const caller = await owner();
  const { id: flowId } = await caller.flows.create({ name: "Broken", templateId: "welcome" });
  const broken = draft();
  broken.nodes.find((node) => node.id === "greet")!.config = { text: "" };
  await expect(caller.flowTests.start({ flowId, graph: broken })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("Fix the draft before testing it") });
  await expect(caller.flowTests.send({ flowId, message: { kind: "text", text: "hi" } })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("Start the test first") });
});

test("two people test one flow at once: each has their own conversation, and one's restarts never break the other's", async () => {
  const caller = await owner();
  const workspaceId = (await db().membership.findFirstOrThrow()).workspaceId;
  const user = await db().user.create({ data: { email: "ana.tester@example.com", name: "Ana", passwordHash: "x" } });
  await db().membership.create({ data: { workspaceId, userId: user.id, role: "editor" } });
  const ana = appRouter.createCaller({ viewer: { userId: user.id, email: user.email, workspaceId, role: "editor" } });
  const { id: flowId } = await caller.flows.create({ name: "Shared test", templateId: "welcome" });

  await ana.flowTests.start({ flowId, graph: draft() });
  await caller.flowTests.start({ flowId, graph: draft() });
  await caller.flowTests.start({ flowId, graph: draft() });
  await ana.flowTests.send({ flowId, message: { kind: "text", text: "hi" } });
  const anas = await eventually(async () => {
    const state = await ana.flowTests.state({ flowId });
    return botTexts(state).length >= 1 ? state : undefined;
  }, 20_000, "Ana's test to answer");
  expect(botTexts(anas)[0]).toBe("Draft greeting for Ana (test)");
  expect(botTexts(await caller.flowTests.state({ flowId }))).toEqual([]);
});
