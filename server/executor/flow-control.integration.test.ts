// Conformance of the embedded executor with the real SDK: flow control (debounce, cancelOn,
// idempotency, timeouts, rateLimit, throttle). Timings are asserted only as lower bounds
// (never started early) or generous upper bounds: the machine is shared.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, sleep, startHarness, type Harness } from "./testing";

const counts = new Map<string, number>();
const bump = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

let h: Harness;

beforeAll(async () => {
  h = await startHarness((inngest) => [
    inngest.createFunction(
      { id: "debounced", debounce: { key: "event.data.chat", period: "2s", timeout: "20s" }, triggers: [{ event: "test/msg" }] },
      async ({ event, step }) => {
        await step.run("turn", () => bump(`turn:${String(event.data.chat)}`));
        return { chat: event.data.chat, text: event.data.text };
      },
    ),
    inngest.createFunction(
      { id: "debounce-timeout", debounce: { period: "3s", timeout: "2s" }, triggers: [{ event: "test/chatter" }] },
      async ({ event }) => event.data.n,
    ),
    inngest.createFunction(
      {
        id: "cancellable",
        cancelOn: [{ event: "test/stop", match: "data.chat" }],
        onFailure: () => bump("cancellable:onFailure"),
        triggers: [{ event: "test/long" }],
      },
      async ({ event, step }) => {
        await step.run("begin", () => bump(`begin:${String(event.data.chat)}`));
        if (event.data.mode === "sleep") await step.sleep("nap", "1h");
        else await step.waitForEvent("reply", { event: "test/never", timeout: "1h" });
        await step.run("end", () => bump(`end:${String(event.data.chat)}`));
      },
    ),
    inngest.createFunction(
      { id: "cancel-if", cancelOn: [{ event: "test/stop-if", if: "async.data.all == true" }], triggers: [{ event: "test/long-if" }] },
      async ({ step }) => {
        await step.sleep("nap", "1h");
      },
    ),
    inngest.createFunction(
      { id: "restartable", cancelOn: [{ event: "test/restart", match: "data.chat" }], triggers: [{ event: "test/restart" }] },
      async ({ step }) => {
        await step.sleep("nap", "1h");
      },
    ),
    inngest.createFunction(
      { id: "cancel-window", cancelOn: [{ event: "test/stop-window", timeout: "1s" }], triggers: [{ event: "test/long-window" }] },
      async ({ step }) => {
        await step.sleep("nap", "1h");
      },
    ),
    inngest.createFunction({ id: "on-cancelled", triggers: [{ event: "inngest/function.cancelled" }] }, async ({ event }) => {
      bump(`cancelled-event:${String(event.data.function_id)}`);
    }),
    inngest.createFunction(
      { id: "idem", idempotency: "event.data.orderId", triggers: [{ event: "test/order" }] },
      async ({ event }) => {
        bump(`order:${String(event.data.orderId)}`);
        return event.data.n;
      },
    ),
    inngest.createFunction({ id: "finish-timeout", timeouts: { finish: "1s" }, triggers: [{ event: "test/slow" }] }, async ({ step }) => {
      await step.run("first", () => bump("slow:first"));
      await step.sleep("long", "30s");
      await step.run("never", () => bump("slow:never"));
    }),
    inngest.createFunction(
      { id: "start-timeout", timeouts: { start: "1s" }, concurrency: { limit: 1 }, triggers: [{ event: "test/queue" }] },
      async ({ event, step }) => {
        await step.run("hold", async () => {
          bump(`queue:${String(event.data.n)}`);
          await sleep(event.data.n === 0 ? 3_000 : 0);
        });
      },
    ),
    inngest.createFunction(
      { id: "limited", rateLimit: { limit: 2, period: "1m", key: "event.data.user" }, triggers: [{ event: "test/limited" }] },
      async ({ event }) => event.data.user,
    ),
    inngest.createFunction(
      { id: "throttled", throttle: { limit: 1, period: "1s" }, triggers: [{ event: "test/throttled" }] },
      async ({ event }) => event.data.n,
    ),
  ]);
});

afterAll(async () => {
  await h?.close();
});

async function runsOf(functionId: string) {
  return h.database.db.executorRun.findMany({ where: { functionId: `parley-test-${functionId}` }, orderBy: { seq: "asc" } });
}

