// With PARLEY_BURST_WINDOW, quick consecutive messages are one turn: one run starts on the
// whole burst, and an answer typed in pieces is taken as one answer.
import { expect, test } from "vitest";
import { db } from "@/server/db/client";
import { eventually, useParley, textWebhook } from "../support/parley";

const parley = useParley({ env: { PARLEY_BURST_WINDOW: "2s" } });

test("a burst of messages starts one run, and an answer in pieces is one answer", async () => {
  const waId = "34622000001";
  for (const text of ["hi", "I have a question", "about my order"]) {
    expect((await parley.postWebhook(textWebhook(waId, text, { name: "Ana" }).body)).status).toBe(200);
  }
  await eventually(() => parley.textsTo(waId).length >= 2, 20_000, "the greeting and the question");
  const run = await db().flowRun.findFirstOrThrow({ where: { conversation: { contact: { waId } } }, include: { traces: true } });
  expect(run.traces.find((t) => t.nodeId === "start")?.output).toMatchObject({ text: "hi\nI have a question\nabout my order" });
  await eventually(async () => (await db().flowRun.findUniqueOrThrow({ where: { id: run.id } })).status === "waiting", 10_000, "the question");

  await parley.postWebhook(textWebhook(waId, "Ana", { name: "Ana" }).body);
  await parley.postWebhook(textWebhook(waId, "María", { name: "Ana" }).body);
  await eventually(() => parley.textsTo(waId).length >= 3, 20_000, "the thanks");
  expect(parley.textsTo(waId)).toEqual(["Hi Ana! I'm Parley's demo bot.", "What should I call you?", "Nice to meet you, Ana\nMaría! Write again any time to start over."]);
  expect(await db().flowRun.count({ where: { conversation: { contact: { waId } } } })).toBe(1);
});
