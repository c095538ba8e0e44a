// Benchmark of the embedded executor (npm run bench:executor). Not a test: it prints a table.
//
// Wired as `npm start` wires it: Parley's own Inngest client and the SDK's Next.js serve
// handler, called in process by the executor (inProcessTransport), and the SDK's calls to the
// executor (checkpoints, sent events) answered in process (attachEmbeddedExecutor).
//
// - Throughput: RUNS one-step runs (one step.run each), sent in batches; runs per second from
//   the first send to the last completion.
// - Step overhead: sequential runs of a STEPS-step function, one at a time; the gap between the
//   starts of consecutive step bodies minus the body's own time is what the executor (plus the
//   SDK) adds per step.
// - Peak RSS of this process (app + SDK + executor, as in `npm start`; PostgreSQL is a separate
//   process and not counted), sampled every 20 ms.
// - Baseline: the same function body called directly, measured in the same process and run.
//
// Bounded: RUNS (default 1,000) and a 30 s deadline for the throughput phase.
// Database: BENCH_DATABASE_URL (a server URL; a fresh database is created on it and dropped),
// else an embedded PostgreSQL in a temp folder.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { serve } from "inngest/next";
import type { NextRequest } from "next/server";
import { snapshotEnvironment } from "@/server/boot/environment";
import { createDb } from "@/server/db/client";
import { startExecutor } from "@/server/executor";
import { callFunction } from "@/server/executor/sdk";
import { attachEmbeddedExecutor, inngest, inProcessTransport, serveInProcess } from "@/server/inngest/client";
import { serveRoutes } from "@/tests/support/http";
import { benchDatabase, percentile, report } from "./support";

const RUNS = Number(process.env.BENCH_RUNS ?? 1000);
const BATCH = 50;
const STEPS = 20;
const SEQUENTIAL_RUNS = 10;
const DEADLINE_MS = 30_000;

/** The function body under test: a little JSON work, like a flow node rendering a reply. */
function body(n: number): { n: number; text: string } {
  const payload = { n, user: { id: `u${n}`, name: "Ada" }, items: Array.from({ length: 8 }, (_, i) => ({ i, ok: i % 2 === 0 })) };
  const text = JSON.stringify(payload);
  return { n: JSON.parse(text).n as number, text: text.slice(0, 16) };
}

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20);
sampler.unref();

