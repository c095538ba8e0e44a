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
