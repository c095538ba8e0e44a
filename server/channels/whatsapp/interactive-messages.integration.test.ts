// A flow with an image, a choice asked with reply buttons and a retry, on the real path:
// signed webhooks → executor → compiled flow → Graph API client → fake Graph API. Asserts
// the exact bodies Meta would receive and that a tapped button takes the choice's port.
import { beforeAll, expect, test } from "vitest";
import type { FlowGraph } from "@/flows/schema";
import { db } from "@/server/db/client";
import { eventually, useParley, textWebhook, webhookEnvelope } from "../../../tests/support/parley";

const at = { x: 0, y: 0 };
const sizeFlow: FlowGraph = {
  nodes: [
    { id: "start", type: "trigger", version: 1, config: { match: "keywords", keywords: ["size"] }, position: at },
    { id: "photo", type: "reply", version: 1, config: { kind: "image", mediaUrl: "https://cdn.example.com/shirt.jpg", text: "The shirt, {{contact.name}}" }, position: at },
    {
      id: "pick",
      type: "ask",
      version: 1,
      config: {
        kind: "choice",
        question: "Which size?",
        variable: "size",
        choices: [
          { id: "s", title: "Small" },
          { id: "m", title: "Medium" },
          { id: "l", title: "Large" },
        ],
      },
      position: at,
    },
    { id: "medium", type: "reply", version: 1, config: { text: "{{nodes.pick.title}} it is." }, position: at },
  ],
  edges: [
    { id: "e1", from: "start", port: "next", to: "photo" },
    { id: "e2", from: "photo", port: "next", to: "pick" },
    { id: "e3", from: "pick", port: "m", to: "medium" },
  ],
};

const parley = useParley();
beforeAll(async () => {
  await parley.publish("Sizes", sizeFlow);
});

const bodiesTo = (waId: string) => parley.graph.requests.filter((r) => r.body.to === waId).map((r) => r.body);

test("an image, a question with buttons, a retry after a typed wrong answer, and the tapped button's port", async () => {
  const waId = "34611111111";
  const envelope = { messaging_product: "whatsapp", recipient_type: "individual", to: waId };
  const buttons = {
    buttons: [
      { type: "reply", reply: { id: "s", title: "Small" } },
      { type: "reply", reply: { id: "m", title: "Medium" } },
      { type: "reply", reply: { id: "l", title: "Large" } },
    ],
  };
  await parley.postWebhook(textWebhook(waId, "size please", { name: "Ana" }).body);
  await eventually(() => bodiesTo(waId).length >= 2, 15_000, "the image and the question");
  expect(bodiesTo(waId)).toEqual([
    { ...envelope, type: "image", image: { link: "https://cdn.example.com/shirt.jpg", caption: "The shirt, Ana" } },
    { ...envelope, type: "interactive", interactive: { type: "button", body: { text: "Which size?" }, action: buttons } },
  ]);

  await eventually(async () => (await db().flowRun.findFirst({ where: { conversation: { contact: { waId } } } }))?.status === "waiting", 10_000, "the run to wait");
  await parley.postWebhook(textWebhook(waId, "XL").body);
  await eventually(() => bodiesTo(waId).length >= 3, 15_000, "the retry");
  expect(bodiesTo(waId)[2]).toEqual({ ...envelope, type: "interactive", interactive: { type: "button", body: { text: "Please choose one of the options." }, action: buttons } });

  const wamid = `wamid.TAP${Date.now()}`;
  await parley.postWebhook(
    webhookEnvelope({
      contacts: [{ profile: { name: "Ana" }, wa_id: waId }],
      messages: [
        { from: waId, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: "interactive", interactive: { type: "button_reply", button_reply: { id: "m", title: "Medium" } } },
      ],
    }),
  );
  await eventually(() => bodiesTo(waId).length >= 4, 15_000, "the answer to the choice");
  expect(bodiesTo(waId)[3]).toEqual({ ...envelope, type: "text", text: { body: "Medium it is.", preview_url: false } });

  const run = await eventually(async () => {
    const found = await db().flowRun.findFirst({ where: { conversation: { contact: { waId } } }, include: { traces: { orderBy: { startedAt: "asc" } } } });
    return found?.status === "completed" ? found : undefined;
  }, 10_000, "the run to complete");
  expect(run.traces.map((t) => [t.nodeId, t.port])).toEqual([
    ["start", "next"],
    ["photo", "next"],
    ["pick", "m"],
    ["medium", "next"],
  ]);
  expect(run.traces.find((t) => t.nodeId === "pick")!.output).toMatchObject({ variable: "size", answer: "m", id: "m", title: "Medium", attempts: 2 });
  expect(run.vars).toEqual({ size: "m" });
  const stored = await db().message.findMany({ where: { direction: "outbound", conversation: { contact: { waId } } }, orderBy: { seq: "asc" } });
  expect(stored.map((m) => [m.type, m.status])).toEqual([
    ["image", "sent"],
    ["buttons", "sent"],
    ["buttons", "sent"],
    ["text", "sent"],
  ]);
});
