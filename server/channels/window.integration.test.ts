// The 24-hour window on the real path (API event → executor → flow → Graph API client →
// fake Graph API): a free-form message to a contact outside the window is never sent; the
// reply node continues at its "window closed" output with a template instead.
import { beforeAll, expect, test } from "vitest";
import type { FlowGraph } from "@/flows/schema";
import { db } from "@/server/db/client";
import { createApiKey } from "@/server/security/api-keys";
import { CHANNEL, eventually, useParley } from "../../tests/support/parley";

const at = { x: 0, y: 0 };
const cartReminder: FlowGraph = {
  nodes: [
    { id: "start", type: "api_event", version: 1, config: { event: "cart.abandoned" }, position: at },
    { id: "nudge", type: "reply", version: 1, config: { text: "You left something in your cart" }, position: at },
    { id: "template", type: "reply", version: 1, config: { kind: "template", templateName: "cart_reminder", language: "en" }, position: at },
  ],
  edges: [
    { id: "e1", from: "start", port: "next", to: "nudge" },
    { id: "e2", from: "nudge", port: "window_closed", to: "template" },
  ],
};

const parley = useParley();
let apiKey: string;
beforeAll(async () => {
  await parley.publish("Cart reminder", cartReminder);
  const workspace = await db().workspace.findFirstOrThrow();
  const admin = await db().user.findFirstOrThrow();
  apiKey = (await createApiKey({ workspaceId: workspace.id, name: "Shop", userId: admin.id })).key;
});

const remind = (waId: string, id: string) =>
  fetch(`${parley.url}/api/events`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ event: "cart.abandoned", to: `+${waId}`, id }),
  });
const sentTypes = (waId: string) => parley.graph.requests.filter((r) => r.body.to === waId).map((r) => r.body.type);
const finishedRun = (waId: string) =>
  eventually(async () => {
    const run = await db().flowRun.findFirst({ where: { conversation: { contact: { waId } }, status: { in: ["completed", "failed"] } }, include: { traces: true } });
    return run ?? undefined;
  }, 15_000, "the run to finish");

test("to a contact who never wrote, the free-form nudge is not sent and the template goes out instead", async () => {
  const waId = "34600000701";
  expect((await remind(waId, "cart-1")).status).toBe(202);
  const run = await finishedRun(waId);
  expect(run.status).toBe("completed");
  expect(sentTypes(waId)).toEqual(["template"]);
  expect(run.traces.find((t) => t.nodeId === "nudge")).toMatchObject({ port: "window_closed", error: { name: "WindowClosedError" } });
  const refused = await db().message.findFirstOrThrow({ where: { conversation: { contact: { waId } }, nodeId: "nudge" } });
  expect(refused).toMatchObject({ status: "failed", wamid: null, error: { kind: "window_closed" } });
});

test("to a contact who wrote a minute ago, the nudge itself is sent", async () => {
  const waId = "34600000702";
  const channel = await db().channel.findUniqueOrThrow({ where: { phoneNumberId: CHANNEL.phoneNumberId } });
  const contact = await db().contact.create({ data: { workspaceId: channel.workspaceId, waId } });
  await db().conversation.create({ data: { workspaceId: channel.workspaceId, channelId: channel.id, contactId: contact.id, lastInboundAt: new Date(Date.now() - 60_000) } });
  expect((await remind(waId, "cart-2")).status).toBe(202);
  const run = await finishedRun(waId);
  expect(run.status).toBe("completed");
  expect(parley.textsTo(waId)).toEqual(["You left something in your cart"]);
  expect(sentTypes(waId)).not.toContain("template");
});
