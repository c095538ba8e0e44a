// Many conversations at once, each with a duplicated webhook: every contact gets each
// answer exactly once, and every conversation ends with one run (invariants 1–3).
import { expect, test } from "vitest";
import { db } from "@/server/db/client";
import { eventually, textWebhook, useParley } from "../support/parley";

const parley = useParley();

test("30 conversations started together, webhooks delivered twice, are each answered once", async () => {
  const contacts = Array.from({ length: 30 }, (_, i) => `3466600${String(i).padStart(4, "0")}`);
  const first = contacts.map((waId) => textWebhook(waId, "hi", { name: "Ana" }).body);
  // Meta delivers at least once: every webhook arrives twice, concurrently.
  const statuses = await Promise.all([...first, ...first].map((body) => parley.postWebhook(body).then((r) => r.status)));
  expect(statuses.every((status) => status === 200)).toBe(true);
  await eventually(() => contacts.every((waId) => parley.textsTo(waId).length >= 2), 60_000, "every greeting and question");

  await Promise.all(contacts.map((waId, i) => parley.postWebhook(textWebhook(waId, `Name ${i}`, { name: "Ana" }).body)));
  await eventually(() => contacts.every((waId) => parley.textsTo(waId).length >= 3), 60_000, "every thanks");
  // Give late duplicates a chance to show up before counting.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  contacts.forEach((waId, i) => {
    expect(parley.textsTo(waId)).toEqual(["Hi Ana! I'm Parley's demo bot.", "What should I call you?", `Nice to meet you, Name ${i}! Write again any time to start over.`]);
  });
  expect(await db().flowRun.count({ where: { status: "completed" } })).toBe(contacts.length);
  expect(await db().message.count({ where: { direction: "inbound" } })).toBe(contacts.length * 2);
});
