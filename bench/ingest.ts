// `npm run bench:ingest`: signed WhatsApp webhooks per second through Parley's real ingress
// (route handler → signature → store → event to the embedded executor), sustained for
// BENCH_SECONDS (default 30) by autocannon from a second process, beside a baseline measured
// the same way: a bare node:http server doing the same HMAC check, JSON parse and one
// database insert. Then checks that every accepted webhook was stored exactly once.
//
// The executor accepts the events but runs nothing (capacity 0), so the figure is ingest
// alone; bench:e2e measures the whole path. Next's HTTP layer is replaced by a plain
// node:http server serving the same route handler (tests/support/http.ts).
import { spawn } from "node:child_process";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { benchDatabase, fixed, report, type BenchRow } from "./support";
import { loadResultSchema, type LoadOptions, type LoadResult } from "./webhook-load";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const PHONE_NUMBER_ID = "109876543210";
const APP_SECRET = "bench-app-secret";

/** Runs the load generator (bench/webhook-load.ts) in its own process and reads its figures. */
async function load(url: string, tag: string, extent: { seconds: number } | { amount: number }, connections = CONNECTIONS): Promise<LoadResult> {
  const options: LoadOptions = { url, connections, ...extent, appSecret: APP_SECRET, phoneNumberId: PHONE_NUMBER_ID, tag };
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./webhook-load.ts", import.meta.url)), JSON.stringify(options)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) throw new Error(`the load generator exited with ${code}`);
  return loadResultSchema.parse(JSON.parse(output.trim().split("\n").at(-1) ?? "{}"));
}

/** The baseline: HMAC check, JSON parse and one insert per request, nothing else. */
async function baselineServer(databaseUrl: string): Promise<{ url: string; server: Server; pool: pg.Pool }> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
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
  const signingKey = `signkey-bench-${randomBytes(32).toString("hex")}`;
  const eventKey = randomBytes(16).toString("hex");
  Object.assign(process.env, {
    DATABASE_URL: store.url,
    PARLEY_SECRET_KEY: randomBytes(32).toString("base64url"),
    PARLEY_RATE_LIMIT_WEBHOOK: "100000000",
    PARLEY_LOG_LEVEL: "warn",
    INNGEST_SIGNING_KEY: signingKey,
    INNGEST_EVENT_KEY: eventKey,
  });
  const [{ db }, { seed }, { startExecutor }, webhook, { serveRoutes }, { attachEmbeddedExecutor }] = await Promise.all([
    import("@/server/db/client"),
    import("@/server/db/seed"),
    import("@/server/executor"),
    import("@/app/api/webhooks/whatsapp/route"),
    import("@/tests/support/http"),
    import("@/server/inngest/client"),
  ]);
  await seed(db(), { internalUrl: "http://127.0.0.1:1", envChannel: { phoneNumberId: PHONE_NUMBER_ID, accessToken: "t", appSecret: APP_SECRET, verifyToken: "v" } });
  const executor = await startExecutor({ db: db(), serveUrl: "http://127.0.0.1:1/api/inngest", signingKey, eventKey, capacity: 0 });
  process.env.INNGEST_BASE_URL = executor.url;
  attachEmbeddedExecutor((events) => executor.send(events));
  const app = await serveRoutes([{ pattern: /^\/api\/webhooks\/whatsapp$/, methods: { POST: webhook.POST } }], 0, { keepAlive: true });

  // Warm-up, then the measured run.
  await load(app.url, `warm${process.pid}`, { amount: 200 }, 4);
  const before = await db().message.count();
  const parley = await load(app.url, `run${process.pid}`, { seconds: SECONDS });
  // autocannon stops counting at the deadline while its last requests finish: let them land.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const stored = (await db().message.count()) - before;
  const accepted = parley.ok;
  const sent = parley.sent;
  await app.close();
  await executor.stop();

  const baseline = await baselineServer(store.url);
  const bare = await load(baseline.url, `bare${process.pid}`, { seconds: SECONDS });
  await new Promise<void>((resolve) => baseline.server.close(() => resolve()));
  await baseline.pool.end();
  await db().$disconnect();
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
