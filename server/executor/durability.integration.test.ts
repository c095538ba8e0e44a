// Conformance: state survives a restart, dead workers' runs are reclaimed, and two executors
// on one database never execute the same run at once. Also checks the inngest/next adapter,
// which is how Parley serves its functions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, sleep, startHarness, type Harness } from "./testing";

const counts = new Map<string, number>();
const bump = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

let h: Harness;

beforeAll(async () => {
  h = await startHarness(
    (inngest) => [
      inngest.createFunction({ id: "nap", triggers: [{ event: "test/nap" }] }, async ({ step }) => {
        await step.run("before", () => bump("nap-before"));
        await step.sleep("nap", "1s");
        await step.run("after", () => bump("nap-after"));
        return "woke";
      }),
      inngest.createFunction({ id: "ask", triggers: [{ event: "test/ask" }] }, async ({ event, step }) => {
        await step.run("question", () => bump("ask-question"));
        const answer = await step.waitForEvent("answer", { event: "test/answer", timeout: "1h", match: "data.chat" });
        await step.run("thanks", () => bump("ask-thanks"));
        return { chat: event.data.chat, answer: answer?.data.text };
      }),
      inngest.createFunction({ id: "work", triggers: [{ event: "test/work" }] }, async ({ event, step }) => {
        for (const name of ["one", "two", "three"]) {
          await step.run(name, async () => {
            bump(`work:${String(event.data.n)}:${name}`);
            await sleep(5);
          });
        }
        return "worked";
      }),
    ],
    { adapter: "next" },
  );
});

afterAll(async () => {
  await h?.close();
});

async function runOf(functionId: string) {
  return h.database.db.executorRun.findFirst({ where: { functionId: `parley-test-${functionId}` } });
}

describe("durability", () => {
  it("resumes sleeping and waiting runs after a restart", async () => {
    await h.inngest.send([{ name: "test/nap" }, { name: "test/ask", data: { chat: "c9" } }]);
    await eventually(async () => (await runOf("nap"))?.status === "sleeping");
    await eventually(async () => (await runOf("ask"))?.status === "waiting");
    await h.executor.stop();
    // The sleep expires while no executor runs.
    await sleep(1_200);
    expect(counts.get("nap-after")).toBeUndefined();
    const restarted = await h.restart();
    // Functions are known from the database: no sync before routing the answer.
    await eventually(async () => (await runOf("nap"))?.status === "completed");
    await h.inngest.send({ name: "test/answer", data: { chat: "c9", text: "yes" } });
    const ask = await eventually(async () => {
      const run = await runOf("ask");
      return run?.status === "completed" ? run : null;
    });
    expect(ask.output).toEqual({ chat: "c9", answer: "yes" });
    expect([counts.get("nap-before"), counts.get("nap-after"), counts.get("ask-question"), counts.get("ask-thanks")]).toEqual([1, 1, 1, 1]);
    await restarted.idle();
  });

  it("reclaims a run whose worker died (expired lease)", async () => {
    await h.inngest.send({ name: "test/work", data: { n: "orphan" } });
    await eventually(async () => counts.get("work:orphan:three") === 1);
    const run = await h.database.db.executorRun.findFirst({ where: { functionId: "parley-test-work" }, orderBy: { seq: "desc" } });
    // Pretend a dead process held it mid-run: running, lease expired, only step "one" memoized.
    const stepOne = (run?.stack as string[])[0] ?? "";
    await h.database.db.executorRun.update({
      where: { id: run?.id },
      data: {
        status: "running",
        lockedBy: "dead-worker",
        lockedUntil: new Date(Date.now() - 1000),
        steps: { [stepOne]: (run?.steps as Record<string, unknown>)[stepOne] ?? null },
        stack: [stepOne],
        output: undefined,
        endedAt: null,
      },
    });
    await eventually(async () => (await h.database.db.executorRun.findUnique({ where: { id: run?.id } }))?.status === "completed");
    // The memoized step did not run again; the others ran again (at-least-once after a crash).
    expect(counts.get("work:orphan:one")).toBe(1);
    expect(counts.get("work:orphan:two")).toBe(2);
  });

  it("never lets two executors on one database execute the same run", async () => {
    const second = await h.startAnother();
    const events = Array.from({ length: 30 }, (_, n) => ({ name: "test/work", data: { n } }));
    await h.inngest.send(events);
    // Also feed the second executor directly, so both have work pushed at them.
    await fetch(`${second.url}/e/${h.eventKey}`, {
      method: "POST",
      body: JSON.stringify(Array.from({ length: 30 }, (_, n) => ({ name: "test/work", data: { n: 100 + n } }))),
    });
    await eventually(
      async () => (await h.database.db.executorRun.count({ where: { functionId: "parley-test-work", status: "completed" } })) >= 61,
      20_000,
    );
    for (let n = 0; n < 30; n++) {
      for (const id of [n, 100 + n]) {
        expect([counts.get(`work:${id}:one`), counts.get(`work:${id}:two`), counts.get(`work:${id}:three`)]).toEqual([1, 1, 1]);
      }
    }
    await second.stop();
  });
});
