// Readiness as an operator reads it: database and executor reachable, and when the last
// WhatsApp message arrived ("why doesn't my bot answer?").
import { expect, test } from "vitest";
import { readiness } from "@/server/observability/health";
import { eventually, textWebhook, useParley } from "../support/parley";

const parley = useParley();

test("readiness reports the database, the executor and the age of the last message", async () => {
  const before = await readiness();
  expect(before.map((check) => [check.name, check.ok])).toEqual([
    ["database", true],
    ["executor", true],
    ["webhooks", true],
  ]);
  expect(before.find((check) => check.name === "webhooks")?.detail).toMatch(/^no message received yet/);

  await parley.postWebhook(textWebhook("34633000001", "hello").body);
  await eventually(() => parley.textsTo("34633000001").length > 0, 10_000, "the greeting");
  const after = await readiness();
  expect(after.find((check) => check.name === "webhooks")?.detail).toMatch(/^last message received \d+ s ago/);
});

test("an unreachable executor makes the app not ready, with the reason", async () => {
  const configured = process.env.INNGEST_BASE_URL;
  process.env.INNGEST_BASE_URL = "http://127.0.0.1:9";
  try {
    const executor = (await readiness()).find((check) => check.name === "executor");
    expect(executor).toMatchObject({ ok: false, detail: expect.stringMatching(/fetch failed|ECONNREFUSED/) });
  } finally {
    process.env.INNGEST_BASE_URL = configured;
  }
});
