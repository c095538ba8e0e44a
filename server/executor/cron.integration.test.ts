// Conformance: cron triggers (time zones, persisted ticks across a restart).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nextTick } from "./cron";
import { eventually, sleep, startHarness, type Harness } from "./testing";

let h: Harness;

beforeAll(async () => {
  h = await startHarness((inngest) => [
    inngest.createFunction({ id: "weekday-paris", triggers: [{ cron: "TZ=Europe/Paris 0 9 * * 1-5" }] }, async () => "morning"),
    // A seconds field (cron-parser accepts six fields) keeps the test short.
    inngest.createFunction({ id: "every-second", triggers: [{ cron: "* * * * * *" }] }, async ({ event }) => ({
      name: event.name,
      cron: event.data.cron,
    })),
  ]);
});

afterAll(async () => {
  await h?.close();
});

function parisParts(date: Date) {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/Paris",
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value;
  return { weekday: get("weekday"), time: `${get("hour")}:${get("minute")}` };
}

describe("cron triggers", () => {
  it("computes ticks in the schedule's time zone, across daylight saving changes", () => {
    // Friday 27 March 2026 10:00 Paris (CET, UTC+1) → Monday 30 March 09:00 CEST (UTC+2).
    expect(nextTick("TZ=Europe/Paris 0 9 * * 1-5", new Date("2026-03-27T09:00:00Z"))).toEqual(new Date("2026-03-30T07:00:00Z"));
    expect(nextTick("TZ=Europe/Paris 0 9 * * 1-5", new Date("2026-01-05T07:30:00Z"))).toEqual(new Date("2026-01-05T08:00:00Z"));
    expect(nextTick("TZ=Nowhere/City 0 9 * * *", new Date())).toBeInstanceOf(Error);
    expect(nextTick("not a cron", new Date())).toBeInstanceOf(Error);
  });

  it("stores the next tick of each schedule at registration", async () => {
    const row = await h.database.db.executorCron.findFirst({ where: { functionId: "parley-test-weekday-paris" } });
    expect(row?.cron).toBe("TZ=Europe/Paris 0 9 * * 1-5");
    expect(row!.nextAt.getTime()).toBeGreaterThan(Date.now());
    const { weekday, time } = parisParts(row!.nextAt);
    expect(time).toBe("09:00");
    expect(["Mon", "Tue", "Wed", "Thu", "Fri"]).toContain(weekday);
  });

  it("keeps the stored next tick of an unchanged schedule when the app syncs again", async () => {
    const before = await h.database.db.executorCron.findFirst({ where: { functionId: "parley-test-weekday-paris" } });
    await h.executor.sync();
    const after = await h.database.db.executorCron.findFirst({ where: { functionId: "parley-test-weekday-paris" } });
    expect(after?.nextAt).toEqual(before?.nextAt);
  });

  it("starts a run per tick with inngest/scheduled.timer; a restart neither skips nor doubles a tick", async () => {
    const runs = () => h.database.db.executorRun.findMany({ where: { functionId: "parley-test-every-second" } });
    await eventually(async () => (await runs()).length >= 2, 10_000);
    const first = (await runs())[0];
    expect(first?.event).toMatchObject({ name: "inngest/scheduled.timer", data: { cron: "* * * * * *" } });
    await eventually(async () => (await runs())[0]?.status === "completed");
    expect((await runs())[0]?.output).toEqual({ name: "inngest/scheduled.timer", cron: "* * * * * *" });

    await h.executor.stop();
    await sleep(2_500); // ticks fall due while no executor runs
    const restarted = await h.restart();
    await sleep(1_500);
    await restarted.stop();
    const ticks = (await runs()).map((r) => Number((r.event as { ts: number }).ts)).sort((a, b) => a - b);
    // One run per second from the first tick to the last: no gap (skipped tick), no repeat.
    expect(new Set(ticks).size).toBe(ticks.length);
    for (let i = 1; i < ticks.length; i++) expect(ticks[i]! - ticks[i - 1]!).toBe(1_000);
    expect(ticks.length).toBeGreaterThanOrEqual(5);
  });
});
