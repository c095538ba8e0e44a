// Conformance: step.invoke (result, error, timeout) and deterministic event ids from the SDK's
// x-inngest-event-id-seed header.
import { NonRetriableError } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startHarness, type Harness } from "./testing";

const counts = new Map<string, number>();
const bump = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

let h: Harness;

beforeAll(async () => {
  h = await startHarness((inngest) => {
    const double = inngest.createFunction({ id: "double", triggers: [{ event: "test/double" }] }, async ({ event, step }) => {
      const value = await step.run("compute", () => {
        bump("double:compute");
        return Number(event.data.n) * 2;
      });
      return { doubled: value, invoked: event.name };
    });
    const broken = inngest.createFunction({ id: "broken", retries: 0, triggers: [{ event: "test/broken" }] }, async () => {
      throw new NonRetriableError("child says no");
    });
    const slow = inngest.createFunction({ id: "slow", triggers: [{ event: "test/slow" }] }, async ({ step }) => {
      await step.sleep("long", "1h");
      return "late";
    });
    return [
      double,
      broken,
      slow,
      inngest.createFunction({ id: "parent", triggers: [{ event: "test/parent" }] }, async ({ step }) => {
        const before = await step.run("before", () => {
          bump("parent:before");
          return 21;
        });
        const result = await step.invoke("call-double", { function: double, data: { n: before } });
        const failed = await step.invoke("call-broken", { function: broken, data: {} }).then(
          () => "no error",
          (error: unknown) => (error instanceof Error ? error.message : String(error)),
        );
        const timedOut = await step.invoke("call-slow", { function: slow, data: {}, timeout: "1s" }).then(
          () => "no timeout",
          (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)),
        );
        await step.run("after", () => bump("parent:after"));
        return { result, failed, timedOut };
      }),
    ];
  });
});

afterAll(async () => {
  await h?.close();
});

describe("step.invoke", () => {
  it("resolves with the child's result, its error, or a timeout error", async () => {
    await h.inngest.send({ name: "test/parent" });
    const parent = await eventually(async () => {
      const run = await h.database.db.executorRun.findFirst({ where: { functionId: "parley-test-parent" } });
      return run?.status === "completed" ? run : null;
    }, 20_000);
    const output = parent.output as { result: unknown; failed: string; timedOut: string };
    expect(output.result).toEqual({ doubled: 42, invoked: "inngest/function.invoked" });
    expect(output.failed).toMatch(/child says no/);
    expect(output.timedOut).toMatch(/Timed out/);
    expect([counts.get("parent:before"), counts.get("parent:after"), counts.get("double:compute")]).toEqual([1, 1, 1]);
    const children = await h.database.db.executorRun.findMany({ where: { correlationId: { startsWith: `${parent.id}.` } } });
    expect(children.map((c) => [c.functionId, c.status]).sort()).toEqual([
      ["parley-test-broken", "failed"],
      ["parley-test-double", "completed"],
      ["parley-test-slow", "sleeping"],
    ]);
  });
});

describe("event id seed", () => {
  it("derives the same ids from the same x-inngest-event-id-seed, so a retried send starts nothing twice", async () => {
    const seed = `${Date.now()},${Buffer.from("0123456789").toString("base64")}`;
    const post = async () => {
      const response = await fetch(`${h.executor.url}/e/${h.eventKey}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-inngest-event-id-seed": seed },
        body: JSON.stringify([
          { name: "test/double", data: { n: 1 } },
          { name: "test/double", data: { n: 2 } },
        ]),
      });
      return ((await response.json()) as { ids: string[] }).ids;
    };
    const first = await post();
    const second = await post();
    expect(first).toEqual(second);
    expect(new Set(first).size).toBe(2);
    expect(first[0]).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    await h.executor.idle();
    const runs = await h.database.db.executorRun.findMany({
      where: { functionId: "parley-test-double", correlationId: null, eventId: { not: "" } },
    });
    const fromSeed = runs.filter((r) => first.includes((r.event as { id: string }).id));
    expect(fromSeed).toHaveLength(2);
  });

  it("accepts the SDK's own sends (which carry a seed) with distinct ids per send", async () => {
    const a = await h.inngest.send({ name: "test/none" });
    const b = await h.inngest.send({ name: "test/none" });
    expect(a.ids[0]).not.toEqual(b.ids[0]);
    expect(await h.database.db.executorEvent.count({ where: { id: { in: [...a.ids, ...b.ids] } } })).toBe(2);
  });
});
