// `npm run bench:e2e`: the whole path at a steady arrival rate. New conversations arrive at
// BENCH_RATE per second (default 50) for BENCH_SECONDS (default 20): each a signed webhook
// from a new number, answered by the demo flow through the embedded executor and a fake
// Graph API. Measured: from posting the webhook to the Graph API receiving the greeting,
// p50/p99 — beside the webhook's own round trip (ingest alone) in the same run.
// The app is Parley's real route handlers on a plain node:http server (tests/support).
// Also measured: CPU per conversation, of the app and of the embedded PostgreSQL, over the
// whole run: what bounds the rate one machine sustains, and steadier than latency on a
// shared machine.
import { randomBytes } from "node:crypto";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { snapshotEnvironment } from "@/server/boot/environment";
import { benchDatabase, descendantsCpuMs, fixed, percentile, report } from "./support";

const RATE = Number(process.env.BENCH_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
/** After the last arrival, how long answers may still come in. */
const DRAIN_MS = 60_000;

async function main() {
  const store = await benchDatabase();
  Object.assign(process.env, { PARLEY_RATE_LIMIT_WEBHOOK: "100000000", PARLEY_LOG_LEVEL: "warn" });
  const { createDb } = await import("@/server/db/client");
  const { startParley, textWebhook } = await import("@/tests/support/parley");
  const database = createDb(store.url);
  const parley = await startParley({ url: store.url, db: database, drop: async () => {} }, { keepAlive: true });
  // As `npm start` does (server/boot/environment.ts).
  snapshotEnvironment();
  // Each conversation gets two messages (greeting, question): at 50/s that is 100 a second,
  // over a new number's 80. The bench's number has the throughput Meta grants on request (1,000).
  await database.channel.updateMany({ data: { messagesPerSecond: 1000 } });

  const posted = new Map<string, number>();
  const ingest: number[] = [];
  const total = RATE * SECONDS;
  const started = performance.now();
  const appCpu0 = process.cpuUsage();
  const databaseCpu0 = await descendantsCpuMs();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    // A steady schedule, not a closed loop: arrivals do not wait for answers.
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const waId = `3499${String(i).padStart(8, "0")}`;
    inflight.push(
      (async () => {
        const at = Date.now();
        const t0 = performance.now();
        posted.set(waId, at);
        const response = await parley.postWebhook(textWebhook(waId, "hello", { wamid: `wamid.E2E${randomBytes(6).toString("hex")}` }).body);
        ingest.push(performance.now() - t0);
        if (!response.ok) throw new Error(`webhook answered ${response.status}`);
      })(),
    );
  }
  await Promise.all(inflight);
  const arrivalSeconds = (performance.now() - started) / 1000;

  const firstSend = new Map<string, number>();
  const deadline = Date.now() + DRAIN_MS;
  while (Date.now() < deadline) {
    for (const request of parley.graph.requests) {
      const to = String(request.body.to ?? "");
      if (request.body.type === "text" && posted.has(to) && !firstSend.has(to)) firstSend.set(to, request.at);
    }
    if (firstSend.size >= total) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const appCpu = process.cpuUsage(appCpu0);
  const databaseCpuMs = (await descendantsCpuMs()) - databaseCpu0;
  await parley.stop();
  await store.cleanup();
  const appCpuMs = (appCpu.user + appCpu.system) / 1000;

  const latencies = [...firstSend].map(([waId, at]) => at - posted.get(waId)!).sort((a, b) => a - b);
  ingest.sort((a, b) => a - b);
  const p50 = percentile(latencies, 0.5);
  const p99 = percentile(latencies, 0.99);
  await report(
    [
      {
        part: "e2e",
        what: `webhook in → Graph send out, ${RATE} new conversations/s for ${SECONDS} s, p50 / p99`,
        measure: `${fixed(p50, 0)} / ${fixed(p99, 0)} ms`,
        baseline: `${fixed(percentile(ingest, 0.5), 0)} / ${fixed(percentile(ingest, 0.99), 0)} ms (ingest alone)`,
        ratio: `${fixed(p50 / Math.max(1, percentile(ingest, 0.5)), 1)}× ingest at p50`,
        target: "p50 < 50 ms, p99 < 200 ms",
        met: p50 < 50 && p99 < 200,
      },
      {
        part: "e2e",
        what: "conversations answered",
        measure: `${firstSend.size} / ${total}`,
        baseline: `arrivals took ${fixed(arrivalSeconds)} s`,
        ratio: firstSend.size === total ? "all answered" : `${total - firstSend.size} unanswered after ${DRAIN_MS / 1000} s`,
        target: "all",
        met: firstSend.size === total,
      },
      {
        part: "e2e",
        what: "CPU per conversation: app (with the load) + PostgreSQL",
        measure: `${fixed(appCpuMs / total)} + ${databaseCpuMs ? fixed(databaseCpuMs / total) : "n/a"} ms`,
        baseline: `${os.cpus().length} cores`,
        ratio: `≈ ${fixed((os.cpus().length * 1000 * total) / (appCpuMs + databaseCpuMs), 0)} conversations/s with every core busy`,
        target: "—",
        met: null,
      },
    ],
    [`e2e: ${total} conversations at ${RATE}/s; latency from posting the webhook to the fake Graph API receiving the first answer`],
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
