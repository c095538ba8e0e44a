// A flow hands a conversation to a person: the bot stays quiet for that contact until an
// admin hands it back, then the next message starts a flow again.
import { beforeAll, expect, test } from "vitest";
import type { FlowGraph } from "@/flows/schema";
import { handBack } from "@/server/conversations/handoff";
import { db } from "@/server/db/client";
import { eventually, useParley, textWebhook } from "../support/parley";

const at = { x: 0, y: 0 };
const agentFlow: FlowGraph = {
  nodes: [
    { id: "start", type: "trigger", version: 1, config: { match: "keywords", keywords: ["agent"] }, position: at },
    { id: "human", type: "handoff", version: 1, config: { message: "A colleague will answer you here.", reason: "asked for an agent" }, position: at },
  ],
  edges: [{ id: "e1", from: "start", port: "next", to: "human" }],
};

const parley = useParley();
beforeAll(async () => {
  await parley.publish("Agent", agentFlow);
});

test("the bot stays quiet after a hand off until an admin hands the conversation back", async () => {
  const waId = "34644000001";
  await parley.postWebhook(textWebhook(waId, "I want an agent").body);
  await eventually(() => parley.textsTo(waId).length === 1, 15_000, "the hand-off message");
  const conversation = await eventually(async () => {
    const found = await db().conversation.findFirst({ where: { contact: { waId } } });
    return found?.handedOffAt && !found.activeRunId ? found : undefined;
  }, 10_000, "the conversation to be handed off");
  expect(conversation.handoffReason).toBe("asked for an agent");

  await parley.postWebhook(textWebhook(waId, "hello? anyone?").body);
  const quiet = await db().message.findFirstOrThrow({ where: { text: "hello? anyone?" } });
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  expect(parley.textsTo(waId)).toEqual(["A colleague will answer you here."]);
  expect(await db().flowRun.count({ where: { conversationId: conversation.id } })).toBe(1);
  expect(quiet.consumedByRunId).toBeNull();

  const admin = await db().user.findFirstOrThrow();
  expect(await handBack({ conversationId: conversation.id, workspaceId: conversation.workspaceId, userId: admin.id })).toEqual({ runId: null });
  await parley.postWebhook(textWebhook(waId, "hi again").body);
  await eventually(() => parley.textsTo(waId).length === 3, 15_000, "the demo flow's greeting and question");
  expect(parley.textsTo(waId).slice(1)).toEqual(["Hi Ana! I'm Parley's demo bot.", "What should I call you?"]);
  expect(await db().auditLog.count({ where: { action: "conversation.hand_back", target: conversation.id } })).toBe(1);
});