describe("debounce", () => {
  it("starts one run per key after the period, with the last event of the burst", async () => {
    await h.inngest.send({ name: "test/msg", data: { chat: "a", text: "one" } });
    await sleep(200);
    await h.inngest.send({ name: "test/msg", data: { chat: "a", text: "two" } });
    await h.inngest.send({ name: "test/msg", data: { chat: "b", text: "solo" } });
    await sleep(200);
    const lastSentAt = Date.now();
    await h.inngest.send({ name: "test/msg", data: { chat: "a", text: "three" } });
    const runs = await eventually(async () => {
      const all = await runsOf("debounced");
      return all.length === 2 && all.every((r) => r.status === "completed") ? all : null;
    }, 15_000);
    const byChat = Object.fromEntries(runs.map((r) => [(r.output as { chat: string }).chat, r]));
    expect(byChat.a?.output).toEqual({ chat: "a", text: "three" });
    expect(byChat.b?.output).toEqual({ chat: "b", text: "solo" });
    // Not before the period after the last event of the burst.
    expect(byChat.a?.startedAt?.getTime()).toBeGreaterThanOrEqual(lastSentAt + 1_900);
    expect([counts.get("turn:a"), counts.get("turn:b")]).toEqual([1, 1]);
  });

  it("starts at the timeout even if the burst goes on", async () => {
    const first = Date.now();
    for (let n = 0; n < 8; n++) {
      await h.inngest.send({ name: "test/chatter", data: { n } });
      await sleep(400);
    }
    const runs = await eventually(async () => {
      const all = await runsOf("debounce-timeout");
      return all.length >= 2 && all.every((r) => r.status === "completed") ? all : null;
    }, 15_000);
    // The period (3 s) outlasts the timeout (2 s): the first run started at the timeout, not
    // after the whole burst (at least 2.8 s), with a mid-burst event; the last one carries the
    // last event.
    expect(runs[0]?.startedAt?.getTime()).toBeGreaterThanOrEqual(first + 1_900);
    expect(runs[0]?.output).toBeLessThan(7);
    expect(runs.at(-1)?.output).toBe(7);
  });
});

describe("cancelOn", () => {
  it("cancels a sleeping and a waiting run whose match fits, and emits inngest/function.cancelled", async () => {
    await h.inngest.send([
      { name: "test/long", data: { chat: "x", mode: "sleep" } },
      { name: "test/long", data: { chat: "y", mode: "wait" } },
      { name: "test/long", data: { chat: "z", mode: "sleep" } },
    ]);
    await eventually(async () => {
      const runs = await runsOf("cancellable");
      return runs.length === 3 && runs.every((r) => r.status === "sleeping" || r.status === "waiting");
    });
    await h.inngest.send([
      { name: "test/stop", data: { chat: "x" } },
      { name: "test/stop", data: { chat: "y" } },
    ]);
    const runs = await eventually(async () => {
      const all = await runsOf("cancellable");
      return all.filter((r) => r.status === "cancelled").length === 2 ? all : null;
    });
    const status = Object.fromEntries(runs.map((r) => [(r.event as { data: { chat: string } }).data.chat, r.status]));
    expect(status).toEqual({ x: "cancelled", y: "cancelled", z: "sleeping" });
    expect(await h.database.db.executorWait.count({ where: { runId: runs.find((r) => r.status === "cancelled")?.id } })).toBe(0);
    await eventually(async () => counts.get("cancelled-event:parley-test-cancellable") === 2);
    const cancelled = await h.database.db.executorEvent.findMany({ where: { name: "inngest/function.cancelled" } });
    expect(cancelled.map((e) => (e.data as { run_id: string }).run_id).sort()).toEqual(
      runs.filter((r) => r.status === "cancelled").map((r) => r.id).sort(),
    );
    expect(counts.get("end:x")).toBeUndefined();
    expect(counts.get("cancellable:onFailure")).toBeUndefined();
  });

  it("lets a new event cancel the previous run of the same function, not the run it starts", async () => {
    await h.inngest.send({ name: "test/restart", data: { chat: "r" } });
    await eventually(async () => (await runsOf("restartable"))[0]?.status === "sleeping");
    await h.inngest.send({ name: "test/restart", data: { chat: "r" } });
    await eventually(async () => {
      const runs = await runsOf("restartable");
      return runs.length === 2 && runs[0]?.status === "cancelled" && runs[1]?.status === "sleeping";
    });
  });

  it("cancels with an `if` expression", async () => {
    await h.inngest.send({ name: "test/long-if" });
    await eventually(async () => (await runsOf("cancel-if"))[0]?.status === "sleeping");
    await h.inngest.send({ name: "test/stop-if", data: { all: false } });
    await sleep(300);
    expect((await runsOf("cancel-if"))[0]?.status).toBe("sleeping");
    await h.inngest.send({ name: "test/stop-if", data: { all: true } });
    await eventually(async () => (await runsOf("cancel-if"))[0]?.status === "cancelled");
  });

  it("honours the cancelOn timeout: a cancel event after the window cancels nothing", async () => {
    await h.inngest.send({ name: "test/long-window" });
    await eventually(async () => (await runsOf("cancel-window"))[0]?.status === "sleeping");
    await sleep(1_300);
    await h.inngest.send({ name: "test/stop-window" });
    await sleep(300);
    expect((await runsOf("cancel-window"))[0]?.status).toBe("sleeping");
  });
});

