// `npm run bench:ingest`: signed WhatsApp webhooks per second through Parley's real ingress
// (route handler → signature → store → event to the embedded executor), sustained for
// BENCH_SECONDS (default 30) by autocannon from a second process, beside a baseline measured
// the same way: a bare node:http server doing the same HMAC check, JSON parse and one
// database insert. Then checks that every accepted webhook was stored exactly once.
// The app is bench/ingest-app.ts: ingest alone; bench:e2e measures the whole path.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { benchDatabase, fixed, report, type BenchRow } from "./support";
import { APP_SECRET, startIngestApp, webhookLoad } from "./ingest-app";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

/** The baseline: HMAC check, JSON parse and one insert per request, nothing else. */
async function baselineServer(databaseUrl: string): Promise<{ url: string; server: Server; pool: pg.Pool }> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  pool.on("error", () => {}); // connections the cleanup's DROP DATABASE … (FORCE) ends
  await pool.query(`CREATE TABLE bench_baseline (wamid text PRIMARY KEY, body jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now())`);
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const expected = Buffer.from(`sha256=${createHmac("sha256", APP_SECRET).update(raw).digest("hex")}`);
    const given = Buffer.from(String(req.headers["x-hub-signature-256"] ?? ""));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return res.writeHead(401).end();
    const body = JSON.parse(raw.toString("utf8"));
    const message = body.entry[0].changes[0].value.messages[0];
    await pool.query("INSERT INTO bench_baseline (wamid, body) VALUES ($1, $2) ON CONFLICT DO NOTHING", [message.id, message]);
    res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, pool };
}

async function main() {
  const store = await benchDatabase();
  const app = await startIngestApp(store.url);
  const { db } = app;

  // Warm-up, then the measured run.
  await webhookLoad(app.url, `warm${process.pid}`, { amount: 200 }, 4);
  const before = await db.message.count();
  const parley = await webhookLoad(app.url, `run${process.pid}`, { seconds: SECONDS }, CONNECTIONS);
  // autocannon stops counting at the deadline while its last requests finish: let them land.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const stored = (await db.message.count()) - before;
  const accepted = parley.ok;
  const sent = parley.sent;
  await app.stop();

  const baseline = await baselineServer(store.url);
  const bare = await webhookLoad(baseline.url, `bare${process.pid}`, { seconds: SECONDS }, CONNECTIONS);
  await new Promise<void>((resolve) => baseline.server.close(() => resolve()));
  await baseline.pool.end();
  await db.$disconnect();
  await store.cleanup();

  const perSecond = accepted / SECONDS;
  const bareSecond = bare.ok / SECONDS;
  const rows: BenchRow[] = [
    {
      part: "ingest",
      what: `signed webhooks/s, ${SECONDS} s, ${CONNECTIONS} connections`,
      measure: fixed(perSecond, 0),
      baseline: `${fixed(bareSecond, 0)} (HMAC + parse + insert)`,
      ratio: `${fixed(perSecond / bareSecond, 2)}× the baseline`,
      target: ">= 2000/s and >= 0.5× baseline",
      met: perSecond >= 2000 && perSecond / bareSecond >= 0.5,
    },
    {
      part: "ingest",
      what: "latency p50 / p99",
      measure: `${parley.p50} / ${parley.p99} ms`,
      baseline: `${bare.p50} / ${bare.p99} ms`,
      ratio: `${fixed(parley.p99 / Math.max(1, bare.p99), 1)}× at p99`,
      target: "p99 < 25 ms",
      met: parley.p99 < 25,
    },
    {
      part: "ingest",
      what: "accepted webhooks stored exactly once",
      measure: `${stored} stored, ${accepted} answered 2xx, ${sent} sent`,
      baseline: `${parley.non2xx} non-2xx`,
      // Requests cut off by the deadline may be stored without their answer being counted.
      ratio: stored >= accepted && stored <= sent ? "none lost or doubled" : `${accepted - stored} missing`,
      target: "accepted ≤ stored ≤ sent",
      met: stored >= accepted && stored <= sent && parley.non2xx === 0,
    },
  ];
  await report(rows, [`ingest: ${parley.total} requests, ${parley.errors} connection errors, ${parley.non2xx} non-2xx; load from a second process`]);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
