// Conformance: the SDK's checkpointing (protocol doc §5). With ctx.fn_id the SDK runs several
// steps in one request and POSTs each result to /v1/checkpoint/<run>/async; the executor
// answers 2xx only once the result is stored under the live lease.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashedSigningKey } from "./signing";
import type { Inngest } from "inngest";
import type { Executor } from "./index";
import { eventually, startHarness, type Harness, type HarnessOptions } from "./testing";

const counts = new Map<string, number>();
const bump = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

/** Five steps, a sleep, one more step: 115, with each step body counted under `tag`. */
const fiveSteps = (tag: string) => (inngest: Inngest) => [
  inngest.createFunction({ id: "five", triggers: [{ event: "test/five" }] }, async ({ step }) => {
    let total = 0;
    for (let i = 1; i <= 5; i++) total += await step.run(`s${i}`, () => (bump(`${tag}:s${i}`), i));
    await step.sleep("pause", "1s");
    total += await step.run("after", () => (bump(`${tag}:after`), 100));
    return total;
  }),
];

async function completedFive(harness: Harness) {
  return eventually(async () => {
    const r = await harness.database.db.executorRun.findFirst({ where: { functionId: "parley-test-five" } });
    return r?.status === "completed" ? r : null;
  }, 10_000);
}

const harnesses: Harness[] = [];
async function harness(tag: string, options: HarnessOptions = {}): Promise<Harness> {
  const started = await startHarness(fiveSteps(tag), options);
  harnesses.push(started);
  return started;
}

let h: Harness;
let requests = 0;

beforeAll(async () => {
  h = await harness("five");
});

afterAll(async () => {
  for (const started of harnesses) await started.close();
});

describe("checkpointing", () => {
  it("runs consecutive steps in one request, each stored before the SDK goes on", async () => {
    const before = (await h.executor.metrics()).stepLatencyMs.count;
    await h.inngest.send({ name: "test/five" });
    const run = await completedFive(h);
    expect(run.output).toBe(115);
    expect((run.stack as string[]).length).toBe(7); // five steps, the sleep, "after"
    for (const key of ["five:s1", "five:s2", "five:s3", "five:s4", "five:s5", "five:after"]) expect(counts.get(key)).toBe(1);
    // One request up to the sleep, one after it: far fewer than one per step.
    requests = (await h.executor.metrics()).stepLatencyMs.count - before;
    expect(requests).toBeLessThanOrEqual(3);
  });

  it("refuses a checkpoint without the signing key (401) or for a lease that is not held (409)", async () => {
    const run = await h.database.db.executorRun.findFirst({ where: { functionId: "parley-test-five" } });
    const post = (auth: string, qi: string) =>
      fetch(`${h.executor.url}/v1/checkpoint/${run!.id}/async`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: auth },
        body: JSON.stringify({ run_id: run!.id, fn_id: "x", qi_id: qi, steps: [{ id: "abc", op: "StepRun", data: 1 }] }),
      });
    expect((await post("Bearer nope", "t")).status).toBe(401);
    expect((await post(`Bearer ${hashedSigningKey(h.signingKey)}`, "not-the-lease")).status).toBe(409);
    const after = await h.database.db.executorRun.findUnique({ where: { id: run!.id } });
    expect(after?.steps).toEqual(run?.steps);
  });
});

describe("checkpointing in process (as under npm start)", () => {
  it("stores each step as the SDK reports it through the executor's fetch, and runs none twice", async () => {
    const local = await harness("local", { inProcess: true });
    await local.inngest.send({ name: "test/five" });
    const run = await completedFive(local);
    expect(run.output).toBe(115);
    expect((run.stack as string[]).length).toBe(7);
    for (const key of ["local:s1", "local:s5", "local:after"]) expect(counts.get(key)).toBe(1);
  });

  it("answers the same API as the socket: 401 without the key, 409 for a lease not held; other hosts pass through", async () => {
    const local = harnesses.find((started) => started !== h) ?? h;
    const run = await local.database.db.executorRun.findFirst({ where: { functionId: "parley-test-five" } });
    const post = (auth: string, qi: string) =>
      local.executor.fetch(`${local.executor.url}/v1/checkpoint/${run!.id}/async`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: auth },
        body: JSON.stringify({ run_id: run!.id, fn_id: "x", qi_id: qi, steps: [{ id: "abc", op: "StepRun", data: 1 }] }),
      });
    expect((await post("Bearer nope", "t")).status).toBe(401);
    const stale = await post(`Bearer ${hashedSigningKey(local.signingKey)}`, "not-the-lease");
    expect(stale.status).toBe(409);
    expect(await stale.json()).toEqual({ error: "stale dispatch" });
    const malformed = await local.executor.fetch(`${local.executor.url}/e/${local.eventKey}`, { method: "POST", body: "{" });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toMatch(/Malformed JSON/);
    // Another origin is not the executor's: the global fetch takes it (here the serve handler's socket).
    expect((await local.executor.fetch(local.serveUrl)).headers.get("x-inngest-sdk-handled")).toBe("true");
  });
});

describe("checkpoints sent to another executor on the same database", () => {
  it("are merged by the executor driving the run: every step once, none lost", async () => {
    // The SDK reports to the first executor, which drives nothing; the second one drives the run.
    const shared = await harness("shared", { executor: { capacity: 0 } });
    const driver: Executor = await shared.startAnother({ capacity: 4 });
    await shared.inngest.send({ name: "test/five" });
    const run = await completedFive(shared);
    expect(run.output).toBe(115);
    expect((run.stack as string[]).length).toBe(7);
    for (const key of ["shared:s1", "shared:s2", "shared:s3", "shared:s4", "shared:s5", "shared:after"]) expect(counts.get(key)).toBe(1);
    expect((await driver.metrics()).runs.completed).toBe(1);
  });
});
