// Flows that start without a message from the contact, through the real executor: a
// schedule tick writes to its list with a template and handles the answer; an API event
// starts its flow for one number, once per event id, and waits for a contact who is in the
// middle of another conversation instead of interrupting it.
import { beforeAll, describe, expect, test } from "vitest";
import type { FlowGraph } from "@/flows/schema";
import { db } from "@/server/db/client";
import { createApiKey } from "@/server/security/api-keys";
import { appointmentReminderFlow } from "@/flows/templates/appointment-reminder";
import { eventually, textWebhook, useParley } from "../support/parley";

const at = { x: 0, y: 0 };
const parley = useParley();

const templatesTo = (waId: string) =>
  parley.graph.requests
    .filter((r) => r.body.to === waId && r.body.type === "template")
    .map((r) => r.body.template as { name: string; components?: { parameters: { text: string }[] }[] });

const shipped: FlowGraph = {
  nodes: [
    { id: "start", type: "api_event", version: 1, config: { event: "order.shipped" }, position: at },
    {
      id: "notify",
      type: "reply",
      version: 1,
      config: { kind: "template", templateName: "order_shipped", language: "en", parameters: ["{{trigger.data.order_id}}"] },
      position: at,
    },
  ],
  edges: [{ id: "e1", from: "start", port: "next", to: "notify" }],
};

const question: FlowGraph = {
  nodes: [
    { id: "start", type: "trigger", version: 1, config: { match: "keywords", keywords: ["survey"] }, position: at },
    { id: "ask", type: "ask", version: 1, config: { question: "How did we do, 1 to 5?", variable: "score" }, position: at },
    { id: "thanks", type: "reply", version: 1, config: { text: "Thanks for the {{vars.score}}!" }, position: at },
  ],
  edges: [
    { id: "e1", from: "start", port: "next", to: "ask" },
    { id: "e2", from: "ask", port: "next", to: "thanks" },
  ],
};

let apiKey: string;
beforeAll(async () => {
  await parley.publish("Shipping notice", shipped);
  await parley.publish("Survey", question);
  const workspace = await db().workspace.findFirstOrThrow();
  const admin = await db().user.findFirstOrThrow();
  apiKey = (await createApiKey({ workspaceId: workspace.id, name: "Shop", userId: admin.id })).key;
});

const postEvent = (body: unknown, key: string | null = apiKey) =>
  fetch(`${parley.url}/api/events`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });

describe("schedule trigger", () => {
  test("at its tick the flow sends its template to each number on its list, then handles the answer", async () => {
    const waId = "34600000777";
    const graph = structuredClone(appointmentReminderFlow.graph);
    graph.nodes[0]!.config = { ...graph.nodes[0]!.config, phones: [`+${waId}`] };
    const { flowId } = await parley.publish("Reminder", graph);
    const timer = await eventually(
      async () => (await db().executorCron.findFirst({ where: { functionId: { endsWith: `flow-${flowId}-schedule` } } })) ?? undefined,
      10_000,
      "the schedule",
    );
    expect(timer.cron).toBe("TZ=Europe/Madrid 0 18 * * *");
    // Bring the next tick forward instead of waiting for 18:00.
    await db().executorCron.update({ where: { functionId_cron: { functionId: timer.functionId, cron: timer.cron } }, data: { nextAt: new Date() } });

    await eventually(() => templatesTo(waId).length === 1, 15_000, "the reminder template");
    expect(templatesTo(waId)[0]).toMatchObject({ name: "appointment_reminder", components: [{ parameters: [{ text: "there" }] }] });
    await parley.postWebhook(textWebhook(waId, "Confirm").body);
    await eventually(() => parley.textsTo(waId).length === 1, 10_000, "the confirmation");
    expect(parley.textsTo(waId)).toEqual(["Great, see you tomorrow! 👋"]);
    const run = await eventually(async () => (await db().flowRun.findFirst({ where: { flowId, status: "completed" } })) ?? undefined, 10_000, "the run to complete");
    expect(run).toMatchObject({ triggerKind: "schedule", triggerMessageId: null });
  });
});

describe("API event trigger", () => {
  test("refuses a missing key, an invalid event and an event no flow listens to, each with its reason", async () => {
    expect((await postEvent({ event: "order.shipped", to: "34600000001" }, null)).status).toBe(401);
    expect((await postEvent({ event: "order.shipped", to: "34600000001" }, "pk_notARealKeyButLongEnough123")).status).toBe(401);
    const invalid = await postEvent({ event: "order shipped", to: "12" });
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).issues.map((i: { path: string }) => i.path).sort()).toEqual(["event", "to"]);
    const unknown = await postEvent({ event: "order.lost", to: "34600000001" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: "No published flow starts on the event “order.lost”." });
  });

  test("starts the flow for the number with the event's data, once per event id", async () => {
    const waId = "34600000555";
    const event = { event: "order.shipped", to: `+${waId}`, id: "shipment-A1001", data: { order_id: "A1001" } };
    const accepted = await postEvent(event);
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toMatchObject({ accepted: true, id: "shipment-A1001" });
    expect((await postEvent(event)).status).toBe(202);
    await eventually(() => templatesTo(waId).length === 1, 15_000, "the shipping template");
    expect(templatesTo(waId)[0]).toMatchObject({ name: "order_shipped", components: [{ parameters: [{ text: "A1001" }] }] });
    const runs = await eventually(async () => {
      const rows = await db().flowRun.findMany({ where: { conversation: { contact: { waId } } } });
      return rows.length === 1 && rows[0]!.status === "completed" ? rows : undefined;
    }, 10_000, "the run to complete");
    expect(runs[0]).toMatchObject({ triggerKind: "event", triggerData: { name: "order.shipped", data: { order_id: "A1001" } } });
    // The repeated post started nothing new.
    expect(await db().flowRun.count({ where: { conversation: { contact: { waId } } } })).toBe(1);
    expect(templatesTo(waId)).toHaveLength(1);
  });

  test("an event for a contact in the middle of a conversation waits until that conversation's run ends", async () => {
    const waId = "34600000666";
    await parley.postWebhook(textWebhook(waId, "survey").body);
    await eventually(() => parley.textsTo(waId).length === 1, 10_000, "the survey question");
    expect((await postEvent({ event: "order.shipped", to: waId, data: { order_id: "B2" } })).status).toBe(202);
    // The contact's answer still goes to the survey, not to the event's flow.
    await parley.postWebhook(textWebhook(waId, "5").body);
    await eventually(() => templatesTo(waId).length === 1, 20_000, "the shipping template after the survey");
    const sent = parley.graph.requests.filter((r) => r.body.to === waId).map((r) => (r.body.type === "text" ? (r.body.text as { body: string }).body : r.body.type));
    expect(sent).toEqual(["How did we do, 1 to 5?", "Thanks for the 5!", "template"]);
  });
});
