// Conformance: retries, NonRetriableError, RetryAfterError, onFailure.
import { NonRetriableError, RetryAfterError, type FailureEventArgs } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startHarness, type Harness } from "./testing";

const attempts = new Map<string, number[]>();
const record = (key: string, attempt: number) => attempts.set(key, [...(attempts.get(key) ?? []), attempt]);
const failures: { functionId: string; message: string; runId: string; originalEvent: unknown }[] = [];
const retryAfterTimes: number[] = [];

let h: Harness;

beforeAll(async () => {
  h = await startHarness((inngest) => [
    inngest.createFunction({ id: "flaky", retries: 3, triggers: [{ event: "test/flaky" }] }, async ({ step, attempt }) => {
      return step.run("flaky-step", () => {
        record("flaky", attempt);
        if (attempt < 2) throw new Error(`boom ${attempt}`);
        return "recovered";
      });
    }),
    inngest.createFunction(
      {
        id: "hopeless",
        retries: 2,
        triggers: [{ event: "test/hopeless" }],
        onFailure: async ({ event, error }: FailureEventArgs) => {
          failures.push({ functionId: event.data.function_id, message: error.message, runId: event.data.run_id, originalEvent: event.data.event });
        },
      },
      async ({ attempt }) => {
        record("hopeless", attempt);
        throw new Error("kaboom");
      },
    ),
    inngest.createFunction(
      {
        id: "fatal",
        retries: 5,
        triggers: [{ event: "test/fatal" }],
        onFailure: async ({ event, error }: FailureEventArgs) => {
          failures.push({ functionId: event.data.function_id, message: error.message, runId: event.data.run_id, originalEvent: event.data.event });
        },
      },
      async ({ step, attempt }) => {
        await step.run("fatal-step", () => {
          record("fatal", attempt);
          throw new NonRetriableError("do not retry me");
        });
      },
    ),
    inngest.createFunction({ id: "later", retries: 2, triggers: [{ event: "test/later" }] }, async ({ step, attempt }) => {
      return step.run("later-step", () => {
        retryAfterTimes.push(Date.now());
        record("later", attempt);
        if (attempt === 0) throw new RetryAfterError("busy", "2s");
        return "done";
      });
    }),
  ]);
});

afterAll(async () => {
  await h?.close();
});

async function runOf(functionId: string) {
  return h.database.db.executorRun.findFirst({ where: { functionId: `parley-test-${functionId}` } });
}

describe("failures", () => {
  it("retries a failing step with the attempt number until it succeeds", async () => {
    await h.inngest.send({ name: "test/flaky" });
    const run = await eventually(async () => {
      const found = await runOf("flaky");
      return found?.status === "completed" ? found : null;
    });
    expect(run.output).toBe("recovered");
    expect(attempts.get("flaky")).toEqual([0, 1, 2]);
  });

  it("fails after retries are exhausted and runs onFailure with the error", async () => {
    await h.inngest.send({ name: "test/hopeless", data: { order: 7 } });
    await eventually(async () => failures.some((f) => f.functionId === "parley-test-hopeless"));
    const run = await runOf("hopeless");
    expect(run?.status).toBe("failed");
    expect(run?.error).toMatchObject({ message: "kaboom" });
    // retries: 2 means three attempts (protocol doc §1.6).
    expect(attempts.get("hopeless")).toEqual([0, 1, 2]);
    const failure = failures.find((f) => f.functionId === "parley-test-hopeless");
    expect(failure).toMatchObject({ message: "kaboom", runId: run?.id, originalEvent: { name: "test/hopeless", data: { order: 7 } } });
    await h.executor.idle();
    const failureRun = await runOf("hopeless-failure");
    expect(failureRun?.status).toBe("completed");
  });

  it("fails at once on NonRetriableError", async () => {
    await h.inngest.send({ name: "test/fatal" });
    await eventually(async () => failures.some((f) => f.functionId === "parley-test-fatal"));
    expect(attempts.get("fatal")).toEqual([0]);
    expect((await runOf("fatal"))?.status).toBe("failed");
    expect(failures.find((f) => f.functionId === "parley-test-fatal")?.message).toBe("do not retry me");
  });

  it("honours RetryAfterError's delay", async () => {
    await h.inngest.send({ name: "test/later" });
    const run = await eventually(async () => {
      const found = await runOf("later");
      return found?.status === "completed" ? found : null;
    }, 8_000);
    expect(run.output).toBe("done");
    expect(attempts.get("later")).toEqual([0, 1]);
    const [first, second] = retryAfterTimes;
    // The test backoff is 20 ms: only Retry-After explains a gap of about two seconds.
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(1_800);
  });
});
