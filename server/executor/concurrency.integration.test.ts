// Conformance: concurrency limits per key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, sleep, startHarness, type Harness } from "./testing";

const active = new Map<string, number>();
const maxActive = new Map<string, number>();
const order: string[] = [];
let maxOverall = 0;
let overall = 0;

let h: Harness;

beforeAll(async () => {
  h = await startHarness((inngest) => [
    inngest.createFunction(
      {
        id: "per-conversation",
        concurrency: { limit: 1, key: "event.data.conversationId" },
        triggers: [{ event: "test/message" }],
      },
      async ({ event, step }) => {
        const key = String(event.data.conversationId);
        await step.run("handle", async () => {
          active.set(key, (active.get(key) ?? 0) + 1);
          overall++;
          maxOverall = Math.max(maxOverall, overall);
          maxActive.set(key, Math.max(maxActive.get(key) ?? 0, active.get(key) ?? 0));
          order.push(`${key}:${String(event.data.n)}`);
          await sleep(150);
          active.set(key, (active.get(key) ?? 1) - 1);
          overall--;
        });
        return "ok";
      },
    ),
  ]);
});

afterAll(async () => {
  await h?.close();
});

describe("concurrency", () => {
  it("runs at most `limit` runs per key at once, in arrival order, while other keys proceed", async () => {
    for (let n = 0; n < 4; n++) {
      await h.inngest.send([
        { name: "test/message", data: { conversationId: "A", n } },
        { name: "test/message", data: { conversationId: "B", n } },
      ]);
    }
    await eventually(async () => (await h.database.db.executorRun.count({ where: { status: "completed" } })) === 8, 10_000);
    expect(maxActive.get("A")).toBe(1);
    expect(maxActive.get("B")).toBe(1);
    // Different keys do not wait for each other.
    expect(maxOverall).toBe(2);
    expect(order.filter((o) => o.startsWith("A:"))).toEqual(["A:0", "A:1", "A:2", "A:3"]);
    expect(order.filter((o) => o.startsWith("B:"))).toEqual(["B:0", "B:1", "B:2", "B:3"]);
  });
});
