import { describe, expect, test } from "vitest";
import { flowStart, compileFlow } from "../../compiler";
import type { FlowGraph } from "../../schema";
import { inbound, runScripted } from "../../testing";
import { validateFlow } from "../../validator";
import { appointmentReminderFlow } from "../../templates/appointment-reminder";
import schedule from ".";

const scheduleNode = (config: Record<string, unknown>) => ({ id: "start", type: "schedule", version: 1, config, position: { x: 0, y: 0 } });
const errorsOf = (config: Record<string, unknown>) =>
  validateFlow({ nodes: [scheduleNode(config)], edges: [] })
    .filter((d) => d.severity === "error")
    .map((d) => d.message);
const base = { cron: "0 9 * * 1-5", timezone: "Europe/Paris", audience: "list", phones: ["+34 600 000 001"] };

describe("schedule trigger: configuration", () => {
  test("a weekday schedule in a time zone, for a list of numbers, is valid and described in words", () => {
    expect(errorsOf(base)).toEqual([]);
    const config = schedule.config.parse(base);
    expect(config.phones).toEqual(["34600000001"]);
    expect(schedule.summary(config)).toBe("At 09:00, Monday through Friday (Europe/Paris) → 1 number");
    expect(schedule.summary(schedule.config.parse({ ...base, audience: "recent", recentDays: 7 }))).toMatch(/everyone who wrote in the last 7 days$/);
  });

  test("a bad schedule, zone or number is a diagnostic on its field", () => {
    expect(errorsOf({ ...base, cron: "0 9 * *" })).toEqual(["cron: use five fields: minute hour day month weekday"]);
    expect(errorsOf({ ...base, cron: "0 25 * * *" })).toEqual([expect.stringMatching(/^cron: not a valid schedule/)]);
    expect(errorsOf({ ...base, timezone: "Europe/Atlantis" })).toEqual(["timezone: not a time zone: use a name like Europe/Paris"]);
    expect(errorsOf({ ...base, phones: ["600 000"] })).toEqual(["phones.0: a phone number with its country code, like +34 600 000 001"]);
    expect(errorsOf({ ...base, phones: [] })).toEqual(["phones: add at least one phone number"]);
  });

  test("the compiled flow starts on the schedule, in its time zone, for its audience", () => {
    expect(flowStart(compileFlow(appointmentReminderFlow.graph))).toEqual({
      kind: "schedule",
      cron: "0 18 * * *",
      timezone: "Europe/Madrid",
      audience: { kind: "list", phones: ["34600000001"] },
    });
  });
});

describe("schedule trigger: the 24-hour window", () => {
  const flow = (first: Record<string, unknown>): FlowGraph => ({
    nodes: [
      scheduleNode(base),
      { id: "first", type: "reply", version: 1, config: first, position: { x: 0, y: 100 } },
      { id: "ask", type: "ask", version: 1, config: { question: "", variable: "answer" }, position: { x: 0, y: 200 } },
      { id: "after", type: "reply", version: 1, config: { text: "Thanks!" }, position: { x: 0, y: 300 } },
    ],
    edges: [
      { id: "e1", from: "start", port: "next", to: "first" },
      { id: "e2", from: "first", port: "next", to: "ask" },
      { id: "e3", from: "ask", port: "next", to: "after" },
    ],
  });

  test("a free-form message before the contact answers is an error; a template is fine, and so is anything after the answer", () => {
    expect(validateFlow(flow({ text: "Reminder: tomorrow at 10" }))).toContainEqual(
      expect.objectContaining({ severity: "error", nodeId: "first", message: expect.stringMatching(/outside the 24-hour window/) }),
    );
    expect(validateFlow(flow({ kind: "template", templateName: "reminder", language: "en" })).filter((d) => d.severity === "error")).toEqual([]);
  });

  test("a free-form message whose “window closed” output leads to a template is fine: the refusal is handled", () => {
    const graph = flow({ text: "Reminder: tomorrow at 10" });
    graph.nodes.push({ id: "fallback", type: "reply", version: 1, config: { kind: "template", templateName: "reminder", language: "en" }, position: { x: 200, y: 100 } });
    graph.edges.push({ id: "e4", from: "first", port: "window_closed", to: "fallback" });
    expect(validateFlow(graph).filter((d) => d.nodeId === "first")).toEqual([]);
  });

  test("an event-started flow gets a warning instead: the contact may have written recently", () => {
    const graph = flow({ text: "Your order shipped" });
    graph.nodes[0] = { id: "start", type: "api_event", version: 1, config: { event: "order.shipped" }, position: { x: 0, y: 0 } };
    expect(validateFlow(graph)).toContainEqual(expect.objectContaining({ severity: "warning", nodeId: "first", message: expect.stringMatching(/24 hours/) }));
  });
});

describe("appointment reminder template", () => {
  const tick = { kind: "schedule" as const, data: { firedAt: "2026-11-23T17:00:00.000Z" } };

  test("sends the template, then confirms on “Confirm”", async () => {
    const run = await runScripted(appointmentReminderFlow.graph, null, [inbound("Confirm", "confirm-payload")], { trigger: tick, contact: { name: "Ana" } });
    expect(run.sent).toEqual([
      { type: "template", name: "appointment_reminder", language: "en", bodyParameters: ["Ana"] },
      { type: "text", text: "Great, see you tomorrow! 👋" },
    ]);
    expect(run.status).toBe("completed");
    expect(run.traces.map((t) => [t.nodeId, t.port])).toEqual([
      ["start", "next"],
      ["reminder", "next"],
      ["answer", "confirm"],
      ["confirmed", "next"],
    ]);
    expect(run.traces[0]!.output).toEqual({ firedAt: "2026-11-23T17:00:00.000Z" });
  });

  test("cancels on “cancel”, and hands an unclear answer to the team after one retry", async () => {
    const cancelled = await runScripted(appointmentReminderFlow.graph, null, ["cancel"], { trigger: tick });
    expect(cancelled.sent.at(-1)).toEqual({ type: "text", text: "Your appointment is cancelled. Write “book” whenever you would like a new one." });
    const unclear = await runScripted(appointmentReminderFlow.graph, null, ["maybe?", "what"], { trigger: tick });
    expect(unclear.sent.slice(1).map((m) => m.type)).toEqual(["buttons", "text"]);
    expect(unclear.handedOff).toBe("Unclear answer to the appointment reminder");
  });
});
