// `npm run bench:memory`: the app's resident memory while it takes BENCH_MEMORY_MESSAGES
// (default 100,000) signed webhooks through the real ingress (bench/ingest-app.ts), posted
// by a second process in slices. RSS and heap are sampled after each slice, following a
// garbage collection. Bounded means no growth after warm-up: the largest RSS of the second
// half stays within 10% of the RSS once the first fifth (the warm-up) is in. The baseline
// is the RSS at start, before the first webhook.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { benchDatabase, fixed, report } from "./support";
import { startIngestApp, webhookLoad } from "./ingest-app";

const MESSAGES = Number(process.env.BENCH_MEMORY_MESSAGES ?? 100_000);
const SLICES = 20;
const CONNECTIONS = 16;
const MB = 2 ** 20;

// A full collection before each sample, so the figure is what the app keeps, not garbage waiting.
setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;

function sample() {
  collect();
  const usage = process.memoryUsage();
  return { rss: usage.rss / MB, heap: usage.heapUsed / MB };
}

async function main() {
  const store = await benchDatabase();
  const app = await startIngestApp(store.url);
  const start = sample();
  const samples: { messages: number; rss: number; heap: number }[] = [];
  const perSlice = Math.ceil(MESSAGES / SLICES);
  let failed = 0;
  for (let slice = 0; slice < SLICES; slice++) {
    const result = await webhookLoad(app.url, `mem${process.pid}s${slice}`, { amount: perSlice }, CONNECTIONS);
    failed += result.non2xx + result.errors;
    samples.push({ messages: (slice + 1) * perSlice, ...sample() });
  }
  const stored = await app.db.message.count();
  await app.stop();
  await app.db.$disconnect();
  await store.cleanup();

  const warm = samples[Math.floor(SLICES / 5) - 1]!;
  const late = samples.slice(SLICES / 2);
  const lateRss = Math.max(...late.map((s) => s.rss));
  const lateHeap = Math.max(...late.map((s) => s.heap));
  const end = samples.at(-1)!;
  await report(
    [
      {
        part: "memory",
        what: `app RSS after ${end.messages.toLocaleString("en")} messages`,
        measure: `${fixed(end.rss, 0)} MB (heap ${fixed(end.heap, 0)} MB)`,
        baseline: `${fixed(start.rss, 0)} MB at start (heap ${fixed(start.heap, 0)} MB)`,
        ratio: `${fixed(end.rss / start.rss, 2)}× the start`,
        target: "—",
        met: null,
      },
      {
        part: "memory",
        what: "growth after warm-up (largest RSS of the second half ÷ RSS after the first fifth)",
        measure: `${fixed(lateRss, 0)} MB (heap ${fixed(lateHeap, 0)} MB)`,
        baseline: `${fixed(warm.rss, 0)} MB after ${warm.messages.toLocaleString("en")} (heap ${fixed(warm.heap, 0)} MB)`,
        ratio: `${fixed(lateRss / warm.rss, 2)}×`,
        target: "bounded: ≤ 1.10×",
        met: lateRss / warm.rss <= 1.1,
      },
    ],
    [
      `memory: ${stored.toLocaleString("en")} messages stored, ${failed} refused or failed; RSS by slice (MB): ${samples.map((s) => fixed(s.rss, 0)).join(", ")}`,
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
