// A flow published at run time, using logic nodes, runs through the real executor:
// publishing registers its function without a restart, keywords outrank "any", the
// condition routes, the wait sleeps durably, and go to re-asks.
import { beforeAll, expect, test } from "vitest";
import type { FlowGraph } from "@/flows/schema";
import { db } from "@/server/db/client";
import { eventually, useParley, textWebhook } from "../support/parley";

const at = { x: 0, y: 0 };
const menu: FlowGraph = {
  nodes: [
    { id: "start", type: "trigger", version: 1, config: { match: "keywords", keywords: ["menu"] }, position: at },
    { id: "ask", type: "ask", version: 1, config: { question: "Reply 1 for opening hours or 2 for our address.", variable: "choice" }, position: at },
    {
      id: "route",
      type: "condition",
      version: 1,
      config: { branches: [{ id: "hours", label: "1", when: 'vars.choice == "1"' }, { id: "address", label: "2", when: 'vars.choice == "2"' }] },
      position: at,
    },
    { id: "hours", type: "reply", version: 1, config: { text: "We open 9–18." }, position: at },
    { id: "pause", type: "delay", version: 1, config: { duration: "1s" }, position: at },
    { id: "address", type: "reply", version: 1, config: { text: "Calle Mayor 1." }, position: at },
    { id: "again", type: "reply", version: 1, config: { text: "Sorry, “{{vars.choice}}” is not on the menu." }, position: at },
    { id: "back", type: "goto", version: 1, config: { target: "ask" }, position: at },
  ],
  edges: [
    { id: "1", from: "start", port: "next", to: "ask" },
    { id: "2", from: "ask", port: "next", to: "route" },
    { id: "3", from: "route", port: "hours", to: "pause" },
    { id: "4", from: "pause", port: "next", to: "hours" },
    { id: "5", from: "route", port: "address", to: "address" },
    { id: "6", from: "route", port: "else", to: "again" },
    { id: "7", from: "again", port: "next", to: "back" },
  ],
};

const parley = useParley();
beforeAll(async () => {
  await parley.publish("Menu", menu);
});

test("a flow published at run time answers its keyword, re-asks on a wrong choice and waits before answering", async () => {
  const waId = "34611000001";
  await parley.postWebhook(textWebhook(waId, "MENU please").body);
  await eventually(() => parley.textsTo(waId).length === 1, 10_000, "the menu question");
  await parley.postWebhook(textWebhook(waId, "7").body);
  await eventually(() => parley.textsTo(waId).length === 3, 10_000, "the re-ask");
  await parley.postWebhook(textWebhook(waId, "1").body);
  await eventually(() => parley.textsTo(waId).length === 4, 15_000, "the hours");
  expect(parley.textsTo(waId)).toEqual([
    "Reply 1 for opening hours or 2 for our address.",
    "Sorry, “7” is not on the menu.",
    "Reply 1 for opening hours or 2 for our address.",
    "We open 9–18.",
  ]);
  const run = await eventually(async () => {
    const latest = await db().flowRun.findFirstOrThrow({ where: { conversation: { contact: { waId } } }, include: { traces: { orderBy: { startedAt: "asc" } } } });
    return latest.status === "completed" ? latest : undefined;
  }, 10_000, "the run to complete");
  const pause = run.traces.find((t) => t.nodeId === "pause")!;
  expect(pause.endedAt.getTime() - pause.startedAt.getTime()).toBeGreaterThanOrEqual(900);
  expect(run.traces.map((t) => t.nodeId)).toEqual(["start", "ask", "route", "again", "back", "ask", "route", "pause", "hours"]);
});

test("other messages still go to the demo flow", async () => {
  const waId = "34611000002";
  await parley.postWebhook(textWebhook(waId, "hello").body);
  await eventually(() => parley.textsTo(waId).length === 2, 10_000, "the demo greeting");
  expect(parley.textsTo(waId)[1]).toBe("What should I call you?");
});

test("a flow runs another published flow, which asks its own question, then continues with the shared variables", async () => {
  const collectAddress: FlowGraph = {
    nodes: [
      { id: "start", type: "trigger", version: 1, config: { match: "keywords", keywords: ["address form"] }, position: at },
      { id: "ask", type: "ask", version: 1, config: { question: "What is your address?", variable: "address" }, position: at },
    ],
    edges: [{ id: "1", from: "start", port: "next", to: "ask" }],
  };
  const { flowId } = await parley.publish("Collect address", collectAddress);
  await parley.publish("Delivery", {
    nodes: [
      { id: "start", type: "trigger", version: 1, config: { match: "keywords", keywords: ["deliver"] }, position: at },
      { id: "name", type: "ask", version: 1, config: { question: "Your name?", variable: "name" }, position: at },
      { id: "address", type: "call_flow", version: 1, config: { flowId }, position: at },
      { id: "done", type: "reply", version: 1, config: { text: "Thanks {{vars.name}}, we deliver to {{vars.address}}." }, position: at },
    ],
    edges: [
      { id: "1", from: "start", port: "next", to: "name" },
      { id: "2", from: "name", port: "next", to: "address" },
      { id: "3", from: "address", port: "next", to: "done" },
    ],
  });
  const waId = "34611000003";
  await parley.postWebhook(textWebhook(waId, "deliver please").body);
  await eventually(() => parley.textsTo(waId).length === 1, 10_000, "the name question");
  await parley.postWebhook(textWebhook(waId, "Ana").body);
  await eventually(() => parley.textsTo(waId).length === 2, 10_000, "the called flow's question");
  await parley.postWebhook(textWebhook(waId, "Calle Mayor 1").body);
  await eventually(() => parley.textsTo(waId).length === 3, 10_000, "the caller's answer");
  expect(parley.textsTo(waId)).toEqual(["Your name?", "What is your address?", "Thanks Ana, we deliver to Calle Mayor 1."]);
  const run = await eventually(async () => {
    const latest = await db().flowRun.findFirstOrThrow({ where: { conversation: { contact: { waId } } }, include: { traces: { orderBy: { startedAt: "asc" } } } });
    return latest.status === "completed" ? latest : undefined;
  }, 10_000, "the run to complete");
  expect(run.traces.map((t) => t.nodeId)).toEqual(["start", "name", "address", "address/ask", "done"]);
});

test("a reaction lands on the contact's own message, by its WhatsApp id", async () => {
  const thanks: FlowGraph = {
    nodes: [
      { id: "start", type: "trigger", version: 1, config: { match: "keywords", keywords: ["thanks"], priority: 20 }, position: at },
      { id: "heart", type: "reply", version: 1, config: { kind: "reaction", emoji: "❤️" }, position: at },
    ],
    edges: [{ id: "1", from: "start", port: "next", to: "heart" }],
  };
  await parley.publish("Thanks", thanks);
  const waId = "34655000099";
  const { wamid, body } = textWebhook(waId, "thanks a lot");
  await parley.postWebhook(body);
  const reaction = await eventually(() => parley.graph.requests.find((request) => request.body.to === waId && request.body.type === "reaction"), 15_000, "the reaction");
  expect(reaction.body.reaction).toEqual({ message_id: wamid, emoji: "❤️" });
  // The send records Meta's id once Meta has answered, a moment after the fake received it.
  const stored = await eventually(() => db().message.findFirst({ where: { wamid: reaction.wamid } }).then((row) => row ?? undefined), 5_000, "the stored reaction");
  expect(stored).toMatchObject({ type: "reaction", text: "reacted ❤️", status: "sent" });
});