async function main() {
  const started = performance.now();
  const store = await benchDatabase();
  const db = createDb(store.url);
  const signingKey = `signkey-bench-${randomBytes(32).toString("hex")}`;
  const eventKey = `evt-${randomBytes(8).toString("hex")}`;
  const executorPort = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  snapshotEnvironment(); // as `npm start` does
  Object.assign(process.env, {
    INNGEST_SIGNING_KEY: signingKey,
    INNGEST_EVENT_KEY: eventKey,
    INNGEST_BASE_URL: `http://127.0.0.1:${executorPort}`,
    PARLEY_LOG_LEVEL: "warn",
  });
  delete process.env.INNGEST_DEV;
  const client = inngest();
  const stepStarts = new Map<string, number[]>();
  const bodyTimes: number[] = [];
  const functions = [
    client.createFunction({ id: "one-step", triggers: [{ event: "bench/one" }] }, async ({ event, step }) =>
      step.run("work", () => body(Number(event.data.n))),
    ),
    client.createFunction({ id: "many-steps", triggers: [{ event: "bench/many" }] }, async ({ event, step, runId }) => {
      for (let i = 0; i < STEPS; i++) {
        await step.run(`s${i}`, () => {
          const at = performance.now();
          const list = stepStarts.get(runId) ?? [];
          list.push(at);
          stepStarts.set(runId, list);
          const result = body(Number(event.data.n) + i);
          bodyTimes.push(performance.now() - at);
          return result;
        });
      }
      return "done";
    }),
  ];
  // As app/api/inngest/route.ts: the Next adapter, registered for in-process calls; the
  // socket serves only the sync.
  const nextHandler = serve({ client, functions });
  const handle = (request: Request) => nextHandler(request as NextRequest, undefined);
  serveInProcess(handle);
  const app = await serveRoutes([{ pattern: /^\/api\/inngest$/, methods: { GET: handle, POST: handle, PUT: handle } }]);
  const serveUrl = `${app.url}/api/inngest`;
  const executor = await startExecutor({ db, serveUrl, signingKey, eventKey, port: executorPort, transport: inProcessTransport });
  attachEmbeddedExecutor(executor);
  await executor.sync();

  // Warm-up (JIT, connection pools).
  await client.send(Array.from({ length: 20 }, (_, n) => ({ name: "bench/one", data: { n } })));
  await executor.idle();

  // Throughput.
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < RUNS; i += BATCH) {
    await client.send(Array.from({ length: Math.min(BATCH, RUNS - i) }, (_, k) => ({ name: "bench/one", data: { n: i + k } })));
  }
  let completed = 0;
  for (;;) {
    completed = await db.executorRun.count({ where: { functionId: "parley-one-step", status: "completed" } });
    if (completed >= RUNS + 20 || performance.now() - t0 > DEADLINE_MS) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const throughputMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const runsDone = completed - 20;
  const runsPerSecond = runsDone / (throughputMs / 1000);
  const metrics = await executor.metrics();

  // Per-step overhead, one run at a time.
  for (let r = 0; r < SEQUENTIAL_RUNS; r++) {
    await client.send({ name: "bench/many", data: { n: r } });
    await executor.idle();
  }
  const gaps: number[] = [];
  for (const starts of stepStarts.values()) for (let i = 1; i < starts.length; i++) gaps.push((starts[i] ?? 0) - (starts[i - 1] ?? 0));
  const medianBody = percentile([...bodyTimes].sort((a, b) => a - b), 0.5) ?? 0;
  const overheads = gaps.map((gap) => gap - medianBody).sort((a, b) => a - b);

  // The serve handler alone: one signed discovery request of the one-step function, called
  // in process as the executor calls it, but without the executor or the database (no
  // checkpoint: the SDK runs the step inline and answers with it). The floor the SDK itself
  // sets for one run.
  const sdkTimes: number[] = [];
  const sdkCpu0 = process.cpuUsage();
  const SDK_CALLS = 100;
  for (let n = 0; n < SDK_CALLS; n++) {
    const at = performance.now();
    await callFunction(
      {
        url: `${serveUrl}?fnId=parley-one-step&stepId=step`,
        stepId: "step",
        runId: `bench-direct-${n}`,
        event: { id: `e${n}`, name: "bench/one", data: { n }, user: {}, ts: Date.now() },
        steps: {},
        stack: [],
        attempt: 0,
        maxAttempts: 5,
        disableImmediateExecution: false,
        requestVersion: 2,
      },
      signingKey,
      AbortSignal.timeout(10_000),
      inProcessTransport,
    );
    sdkTimes.push(performance.now() - at);
  }
  const sdkCpu = process.cpuUsage(sdkCpu0);
  sdkTimes.sort((a, b) => a - b);

  // Baseline: the same body called directly, same count, same process.
  const direct: number[] = [];
  const b0 = performance.now();
  for (let n = 0; n < RUNS; n++) {
    const at = performance.now();
    body(n);
    direct.push(performance.now() - at);
  }
  const baselineMs = performance.now() - b0;
  direct.sort((a, b) => a - b);
  const baselinePerSecond = RUNS / (baselineMs / 1000);

  await executor.stop();
  await app.close();
  await db.$disconnect();
  await store.cleanup();

  const fmt = (value: number | null, digits = 2) => (value === null ? "n/a" : value.toFixed(digits));
  const p50 = percentile(overheads, 0.5);
  await report(
    [
      {
        part: "executor",
        what: "one-step runs per second",
        measure: fmt(runsPerSecond, 0),
        baseline: `${fmt(baselinePerSecond, 0)} (body called directly)`,
        ratio: `${fmt(baselinePerSecond / runsPerSecond, 0)}× slower than a direct call`,
        target: ">= 300",
        met: runsPerSecond >= 300,
      },
      {
        part: "executor",
        what: "step overhead p50 / p99",
        measure: `${fmt(p50)} / ${fmt(percentile(overheads, 0.99))} ms`,
        baseline: `${fmt(percentile(direct, 0.5), 4)} / ${fmt(percentile(direct, 0.99), 4)} ms`,
        ratio: "added per step",
        target: "p50 < 3 ms",
        met: p50 !== null && p50 < 3,
      },
      {
        part: "executor",
        what: "CPU per run in the app process",
        measure: `${fmt((cpu.user + cpu.system) / 1000 / Math.max(1, runsDone))} ms`,
        baseline: `${fmt((sdkCpu.user + sdkCpu.system) / 1000 / SDK_CALLS)} ms (serve handler alone)`,
        ratio: `${fmt((cpu.user + cpu.system) / Math.max(1, runsDone) / ((sdkCpu.user + sdkCpu.system) / SDK_CALLS), 1)}× the handler`,
        target: "—",
        met: null,
      },
      {
        part: "executor",
        what: "SDK request p50 / p99 under load",
        measure: `${fmt(metrics.stepLatencyMs.p50)} / ${fmt(metrics.stepLatencyMs.p99)} ms`,
        baseline: `${fmt(percentile(sdkTimes, 0.5))} / ${fmt(percentile(sdkTimes, 0.99))} ms (handler alone)`,
        ratio: `${fmt((metrics.stepLatencyMs.p50 ?? 0) / percentile(sdkTimes, 0.5), 1)}× at p50`,
        target: "—",
        met: null,
      },
      { part: "executor", what: "peak RSS (app + SDK + executor)", measure: `${fmt(peakRss / 1024 / 1024, 0)} MB`, baseline: "—", ratio: "—", target: "—", met: null },
    ],
    [
      `executor: ${runsDone}/${RUNS} one-step runs in ${fmt(throughputMs / 1000)} s, ${SEQUENTIAL_RUNS} sequential runs of ${STEPS} steps; total ${fmt((performance.now() - started) / 1000, 1)} s`,
      ...(runsDone < RUNS ? [`(deadline reached: ${RUNS - runsDone} runs unfinished)`] : []),
    ],
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
