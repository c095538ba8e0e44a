// Each template with a conversation in it, published and run through the real executor
// and a fake Graph API: what the contact receives, in order, and the trace rows.
import { expect, test } from "vitest";
import { flowTemplate } from "@/flows/templates";
import { db } from "@/server/db/client";
import { eventually, useParley, textWebhook } from "../support/parley";

const parley = useParley();

async function say(waId: string, text: string, expectedCount: number) {
  await parley.postWebhook(textWebhook(waId, text).body);
  await eventually(() => parley.textsTo(waId).length >= expectedCount, 15_000, `${expectedCount} messages after “${text}”`);
}

test("numbered menu: re-asks after an invalid choice, then answers", async () => {
  await parley.publish("Menu", flowTemplate("menu")!.graph);
  const waId = "34633000001";
  await say(waId, "Menu", 1);
  await say(waId, "5", 3);
  await say(waId, " 1 ", 4);
  expect(parley.textsTo(waId)).toEqual([
    "How can I help? Reply 1 for opening hours, 2 for our address.",
    "Sorry, “5” is not on the menu.",
    "How can I help? Reply 1 for opening hours, 2 for our address.",
    "We are open Monday to Friday, 9:00–18:00.",
  ]);
  const run = await eventually(async () => {
    const latest = await db().flowRun.findFirstOrThrow({ where: { conversation: { contact: { waId } } }, include: { traces: { orderBy: { endedAt: "asc" } } } });
    return latest.status === "completed" ? latest : undefined;
  }, 10_000, "the run to complete");
  expect(run.traces.map((t) => [t.nodeId, t.port])).toEqual([
    ["start", "next"],
    ["ask_choice", "next"],
    ["route", "else"],
    ["retry", "next"],
    ["back", null],
    ["ask_choice", "next"],
    ["route", "hours"],
    ["hours", "next"],
  ]);
});

test("lead qualification: the answers are classified and a large team ready to buy is handed to sales", async () => {
  await parley.publish("Leads", flowTemplate("lead-qualification")!.graph);
  const waId = "34633000002";
  await say(waId, "what's your pricing?", 1);
  await say(waId, "Ana", 2);
  await say(waId, "Acme", 2);
  // The team size question is a button message: answer with the button's title.
  await eventually(() => parley.graph.requests.some((r) => r.body.to === waId && r.body.type === "interactive"), 15_000, "the team size buttons");
  await say(waId, "More than 50", 3);
  await say(waId, "send me a quote for 80 seats", 4);
  expect(parley.textsTo(waId)).toEqual([
    "Happy to help! What's your name?",
    "Thanks Ana! Which company are you with?",
    "Last one: what would you like to achieve with us?",
    "Great, Ana: a salesperson will write to you here within the hour.",
  ]);
  const run = await eventually(async () => {
    const latest = await db().flowRun.findFirstOrThrow({
      where: { conversation: { contact: { waId } } },
      include: { traces: { orderBy: { endedAt: "asc" } }, conversation: true },
    });
    return latest.status === "completed" ? latest : undefined;
  }, 10_000, "the run to complete");
  expect(run.traces.map((t) => [t.nodeId, t.port])).toEqual([
    ["start", "next"],
    ["name", "next"],
    ["company", "next"],
    ["size", "large"],
    ["need", "next"],
    ["intent", "buy"],
    ["big", "large"],
    ["sales", "next"],
  ]);
  expect(run.conversation.handoffReason).toBe("Hot lead: Acme, more than 50 people, ready to buy");
});
