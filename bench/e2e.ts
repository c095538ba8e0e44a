// `npm run bench:e2e`: the whole path at a steady arrival rate. New conversations arrive at
// BENCH_RATE per second (default 50) for BENCH_SECONDS (default 20): each a signed webhook
// from a new number, answered by the demo flow through the embedded executor and a fake
// Graph API. Measured: from posting the webhook to the Graph API receiving the greeting,
// p50/p99 — beside the webhook's own round trip (ingest alone) in the same run.
// The app is Parley's real route handlers on a plain node:http server (tests/support); the
// arrivals and the fake Graph API run in a second process (bench/e2e-load.ts).
// Also measured: CPU per conversation, of the app and of the embedded PostgreSQL, over the
// whole run: what bounds the rate one machine sustains, and steadier than latency on a
// shared machine.
import { spawn } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { snapshotEnvironment } from "@/server/boot/environment";
import { childMessageSchema, type Arrivals, type LoadReport } from "./e2e-load";
import { benchDatabase, descendantsCpuMs, fixed, percentile, report } from "./support";

const RATE = Number(process.env.BENCH_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
/** Unmeasured arrivals at the same rate first, as a server that has been up a while has seen. */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
/** After the last arrival, how long answers may still come in. */
const DRAIN_MS = 60_000;

/** The second process: its fake Graph API's URL once it listens, then its report once `go` is sent. */
function startArrivals(token: string) {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./e2e-load.ts", import.meta.url)), token], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`the load process exited with ${code}`))));
  const next = <K extends "ready" | "report">(kind: K) =>
    Promise.race([
      exited,
      new Promise<Extract<ReturnType<typeof childMessageSchema.parse>, { kind: K }>>((resolve) => {
        const onMessage = (raw: unknown) => {
          const message = childMessageSchema.parse(raw);
          if (message.kind !== kind) return;
          child.off("message", onMessage);
          resolve(message as Extract<typeof message, { kind: K }>);
        };
        child.on("message", onMessage);
      }),
    ]);
  return {
    pid: child.pid!,
    ready: next("ready"),
    async run(arrivals: Arrivals): Promise<LoadReport> {
      const reported = next("report");
      child.send(arrivals);
      return (await reported).report;
    },
    stop: () => child.disconnect(),
  };
}

async function main() {
  const store = await benchDatabase();
  Object.assign(process.env, { PARLEY_RATE_LIMIT_WEBHOOK: "100000000", PARLEY_LOG_LEVEL: "warn" });
  const { createDb } = await import("@/server/db/client");
  const { startParleyApp, CHANNEL } = await import("@/tests/support/parley");
  const arrivals = startArrivals(CHANNEL.accessToken);
  const { graphUrl } = await arrivals.ready;
  const database = createDb(store.url);
  const parley = await startParleyApp({ url: store.url, db: database, drop: async () => {} }, { graphUrl, keepAlive: true });
  // As `npm start` does (server/boot/environment.ts).
  snapshotEnvironment();
  // Each conversation gets two messages (greeting, question): at 50/s that is 100 a second,
  // over a new number's 80. The bench's number has the throughput Meta grants on request (1,000).
  await database.channel.updateMany({ data: { messagesPerSecond: 1000 } });

  const schedule = { appUrl: parley.url, appSecret: CHANNEL.appSecret, phoneNumberId: CHANNEL.phoneNumberId, rate: RATE, drainMs: DRAIN_MS };
  // Code paths compiled, statements prepared on each pooled connection, tables past empty.
  const warmup = WARMUP_SECONDS > 0 ? await arrivals.run({ ...schedule, firstContact: 0, seconds: WARMUP_SECONDS }) : null;
  const appCpu0 = process.cpuUsage();
  const databaseCpu0 = await descendantsCpuMs({ except: arrivals.pid });
  const load = await arrivals.run({ ...schedule, firstContact: warmup?.total ?? 0, seconds: SECONDS });
  const appCpu = process.cpuUsage(appCpu0);
  const databaseCpuMs = (await descendantsCpuMs({ except: arrivals.pid })) - databaseCpu0;
  arrivals.stop();
  await parley.stop();
  await store.cleanup();
  const appCpuMs = (appCpu.user + appCpu.system) / 1000;

  const { total, arrivalSeconds } = load;
  const answered = load.latencies.length;
  const latencies = load.latencies.sort((a, b) => a - b);
  const ingest = load.ingest.sort((a, b) => a - b);
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
        measure: `${answered} / ${total}`,
        baseline: `arrivals took ${fixed(arrivalSeconds)} s`,
        ratio: answered === total ? "all answered" : `${total - answered} unanswered after ${DRAIN_MS / 1000} s${load.refused ? `, ${load.refused} webhooks refused` : ""}`,
        target: "all",
        met: answered === total && load.refused === 0,
      },
      {
        part: "e2e",
        what: "CPU per conversation: app + PostgreSQL",
        measure: `${fixed(appCpuMs / total)} + ${databaseCpuMs ? fixed(databaseCpuMs / total) : "n/a"} ms`,
        baseline: `${os.cpus().length} cores`,
        ratio: `≈ ${fixed((os.cpus().length * 1000 * total) / (appCpuMs + databaseCpuMs), 0)} conversations/s with every core busy`,
        target: "—",
        met: null,
      },
    ],
    [`e2e: ${total} conversations at ${RATE}/s after a ${WARMUP_SECONDS} s warm-up at the same rate${warmup ? ` (p50 / p99 ${fixed(percentile(warmup.latencies.sort((a, b) => a - b), 0.5), 0)} / ${fixed(percentile(warmup.latencies, 0.99), 0)} ms)` : ""}; latency from posting the webhook to the fake Graph API receiving the first answer, both in the load process`],
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
