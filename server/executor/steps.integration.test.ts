// Conformance of the embedded executor with the real SDK: events, triggers and steps.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashedSigningKey } from "./signing";
import { eventually, startHarness, type Harness } from "./testing";

const counts = new Map<string, number>();
const bump = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

let h: Harness;

beforeAll(async () => {
  h = await startHarness((inngest) => [
    inngest.createFunction({ id: "sequence", triggers: [{ event: "test/sequence" }] }, async ({ event, step }) => {
      const a = await step.run("a", () => {
        bump(`a:${event.data.n}`);
        return 1;
      });
      const b = await step.run("b", () => {
        bump(`b:${event.data.n}`);
        return a + 1;
      });
      const c = await step.run("c", () => {
        bump(`c:${event.data.n}`);
        return b + 1;
      });
      return { total: a + b + c };
    }),
    inngest.createFunction(
      { id: "filtered", triggers: [{ event: "test/filtered", if: "event.data.go == true && event.data.kind == 'yes'" }] },
      async ({ event }) => {
        bump(`filtered:${event.data.n}`);
        return "ran";
      },
    ),
    inngest.createFunction({ id: "sleeper", triggers: [{ event: "test/sleep" }] }, async ({ step }) => {
      await step.run("before", () => bump("sleep-before"));
      await step.sleep("nap", "1s");
      await step.run("after", () => bump("sleep-after"));
      return "rested";
    }),
    inngest.createFunction({ id: "until", triggers: [{ event: "test/until" }] }, async ({ step }) => {
      await step.sleepUntil("nap", new Date(Date.now() - 1000));
      return "past";
    }),
    inngest.createFunction({ id: "void", triggers: [{ event: "test/void" }] }, async () => {
      bump("void");
    }),
    inngest.createFunction({ id: "waiter", triggers: [{ event: "test/wait.start" }] }, async ({ event, step }) => {
      const byMatch = await step.waitForEvent("by-match", {
        event: "test/wait.reply",
        timeout: "10s",
        match: "data.conversation",
      });
      const byIf = await step.waitForEvent("by-if", {
        event: "test/wait.reply",
        timeout: "10s",
        if: `event.data.conversation == async.data.conversation && async.data.text == 'second'`,
      });
      const timedOut = await step.waitForEvent("never", { event: "test/wait.never", timeout: "1s" });
      return { first: byMatch?.data.text, second: byIf?.data.text, timedOut, conversation: event.data.conversation };
    }),
    inngest.createFunction({ id: "sender", triggers: [{ event: "test/send" }] }, async ({ step }) => {
      await step.sendEvent("emit", { name: "test/sequence", data: { n: "from-send" } });
      return "sent";
    }),
    inngest.createFunction({ id: "parallel", triggers: [{ event: "test/parallel" }] }, async ({ step }) => {
      const values = await Promise.all(
        ["x", "y", "z"].map((name) =>
          step.run(name, () => {
            bump(`parallel:${name}`);
            return name.toUpperCase();
          }),
        ),
      );
      const joined = await step.run("join", () => {
        bump("parallel:join");
        return values.join("");
      });
      return joined;
    }),
  ]);
});

afterAll(async () => {
  await h?.close();
});

