// Conformance: the SDK's checkpointing (protocol doc §5). With ctx.fn_id the SDK runs several
// steps in one request and POSTs each result to /v1/checkpoint/<run>/async; the executor
// answers 2xx only once the result is stored under the live lease.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashedSigningKey } from "./signing";
import { eventually, startHarness, type Harness } from "./testing";

const counts = new Map<string, number>();
const bump = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

let h: Harness;
let requests = 0;

beforeAll(async () => {
  h = await startHarness((inngest) => [
    inngest.createFunction({ id: "five", triggers: [{ event: "test/five" }] }, async ({ step }) => {
      let total = 0;
      for (let i = 1; i <= 5; i++) total += await step.run(`s${i}`, () => (bump(`five:s${i}`), i));
      await step.sleep("pause", "1s");
      total += await step.run("after", () => (bump("five:after"), 100));
      return total;
    }),
  ]);
});

afterAll(async () => {
  await h?.close();
});

describe("checkpointing", () => {
  it("runs consecutive steps in one request, each stored before the SDK goes on", async () => {
    const before = (await h.executor.metrics()).stepLatencyMs.count;
    await h.inngest.send({ name: "test/five" });
    const run = await eventually(async () => {
      const r = await h.database.db.executorRun.findFirst({ where: { functionId: "parley-test-five" } });
      return r?.status === "completed" ? r : null;
    }, 10_000);
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
