// What the Inngest SDK promises the functions it runs, checked against an executor: Parley's
// embedded one by default, or the server named by CONFORMANCE_EXECUTOR_URL (see target.ts
// and docs/executor.md). Each scenario is observed the same way on both: through the
// functions' effects in this process and Inngest's REST API (GET /v1/events/:id/runs).
import { NonRetriableError, type Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ApiRun } from "@/server/executor/runs-api";
import { startTarget, type ConformanceTarget } from "./target";

const calls = new Map<string, number>();
const count = (key: string) => calls.set(key, (calls.get(key) ?? 0) + 1);
const callsOf = (key: string) => calls.get(key) ?? 0;
const seen = new Map<string, unknown>();
let running = 0;
let mostRunning = 0;
const failures: string[] = [];

function functions(inngest: Inngest) {
  const child = inngest.createFunction({ id: "child", triggers: [{ event: "conf/child" }] }, async ({ event }) => ({ doubled: Number(event.data.n) * 2 }));
  return [
    child,
    inngest.createFunction({ id: "memoized", triggers: [{ event: "conf/memoized" }] }, async ({ event, step }) => {
      const a = await step.run("a", () => (count(`a:${event.data.tag}`), 1));
      const b = await step.run("b", () => (count(`b:${event.data.tag}`), a + 1));
      await step.sleep("pause", "1s");
      const c = await step.run("c", () => (count(`c:${event.data.tag}`), b + 1));
      return { sum: a + b + c };
    }),
    inngest.createFunction({ id: "parallel", triggers: [{ event: "conf/parallel" }] }, async ({ event, step }) => {
      const [left, right] = await Promise.all([
        step.run("left", () => (count(`left:${event.data.tag}`), "L")),
        step.run("right", () => (count(`right:${event.data.tag}`), "R")),
      ]);
      return `${left}${right}`;
    }),
    inngest.createFunction({ id: "waiter", triggers: [{ event: "conf/wait.start" }] }, async ({ step }) => {
      const reply = await step.waitForEvent("reply", { event: "conf/wait.reply", match: "data.ticket", timeout: "20s" });
      const none = await step.waitForEvent("nobody", { event: "conf/never", match: "data.ticket", timeout: "1s" });
      return { reply: (reply?.data as { answer?: string } | undefined)?.answer ?? null, none };
    }),
    inngest.createFunction({ id: "sender", triggers: [{ event: "conf/send" }] }, async ({ event, step }) => {
      await step.sendEvent("fan-out", { name: "conf/sent", data: { tag: event.data.tag } });
      return "sent";
    }),
    inngest.createFunction({ id: "receiver", triggers: [{ event: "conf/sent" }] }, async ({ event }) => {
      count(`received:${event.data.tag}`);
      return "received";
    }),
    inngest.createFunction({ id: "parent", triggers: [{ event: "conf/parent" }] }, async ({ step }) =>
      step.invoke("call-child", { function: child, data: { n: 21 }, timeout: "30s" }),
    ),
    inngest.createFunction({ id: "flaky", retries: 3, triggers: [{ event: "conf/flaky" }] }, async ({ event, attempt }) => {
      count(`flaky:${event.data.tag}`);
      if (attempt < 2) throw new Error(`attempt ${attempt} fails`);
      return { attempt };
    }),
    inngest.createFunction(
      {
        id: "doomed",
        retries: 3,
        triggers: [{ event: "conf/doomed" }],
        onFailure: async ({ event }) => {
          failures.push(String((event.data.event.data as { tag: string }).tag));
        },
      },
      async ({ event }) => {
        count(`doomed:${event.data.tag}`);
        throw new NonRetriableError("no point retrying");
      },
    ),
    inngest.createFunction({ id: "filtered", triggers: [{ event: "conf/filtered", if: "event.data.go == true" }] }, async ({ event }) => {
      count(`filtered:${event.data.tag}`);
      return "ran";
    }),
    inngest.createFunction(
      { id: "cancellable", cancelOn: [{ event: "conf/cancel", match: "data.ticket" }], triggers: [{ event: "conf/cancellable" }] },
      async ({ event, step }) => {
        await step.sleep("long", "60s");
        count(`woke:${event.data.ticket}`);
      },
    ),
    inngest.createFunction(
      { id: "one-at-a-time", concurrency: [{ key: "event.data.queue", limit: 1 }], triggers: [{ event: "conf/queued" }] },
      async ({ step }) => {
        await step.run("work", async () => {
          running++;
          mostRunning = Math.max(mostRunning, running);
          await new Promise((resolve) => setTimeout(resolve, 300));
          running--;
        });
      },
    ),
    inngest.createFunction({ id: "debounced", debounce: { key: "event.data.who", period: "2s" }, triggers: [{ event: "conf/typing" }] }, async ({ event }) => {
      seen.set(`debounced:${event.data.who}`, event.data.text);
      count(`debounced:${event.data.who}`);
    }),
    inngest.createFunction({ id: "once", idempotency: "event.data.order", triggers: [{ event: "conf/once" }] }, async ({ event }) => {
      count(`once:${event.data.order}`);
    }),
  ];
}

let target: ConformanceTarget;
beforeAll(async () => {
  target = await startTarget(functions);
});
afterAll(async () => {
  await target?.close();
});

