// `npm run bench:e2e`: the whole path at a steady arrival rate. New conversations arrive at
// BENCH_RATE per second (default 50) for BENCH_SECONDS (default 20), after a warm-up of
// BENCH_WARMUP_SECONDS (default 5) at the same rate: each a signed webhook from a new number,
// answered by the demo flow through the embedded executor and a fake Graph API. Measured:
// from posting the webhook to the Graph API receiving the greeting, p50/p99, beside the
// webhook's own round trip (ingest alone) in the same run.
// Parley runs as BENCH_INSTANCES instances on one database (default 1, as `npm start`; "1,2"
// measures one, then two, each on a fresh database), each its own process (bench/e2e-instance.ts: the real route handlers and an embedded
// executor); the arrivals and the fake Graph API run in another (bench/e2e-load.ts).
// Also measured: CPU per conversation, of the instances and of the embedded PostgreSQL, over
// the measured run: what bounds the rate one machine sustains, and steadier than latency on
// a shared machine.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import os from "node:os";
import { fileURLToPath } from "node:url";
import type { z } from "zod";
import { childMessageSchema, type Arrivals, type LoadReport } from "./e2e-load";
import { instanceReadySchema, type InstanceOptions } from "./e2e-instance";
import { benchDatabase, descendantsCpuMs, fixed, percentile, processCpuMs, report, type BenchRow } from "./support";

const RATE = Number(process.env.BENCH_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
/** Unmeasured arrivals at the same rate first, as a server that has been up a while has seen. */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const INSTANCES = (process.env.BENCH_INSTANCES ?? "1").split(",").map(Number);
/** After the last arrival, how long answers may still come in. */
const DRAIN_MS = 60_000;

/** A bench script in its own process, talking over IPC; its messages are read with a schema. */
function benchProcess(script: string, argument: string) {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL(script, import.meta.url)), argument], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const failed = exited.then(() => {
    throw new Error(`${script} exited early`);
  });
  return {
    pid: child.pid!,
    /** The next message `schema` accepts. */
    next<T>(schema: z.ZodType<T>): Promise<T> {
      return Promise.race([
        failed,
        new Promise<T>((resolve) => {
          const onMessage = (raw: unknown) => {
            const parsed = schema.safeParse(raw);
            if (!parsed.success) return;
            child.off("message", onMessage);
            resolve(parsed.data);
          };
          child.on("message", onMessage);
        }),
      ]);
    },
    send: (message: unknown) => child.send(message as never),
    async stop() {
      failed.catch(() => {});
      child.disconnect();
      await exited;
    },
  };
}

const readySchema = childMessageSchema.options[0];
const reportSchema = childMessageSchema.options[1];

async function measure(instances: number): Promise<BenchRow[]> {
  const store = await benchDatabase();
  const { createDb } = await import("@/server/db/client");
  const { CHANNEL } = await import("@/tests/support/parley");
  const load = benchProcess("./e2e-load.ts", CHANNEL.accessToken);
  const { graphUrl } = await load.next(readySchema);
  const secretKey = randomBytes(32).toString("base64url");
  const apps: { url: string; process: ReturnType<typeof benchProcess> }[] = [];
  // One at a time: each migrates and seeds the database as it starts.
  for (let i = 0; i < instances; i++) {
    const options: InstanceOptions = { databaseUrl: store.url, graphUrl, secretKey };
    const app = benchProcess("./e2e-instance.ts", JSON.stringify(options));
    apps.push({ url: (await app.next(instanceReadySchema)).url, process: app });
  }
  const database = createDb(store.url);
  // Each conversation gets two messages (greeting, question): at 50/s that is 100 a second,
  // over a new number's 80. The bench's number has the throughput Meta grants on request (1,000).
  await database.channel.updateMany({ data: { messagesPerSecond: 1000 } });

  const run = async (arrivals: Arrivals): Promise<LoadReport> => {
    const reported = load.next(reportSchema);
    load.send(arrivals);
    return (await reported).report;
  };
  const schedule = { appUrls: apps.map((app) => app.url), appSecret: CHANNEL.appSecret, phoneNumberId: CHANNEL.phoneNumberId, rate: RATE, drainMs: DRAIN_MS };
  const appPids = apps.map((app) => app.process.pid);
  const appsCpu = async () => (await Promise.all(appPids.map(processCpuMs))).reduce((sum, ms) => sum + ms, 0);
  const except = [load.pid, ...appPids];
  // Code paths compiled, statements prepared on each pooled connection, tables past empty.
  const warmup = WARMUP_SECONDS > 0 ? await run({ ...schedule, firstContact: 0, seconds: WARMUP_SECONDS }) : null;
  const [appCpu0, databaseCpu0] = [await appsCpu(), await descendantsCpuMs({ except })];
  const measured = await run({ ...schedule, firstContact: warmup?.total ?? 0, seconds: SECONDS });
  const [appCpuMs, databaseCpuMs] = [(await appsCpu()) - appCpu0, (await descendantsCpuMs({ except })) - databaseCpu0];
  await Promise.all(apps.map((app) => app.process.stop()));
  await load.stop();
  await database.$disconnect();
  await store.cleanup();

  const { total, arrivalSeconds } = measured;
  const answered = measured.latencies.length;
  const latencies = measured.latencies.sort((a, b) => a - b);
  const ingest = measured.ingest.sort((a, b) => a - b);
  const p50 = percentile(latencies, 0.5);
  const p99 = percentile(latencies, 0.99);
  const shape = instances === 1 ? "1 instance (npm start)" : `${instances} instances, one database`;
  return [
    {
      part: "e2e",
      what: `webhook in → Graph send out, ${RATE} new conversations/s for ${SECONDS} s, ${shape}, p50 / p99`,
      measure: `${fixed(p50, 0)} / ${fixed(p99, 0)} ms`,
      baseline: `${fixed(percentile(ingest, 0.5), 0)} / ${fixed(percentile(ingest, 0.99), 0)} ms (ingest alone)`,
      ratio: `${fixed(p50 / Math.max(1, percentile(ingest, 0.5)), 1)}× ingest at p50`,
      target: "p50 < 50 ms, p99 < 200 ms",
      met: p50 < 50 && p99 < 200,
    },
    {
      part: "e2e",
      what: `conversations answered, ${shape}`,
      measure: `${answered} / ${total}`,
      baseline: `arrivals took ${fixed(arrivalSeconds)} s`,
      ratio: answered === total ? "all answered" : `${total - answered} unanswered after ${DRAIN_MS / 1000} s${measured.refused ? `, ${measured.refused} webhooks refused` : ""}`,
      target: "all",
      met: answered === total && measured.refused === 0,
    },
    {
      part: "e2e",
      what: `CPU per conversation: Parley + PostgreSQL, ${shape}`,
      measure: `${fixed(appCpuMs / total)} + ${databaseCpuMs ? fixed(databaseCpuMs / total) : "n/a"} ms`,
      baseline: `${os.cpus().length} cores`,
      ratio: `≈ ${fixed((os.cpus().length * 1000 * total) / (appCpuMs + databaseCpuMs), 0)} conversations/s with every core busy`,
      target: "—",
      met: null,
    },
  ];
}

async function main() {
  const rows: BenchRow[] = [];
  for (const instances of INSTANCES) rows.push(...(await measure(instances)));
  await report(rows, [
    `e2e: ${RATE * SECONDS} conversations at ${RATE}/s after a ${WARMUP_SECONDS} s warm-up at the same rate, with ${INSTANCES.join(", then ")} Parley instance(s) on a fresh database each; latency from posting the webhook to the fake Graph API receiving the first answer, both in the load process`,
  ]);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
