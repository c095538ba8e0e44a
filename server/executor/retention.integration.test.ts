// Retention (finished runs, old events and expired keys are pruned in bounded batches by the
// worker loop) and the metrics snapshot.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startHarness, type Harness } from "./testing";

let h: Harness;
const DAY = 24 * 3_600_000;

beforeAll(async () => {
  h = await startHarness(
    (inngest) => [
      inngest.createFunction({ id: "quick", triggers: [{ event: "test/quick" }] }, async ({ step }) => {
        await step.run("one", () => 1);
        return "ok";
      }),
      inngest.createFunction({ id: "dozer", triggers: [{ event: "test/dozer" }] }, async ({ step }) => {
        await step.sleep("nap", "1h");
      }),
      inngest.createFunction({ id: "bad", retries: 0, triggers: [{ event: "test/bad" }] }, async () => {
        throw new Error("nope");
      }),
    ],
    { executor: { retentionMs: 2 * DAY, pruneIntervalMs: 200 } },
  );
});

afterAll(async () => {
  await h?.close();
});

describe("retention", () => {
  it("prunes finished runs and events past the retention period, keeps the rest", async () => {
    const db = h.database.db;
    await h.inngest.send([{ name: "test/quick" }, { name: "test/quick" }, { name: "test/dozer" }]);
    await eventually(async () => (await db.executorRun.count({ where: { functionId: "parley-test-quick", status: "completed" } })) === 2);
    await eventually(async () => (await db.executorRun.count({ where: { status: "sleeping" } })) === 1);
    const [old, recent] = await db.executorRun.findMany({ where: { functionId: "parley-test-quick" }, orderBy: { seq: "asc" } });
    // Age one finished run, the sleeping run's timestamps, and one event past the period.
    const longAgo = new Date(Date.now() - 3 * DAY);
    await db.executorRun.update({ where: { id: old!.id }, data: { endedAt: longAgo, createdAt: longAgo } });
    await db.executorRun.updateMany({ where: { status: "sleeping" }, data: { createdAt: longAgo } });
    await db.executorEvent.updateMany({ where: { internalId: old!.eventId }, data: { receivedAt: longAgo } });
    await db.executorKey.create({
      data: { kind: "rateLimit", key: "x", runId: "r", at: longAgo, expiresAt: new Date(Date.now() - 1000) },
    });
    await eventually(async () => (await db.executorRun.count({ where: { id: old!.id } })) === 0, 10_000);
    await eventually(async () => (await db.executorKey.count()) === 0, 10_000);
    expect(await db.executorEvent.count({ where: { internalId: old!.eventId } })).toBe(0);
    expect(await db.executorRun.count({ where: { id: recent!.id } })).toBe(1);
    expect(await db.executorRun.count({ where: { status: "sleeping" } })).toBe(1);
    expect(await db.executorEvent.count({ where: { internalId: recent!.eventId } })).toBe(1);
  });
});

describe("metrics", () => {
  it("reports queue depth by status, run counters and step latency", async () => {
    await h.inngest.send([{ name: "test/quick" }, { name: "test/bad" }]);
    await eventually(async () => (await h.database.db.executorRun.count({ where: { functionId: "parley-test-bad", status: "failed" } })) === 1);
    await h.executor.idle();
    const snapshot = await h.executor.metrics();
    expect(snapshot.queue).toMatchObject({ queued: 0, running: 0, sleeping: 1, waiting: 0, due: 0 });
    expect(snapshot.runs.started).toBeGreaterThanOrEqual(5);
    expect(snapshot.runs.completed).toBeGreaterThanOrEqual(3);
    expect(snapshot.runs.failed).toBe(1);
    expect(snapshot.stepLatencyMs.count).toBeGreaterThan(0);
    expect(snapshot.stepLatencyMs.p50).toBeGreaterThan(0);
    expect(snapshot.stepLatencyMs.p99!).toBeGreaterThanOrEqual(snapshot.stepLatencyMs.p50!);
    expect(snapshot.pruned.runs).toBeGreaterThanOrEqual(1);
  });
});