async function post(path: string, body: string) {
  const response = await fetch(`${h.executor.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function runsOf(functionId: string) {
  return h.database.db.executorRun.findMany({ where: { functionId: `parley-test-${functionId}` }, orderBy: { seq: "asc" } });
}

describe("event API", () => {
  it("accepts one event or an array and answers as the SDK expects", async () => {
    const single = await post(`/e/${h.eventKey}`, JSON.stringify({ name: "test/none", data: {} }));
    expect(single.status).toBe(200);
    expect(single.json).toMatchObject({ status: 200 });
    expect(single.json.ids).toHaveLength(1);
    const many = await post(`/e/${h.eventKey}`, JSON.stringify([{ name: "test/none" }, { name: "test/none", id: "given" }]));
    expect(many.json.ids).toEqual([expect.any(String), "given"]);
    const stored = await h.database.db.executorEvent.findFirst({ where: { id: "given" } });
    expect(stored?.name).toBe("test/none");
    expect(Number(stored?.ts)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("rejects bad input with a clear status", async () => {
    const malformed = await post(`/e/${h.eventKey}`, "{not json");
    expect(malformed.status).toBe(400);
    expect(String(malformed.json.error)).toMatch(/Malformed JSON/);
    const nameless = await post(`/e/${h.eventKey}`, JSON.stringify({ data: {} }));
    expect(nameless.status).toBe(400);
    const wrongKey = await post("/e/not-the-key", JSON.stringify({ name: "test/none" }));
    expect(wrongKey.status).toBe(401);
    const unknown = await fetch(`${h.executor.url}/nope`);
    expect(unknown.status).toBe(404);
    const register = await post("/fn/register", JSON.stringify({ url: "x", appName: "evil", functions: [] }));
    expect(register.status).toBe(401);
  });

  it("deduplicates event ids: a second event with the same id starts nothing", async () => {
    await h.inngest.send({ name: "test/sequence", id: "dedup-1", data: { n: "dedup" } });
    await h.inngest.send({ name: "test/sequence", id: "dedup-1", data: { n: "dedup" } });
    await h.executor.idle();
    const runs = (await runsOf("sequence")).filter((r) => (r.event as { data: { n: string } }).data.n === "dedup");
    expect(runs).toHaveLength(1);
    expect(counts.get("a:dedup")).toBe(1);
  });

  it("takes a batch in one pass: an id given twice in it starts one run, the other events theirs", async () => {
    await h.inngest.send([
      { name: "test/sequence", id: "dedup-3", data: { n: "batch-a" } },
      { name: "test/sequence", id: "dedup-3", data: { n: "batch-a" } },
      { name: "test/sequence", data: { n: "batch-b" } },
    ]);
    await h.executor.idle();
    const runs = await runsOf("sequence");
    const of = (n: string) => runs.filter((r) => (r.event as { data: { n: string } }).data.n === n);
    expect([of("batch-a").length, of("batch-b").length]).toEqual([1, 1]);
    expect(Math.abs(of("batch-b")[0]!.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it("takes one of several deliveries of an id arriving at once, and the id again once 24 hours have passed", async () => {
    const deliveries = Array.from({ length: 6 }, () => h.inngest.send({ name: "test/sequence", id: "dedup-2", data: { n: "burst" } }));
    await Promise.all(deliveries);
    await h.executor.idle();
    const burst = () => runsOf("sequence").then((runs) => runs.filter((r) => (r.event as { data: { n: string } }).data.n === "burst"));
    expect(await burst()).toHaveLength(1);
    await h.database.db.executorEventId.update({ where: { id: "dedup-2" }, data: { receivedAt: new Date(Date.now() - 25 * 3_600_000) } });
    await h.inngest.send({ name: "test/sequence", id: "dedup-2", data: { n: "burst" } });
    await h.executor.idle();
    expect(await burst()).toHaveLength(2);
  });
});

describe("registration", () => {
  it("accepts the SDK's out-of-band registration (Bearer hashed signing key)", async () => {
    // A PUT without x-inngest-sync-kind makes the SDK POST its functions to {baseUrl}/fn/register.
    const response = await fetch(h.serveUrl, { method: "PUT" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ modified: true });
    expect(await h.database.db.executorFunction.count({ where: { appId: "parley-test" } })).toBeGreaterThan(5);
  });

  it("replaces an app's function set on each registration", async () => {
    const register = (functions: unknown[]) =>
      fetch(`${h.executor.url}/fn/register`, {
        method: "POST",
        headers: { authorization: `Bearer ${hashedSigningKey(h.signingKey)}`, "content-type": "application/json" },
        body: JSON.stringify({ url: h.serveUrl, appName: "other-app", functions }),
      });
    const fn = (id: string) => ({
      id,
      triggers: [{ event: "other/never" }],
      steps: { step: { id: "step", runtime: { type: "http", url: `${h.serveUrl}?fnId=${id}&stepId=step` } } },
    });
    expect((await register([fn("other-app-a"), fn("other-app-b")])).status).toBe(200);
    expect((await register([fn("other-app-b")])).status).toBe(200);
    const ids = (await h.database.db.executorFunction.findMany({ where: { appId: "other-app" } })).map((f) => f.id);
    expect(ids).toEqual(["other-app-b"]);
    const invalid = await register([{ id: "broken" }]);
    expect(invalid.status).toBe(400);
    expect(await h.database.db.executorFunction.count({ where: { appId: "other-app" } })).toBe(1);
  });
});

describe("triggers and steps", () => {
  it("memoizes step.run: each body runs once and the run completes with its output", async () => {
    const started = Date.now();
    await h.inngest.send({ name: "test/sequence", data: { n: "seq" } });
    await h.executor.idle();
    const [run] = (await runsOf("sequence")).filter((r) => (r.event as { data: { n: string } }).data.n === "seq");
    expect(run?.status).toBe("completed");
    expect(run?.output).toEqual({ total: 6 });
    expect(["a:seq", "b:seq", "c:seq"].map((k) => counts.get(k))).toEqual([1, 1, 1]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("completes a function that returns nothing", async () => {
    await h.inngest.send({ name: "test/void" });
    const done = await eventually(async () => (await runsOf("void")).find((r) => r.status === "completed"));
    expect(done.output).toBeNull();
  });

  it("evaluates trigger expressions", async () => {
    await h.inngest.send([
      { name: "test/filtered", data: { n: "yes", go: true, kind: "yes" } },
      { name: "test/filtered", data: { n: "no", go: false, kind: "yes" } },
      { name: "test/filtered", data: { n: "missing" } },
    ]);
    await h.executor.idle();
    expect(counts.get("filtered:yes")).toBe(1);
    expect(counts.get("filtered:no")).toBeUndefined();
    expect(counts.get("filtered:missing")).toBeUndefined();
  });

  it("persists step.sleep and resumes after it", async () => {
    await h.inngest.send({ name: "test/sleep" });
    const sleeping = await eventually(async () => (await runsOf("sleeper")).find((r) => r.status === "sleeping"));
    expect(sleeping.dueAt.getTime()).toBeGreaterThan(Date.now() - 1000);
    expect(counts.get("sleep-after")).toBeUndefined();
    const done = await eventually(async () => (await runsOf("sleeper")).find((r) => r.status === "completed"), 5_000);
    expect(done.output).toBe("rested");
    expect(counts.get("sleep-before")).toBe(1);
    expect(counts.get("sleep-after")).toBe(1);
  });

  it("treats a sleepUntil in the past as done", async () => {
    await h.inngest.send({ name: "test/until" });
    const done = await eventually(async () => (await runsOf("until")).find((r) => r.status === "completed"));
    expect(done.output).toBe("past");
  });

  it("resolves waitForEvent by match and by if, and to null at the timeout", async () => {
    await h.inngest.send([
      { name: "test/wait.start", data: { conversation: "c1" } },
      { name: "test/wait.start", data: { conversation: "c2" } },
    ]);
    await eventually(async () => (await h.database.db.executorWait.count()) === 2);
    // Replies for another conversation, and a non-matching text, must not resolve anything.
    await h.inngest.send({ name: "test/wait.reply", data: { conversation: "other", text: "first" } });
    await h.inngest.send({ name: "test/wait.reply", data: { conversation: "c1", text: "first" } });
    await eventually(async () => (await h.database.db.executorWait.findMany()).some((w) => w.expression?.includes("second")));
    await h.inngest.send({ name: "test/wait.reply", data: { conversation: "c1", text: "not second" } });
    await h.inngest.send({ name: "test/wait.reply", data: { conversation: "c1", text: "second" } });
    const done = await eventually(async () => (await runsOf("waiter")).find((r) => r.status === "completed"), 5_000);
    expect(done.output).toEqual({ first: "first", second: "second", timedOut: null, conversation: "c1" });
    const c2 = (await runsOf("waiter")).find((r) => (r.event as { data: { conversation: string } }).data.conversation === "c2");
    expect(c2?.status).toBe("waiting");
  });

  it("delivers step.sendEvent events, which start their own runs", async () => {
    await h.inngest.send({ name: "test/send" });
    await eventually(async () => counts.get("c:from-send") === 1);
    await h.executor.idle();
    const [sender] = await runsOf("sender");
    expect(sender?.status).toBe("completed");
  });

  it("runs parallel steps once each, then continues", async () => {
    await h.inngest.send({ name: "test/parallel" });
    const done = await eventually(async () => (await runsOf("parallel")).find((r) => r.status === "completed"));
    expect(done.output).toBe("XYZ");
    expect(["x", "y", "z", "join"].map((k) => counts.get(`parallel:${k}`))).toEqual([1, 1, 1, 1]);
  });
});
