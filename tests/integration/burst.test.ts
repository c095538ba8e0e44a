// With PARLEY_BURST_WINDOW, quick consecutive messages are one turn: one run starts on the
// whole burst, and an answer typed in pieces is taken as one answer.
import { afterAll, beforeAll, expect, test } from "vitest";
import { db } from "@/server/db/client";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { eventually, startParley, textWebhook, type TestParley } from "../support/parley";

let database: TestDatabase;
let parley: TestParley;

beforeAll(async () => {
  process.env.PARLEY_BURST_WINDOW = "2s";
  database = await createTestDatabase();
  parley = await startParley(database);
});

afterAll(async () => {
  await parley?.stop();
  await database?.drop();
  delete process.env.PARLEY_BURST_WINDOW;
});

const sentTo = (waId: string) =>
  parley.graph.requests.filter((r) => r.body.to === waId && r.body.type === "text").map((r) => String((r.body.text as { body: string }).body));

test("a burst of messages starts one run, and an answer in pieces is one answer", async () => {
  const waId = "34622000001";
  for (const text of ["hi", "I have a question", "about my order"]) {
    expect((await parley.postWebhook(textWebhook(waId, text, { name: "Ana" }).body)).status).toBe(200);
  }
  await eventually(() => sentTo(waId).length >= 2, 20_000, "the greeting and the question");
  const run = await db().flowRun.findFirstOrThrow({ where: { conversation: { contact: { waId } } }, include: { traces: true } });
  expect(run.traces.find((t) => t.nodeId === "start")?.output).toMatchObject({ text: "hi\nI have a question\nabout my order" });
  await eventually(async () => (await db().flowRun.findUniqueOrThrow({ where: { id: run.id } })).status === "waiting", 10_000, "the question");

  await parley.postWebhook(textWebhook(waId, "Ana", { name: "Ana" }).body);
  await parley.postWebhook(textWebhook(waId, "María", { name: "Ana" }).body);
  await eventually(() => sentTo(waId).length >= 3, 20_000, "the thanks");
  expect(sentTo(waId)).toEqual(["Hi Ana! I'm Parley's demo bot.", "What should I call you?", "Nice to meet you, Ana\nMaría! Write again any time to start over."]);
  expect(await db().flowRun.count({ where: { conversation: { contact: { waId } } } })).toBe(1);
});
