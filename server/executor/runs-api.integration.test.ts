// Conformance: Inngest's REST API for runs (GET /v1/events/:id/runs, GET and DELETE
// /v1/runs/:id), in Inngest's response shapes, authenticated by the signing key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startHarness, type Harness } from "./testing";

let h: Harness;

beforeAll(async () => {
  h = await startHarness((inngest) => [
    inngest.createFunction({ id: "double", triggers: [{ event: "test/double" }] }, async ({ event, step }) =>
      step.run("double", () => ({ doubled: Number(event.data.n) * 2 })),
    ),
    inngest.createFunction({ id: "napper", triggers: [{ event: "test/nap" }] }, async ({ step }) => {
      await step.sleep("nap", "1h");
      return "woke";
    }),
    inngest.createFunction({ id: "breaks", triggers: [{ event: "test/break" }], retries: 0 }, async () => {
      throw new Error("broken on purpose");
    }),
  ]);
});

afterAll(async () => {
  await h?.close();
});

const rest = (path: string, init: RequestInit = {}, token = h.signingKey) =>
  fetch(`${h.executor.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });

async function runsOf(eventId: string) {
  const response = await rest(`/v1/events/${eventId}/runs`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: { run_id: string; status: string; output?: unknown; function_id: string; ended_at: string | null }[] }).data;
}

describe("REST API for runs", () => {
  it("lists the runs an event started, with status and output once completed", async () => {
    const [id] = (await h.inngest.send({ name: "test/double", data: { n: 21 } })).ids;
    const [run] = await eventually(async () => {
      const runs = await runsOf(id!);
      return runs[0]?.status === "Completed" ? runs : undefined;
    });
    expect(run).toMatchObject({ function_id: "parley-test-double", status: "Completed", output: { doubled: 42 }, ended_at: expect.any(String) });
    const single = await rest(`/v1/runs/${run!.run_id}`);
    expect(((await single.json()) as { data: unknown }).data).toEqual(run);
  });

  it("finds runs by the event id given at send time, and reports failures with their error", async () => {
    await h.inngest.send({ id: "my-own-id-1", name: "test/break", data: {} });
    const [run] = await eventually(async () => {
      const runs = await runsOf("my-own-id-1");
      return runs[0]?.status === "Failed" ? runs : undefined;
    });
    expect(run!.output).toMatchObject({ message: "broken on purpose" });
  });

  it("cancels a run that is still going, and says so when it has ended", async () => {
    const [id] = (await h.inngest.send({ name: "test/nap", data: {} })).ids;
    const [sleeping] = await eventually(async () => {
      const runs = await runsOf(id!);
      return runs.length === 1 ? runs : undefined;
    });
    await eventually(async () => (await h.database.db.executorRun.findUnique({ where: { id: sleeping!.run_id } }))?.status === "sleeping");
    const cancelled = await rest(`/v1/runs/${sleeping!.run_id}`, { method: "DELETE" });
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as { data: { status: string } }).data.status).toBe("Cancelled");
    expect((await rest(`/v1/runs/${sleeping!.run_id}`, { method: "DELETE" })).status).toBe(404);
  });

  it("refuses callers without the signing key", async () => {
    expect((await rest("/v1/events/x/runs", {}, "signkey-test-nope")).status).toBe(401);
    expect((await fetch(`${h.executor.url}/v1/runs/x`)).status).toBe(401);
  });
});