const unique = () => Math.random().toString(36).slice(2, 10);

async function send(name: string, data: Record<string, unknown>, id?: string): Promise<string> {
  const { ids } = await target.inngest.send({ name, data, ...(id ? { id } : {}) });
  return ids[0]!;
}

/** Polls until `check` holds, for as long as the target deserves. */
async function until<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string): Promise<T> {
  const deadline = Date.now() + target.patienceMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`${target.name}: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function finished(eventId: string): Promise<ApiRun> {
  return until(async () => (await target.runsOf(eventId)).find((run) => run.status !== "Running"), `the run of event ${eventId} to end`);
}

describe("steps", () => {
  test("step.run results are memoized: each step body runs once across the requests of a run, and a sleep resumes it", async () => {
    const tag = unique();
    const run = await finished(await send("conf/memoized", { tag }));
    expect(run).toMatchObject({ status: "Completed", output: { sum: 6 } });
    expect([callsOf(`a:${tag}`), callsOf(`b:${tag}`), callsOf(`c:${tag}`)]).toEqual([1, 1, 1]);
  });

  test("parallel steps each run once and both results reach the function", async () => {
    const tag = unique();
    const run = await finished(await send("conf/parallel", { tag }));
    expect(run).toMatchObject({ status: "Completed", output: "LR" });
    expect([callsOf(`left:${tag}`), callsOf(`right:${tag}`)]).toEqual([1, 1]);
  });

  test("waitForEvent resolves to the matching event, and to null at its timeout", async () => {
    const ticket = unique();
    const started = await send("conf/wait.start", { ticket });
    await until(async () => (await target.runsOf(started)).length > 0, "the waiting run");
    // Another ticket's reply must not wake it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await send("conf/wait.reply", { ticket: "someone-else", answer: "wrong" });
    await send("conf/wait.reply", { ticket, answer: "yes" });
    const run = await finished(started);
    expect(run).toMatchObject({ status: "Completed", output: { reply: "yes", none: null } });
  });

  test("step.sendEvent starts the functions its event triggers", async () => {
    const tag = unique();
    await finished(await send("conf/send", { tag }));
    await until(() => callsOf(`received:${tag}`) === 1, "the receiver to run");
  });

  test("step.invoke returns the invoked function's result", async () => {
    const run = await finished(await send("conf/parent", {}));
    expect(run).toMatchObject({ status: "Completed", output: { doubled: 42 } });
  });
});

describe("failures", () => {
  test("a failing function is retried until it succeeds", async () => {
    const tag = unique();
    const run = await finished(await send("conf/flaky", { tag }));
    expect(run).toMatchObject({ status: "Completed", output: { attempt: 2 } });
    expect(callsOf(`flaky:${tag}`)).toBe(3);
  });

  test("NonRetriableError fails the run at once, and onFailure runs", async () => {
    const tag = unique();
    const run = await finished(await send("conf/doomed", { tag }));
    expect(run.status).toBe("Failed");
    expect(callsOf(`doomed:${tag}`)).toBe(1);
    await until(() => failures.includes(tag), "the onFailure handler");
  });
});

describe("events and triggers", () => {
  test("an event id seen before starts nothing again", async () => {
    const tag = unique();
    const id = `conf-dedup-${tag}`;
    await finished(await send("conf/parallel", { tag }, id));
    await send("conf/parallel", { tag }, id);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(callsOf(`left:${tag}`)).toBe(1);
  });

  test("a trigger's `if` expression filters events", async () => {
    const yes = unique();
    const no = unique();
    await send("conf/filtered", { tag: no, go: false });
    await finished(await send("conf/filtered", { tag: yes, go: true }));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect([callsOf(`filtered:${yes}`), callsOf(`filtered:${no}`)]).toEqual([1, 0]);
  });
});

describe("flow control", () => {
  test("cancelOn stops a sleeping run when the matching event arrives", async () => {
    const ticket = unique();
    const started = await send("conf/cancellable", { ticket });
    await until(async () => (await target.runsOf(started)).length > 0, "the run to start");
    await new Promise((resolve) => setTimeout(resolve, 500));
    await send("conf/cancel", { ticket });
    const run = await finished(started);
    expect(run.status).toBe("Cancelled");
    expect(callsOf(`woke:${ticket}`)).toBe(0);
  });

  test("concurrency with a key runs one at a time per key", async () => {
    const queue = unique();
    mostRunning = 0;
    const ids = await Promise.all([1, 2, 3].map(() => send("conf/queued", { queue })));
    for (const id of ids) expect((await finished(id)).status).toBe("Completed");
    expect(mostRunning).toBe(1);
  });

  test("debounce folds a burst into one run that sees the last event", async () => {
    const who = unique();
    for (const text of ["hi", "are you", "there?"]) {
      await send("conf/typing", { who, text });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await until(() => callsOf(`debounced:${who}`) === 1, "the debounced run");
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(callsOf(`debounced:${who}`)).toBe(1);
    expect(seen.get(`debounced:${who}`)).toBe("there?");
  });

  test("idempotency starts one run per key", async () => {
    const order = unique();
    await send("conf/once", { order });
    await send("conf/once", { order });
    await until(() => callsOf(`once:${order}`) === 1, "the run");
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(callsOf(`once:${order}`)).toBe(1);
  });
});
