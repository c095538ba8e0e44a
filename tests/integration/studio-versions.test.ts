// Publish with a note, version history, roll back, and the flows list a new user reads:
// status, channel binding, last run, runs in 24 h, rename, duplicate, archive.
import { expect, test } from "vitest";
import { flowTemplate } from "@/flows/templates";
import type { FlowGraph } from "@/flows/schema";
import type { Viewer } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { appRouter } from "@/server/trpc/root";
import { eventually, textWebhook, useParley } from "../support/parley";

const parley = useParley();

async function owner() {
  const membership = await db().membership.findFirstOrThrow({ include: { user: true } });
  const viewer: Viewer = { userId: membership.userId, email: membership.user.email, workspaceId: membership.workspaceId, role: "owner" };
  return appRouter.createCaller({ viewer });
}

function greeting(text: string): FlowGraph {
  const graph = structuredClone(flowTemplate("welcome")!.graph);
  graph.nodes.find((node) => node.id === "greet")!.config = { text };
  return graph;
}

async function reply(waId: string, count: number) {
  await parley.postWebhook(textWebhook(waId, "hi").body);
  await eventually(() => parley.textsTo(waId).length >= count || undefined, 15_000, "the bot's greeting");
  return parley.textsTo(waId);
}

test("publish with notes, see who and when, roll back to the old behaviour", async () => {
  const caller = await owner();
  const options = await caller.flows.channelOptions();
  const live = options.find((channel) => !channel.simulator)!;
  // The seeded demo flow leaves the live number; this flow takes it.
  const demo = (await caller.flows.list()).find((flow) => flow.name === "Welcome (demo)")!;
  await caller.flows.setChannels({ id: demo.id, channelIds: [] });
  const { id } = await caller.flows.create({ name: "Greeter", templateId: "welcome" });
  await caller.flows.setChannels({ id, channelIds: [live.id] });

  const save = async (graph: FlowGraph) => {
    const { revision } = await caller.flows.get({ id });
    await caller.flows.saveDraft({ id, revision, graph });
  };
  await save(greeting("Hello from version one"));
  expect(await caller.flows.publish({ id, note: "First greeting" })).toMatchObject({ number: 1 });
  await save(greeting("Hello from version two"));
  expect((await caller.flows.list()).find((flow) => flow.id === id)).toMatchObject({ publishedVersion: 1, draftChanged: true, channels: [{ id: live.id }] });
  await caller.flows.publish({ id, note: "Friendlier" });

  expect((await reply("34600000101", 2))[0]).toBe("Hello from version two");

  const rolledBack = await caller.flows.rollback({ id, number: 1 });
  expect(rolledBack.number).toBe(3);
  expect((await reply("34600000102", 2))[0]).toBe("Hello from version one");

  const versions = await caller.flows.versions({ id });
  expect(versions.map((v) => [v.number, v.note, v.publishedBy, v.live])).toEqual([
    [3, "Rolled back to version 1.", "Admin", true],
    [2, "Friendlier", "Admin", false],
    [1, "First greeting", "Admin", false],
  ]);
  // The rollback is the draft too, so the canvas shows what runs; nothing is left unpublished.
  const flow = await caller.flows.get({ id });
  expect(flow.graph.nodes.find((node) => node.id === "greet")!.config).toEqual({ text: "Hello from version one" });
  const listed = (await caller.flows.list()).find((f) => f.id === id)!;
  expect(listed).toMatchObject({ publishedVersion: 3, draftChanged: false, runs24h: 2 });
  expect(listed.lastRunAt).not.toBeNull();
  expect((await caller.flows.version({ id, number: 2 })).graph.nodes.find((n) => n.id === "greet")!.config).toEqual({ text: "Hello from version two" });
  await expect(caller.flows.rollback({ id, number: 9 })).rejects.toMatchObject({ code: "NOT_FOUND" });
});

test("rename, duplicate and archive a flow; an archived flow answers no one", async () => {
  const caller = await owner();
  const live = (await caller.flows.channelOptions()).find((channel) => !channel.simulator)!;
  const { id } = await caller.flows.create({ name: "Promo", templateId: "welcome" });
  await caller.flows.rename({ id, name: "Spring promo" });
  const { id: copyId } = await caller.flows.duplicate({ id });
  expect((await caller.flows.get({ id: copyId })).name).toBe("Copy of Spring promo");
  await expect(caller.flows.rename({ id, name: "  " })).rejects.toMatchObject({ code: "BAD_REQUEST" });

  // Only this flow listens on the live number now.
  for (const flow of await caller.flows.list()) await caller.flows.setChannels({ id: flow.id, channelIds: flow.id === id ? [live.id] : [] });
  const { revision } = await caller.flows.get({ id });
  await caller.flows.saveDraft({ id, revision, graph: greeting("Spring is here") });
  await caller.flows.publish({ id });
  await caller.flows.archive({ id, archived: true });
  expect((await caller.flows.list()).map((flow) => flow.id)).not.toContain(id);
  expect((await caller.flows.list({ archived: true })).map((flow) => flow.id)).toEqual([id]);

  const waId = "34600000103";
  const { body } = textWebhook(waId, "hi");
  await parley.postWebhook(body);
  const message = await eventually(() => db().message.findFirst({ where: { conversation: { contact: { waId } } } }).then((m) => m ?? undefined), 10_000, "the message stored");
  // The router has decided: no published flow listens there any more.
  const routed = await eventually(async () => {
    const runs = await db().executorRun.findMany({ where: { functionId: { contains: "conversation-router" }, status: "completed" } });
    return runs.find((run) => (run.event as { data?: { messageId?: string } }).data?.messageId === message.id);
  }, 10_000, "the router to decide");
  expect(routed.output).toEqual({ routed: "unmatched" });
  expect(parley.textsTo(waId)).toEqual([]);
  expect(await db().flowRun.count({ where: { conversationId: message.conversationId } })).toBe(0);

  await caller.flows.archive({ id, archived: false });
  expect((await caller.flows.list()).find((flow) => flow.id === id)).toMatchObject({ publishedVersion: null, archivedAt: null });
});