describe("idempotency", () => {
  it("starts one run per key value within 24 hours", async () => {
    await h.inngest.send([
      { name: "test/order", data: { orderId: "o1", n: 1 } },
      { name: "test/order", data: { orderId: "o1", n: 2 } },
      { name: "test/order", data: { orderId: "o2", n: 3 } },
    ]);
    await h.inngest.send({ name: "test/order", data: { orderId: "o1", n: 4 } });
    await eventually(async () => (await runsOf("idem")).filter((r) => r.status === "completed").length === 2);
    await h.executor.idle();
    const runs = await runsOf("idem");
    expect(runs.map((r) => r.output)).toEqual([1, 3]);
    expect([counts.get("order:o1"), counts.get("order:o2")]).toEqual([1, 1]);
  });
});

describe("timeouts", () => {
  it("cancels a run that does not finish within timeouts.finish", async () => {
    await h.inngest.send({ name: "test/slow" });
    const run = await eventually(async () => {
      const [r] = await runsOf("finish-timeout");
      return r?.status === "cancelled" ? r : null;
    }, 10_000);
    expect(run.endedAt!.getTime() - run.startedAt!.getTime()).toBeGreaterThanOrEqual(900);
    expect(counts.get("slow:first")).toBe(1);
    expect(counts.get("slow:never")).toBeUndefined();
    expect(run.error).toMatchObject({ name: "FunctionTimeout" });
  });

  it("cancels a run that does not start within timeouts.start", async () => {
    await h.inngest.send({ name: "test/queue", data: { n: 0 } });
    await eventually(async () => counts.get("queue:0") === 1);
    await h.inngest.send({ name: "test/queue", data: { n: 1 } });
    const runs = await eventually(async () => {
      const all = await runsOf("start-timeout");
      return all.length === 2 && all.every((r) => r.status === "completed" || r.status === "cancelled") ? all : null;
    }, 15_000);
    expect(runs.map((r) => r.status)).toEqual(["completed", "cancelled"]);
    expect(runs[1]?.startedAt).toBeNull();
    expect(counts.get("queue:1")).toBeUndefined();
  });
});

describe("rateLimit and throttle", () => {
  it("rateLimit skips events over the limit per key and period", async () => {
    await h.inngest.send(Array.from({ length: 5 }, () => ({ name: "test/limited", data: { user: "u1" } })));
    await h.inngest.send({ name: "test/limited", data: { user: "u2" } });
    await eventually(async () => (await runsOf("limited")).filter((r) => r.status === "completed").length === 3);
    await h.executor.idle();
    const runs = await runsOf("limited");
    expect(runs.map((r) => r.output).sort()).toEqual(["u1", "u1", "u2"]);
  });

  it("throttle delays starts to the limit per period, losing none", async () => {
    const sentAt = Date.now();
    await h.inngest.send(Array.from({ length: 3 }, (_, n) => ({ name: "test/throttled", data: { n } })));
    const runs = await eventually(async () => {
      const all = await runsOf("throttled");
      return all.length === 3 && all.every((r) => r.status === "completed") ? all : null;
    }, 15_000);
    const starts = runs.map((r) => r.startedAt!.getTime()).sort((a, b) => a - b);
    // Slots are one period apart from the first start (a late first start does not shift them).
    expect(starts[1]!).toBeGreaterThanOrEqual(sentAt + 1_000);
    expect(starts[2]!).toBeGreaterThanOrEqual(sentAt + 2_000);
  });
});
