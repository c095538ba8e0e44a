// What bench:ingest and bench:memory measure: Parley's real webhook route handler on a plain
// node:http server (Next's HTTP layer replaced, tests/support/http.ts), with the embedded
// executor in the same process accepting the events but running nothing (capacity 0), so
// the figures are the ingest path alone. The load comes from a second process
// (bench/webhook-load.ts).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { Db } from "@/server/db/client";
import { loadResultSchema, type LoadOptions, type LoadResult } from "./webhook-load";

export const PHONE_NUMBER_ID = "109876543210";
export const APP_SECRET = "bench-app-secret";

export interface IngestApp {
  url: string;
  db: Db;
  stop(): Promise<void>;
}

export async function startIngestApp(databaseUrl: string): Promise<IngestApp> {
  const signingKey = `signkey-bench-${randomBytes(32).toString("hex")}`;
  const eventKey = randomBytes(16).toString("hex");
  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
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
  attachEmbeddedExecutor(executor);
  const app = await serveRoutes([{ pattern: /^\/api\/webhooks\/whatsapp$/, methods: { POST: webhook.POST } }], 0, { keepAlive: true });
  return {
    url: app.url,
    db: db(),
    async stop() {
      await app.close();
      await executor.stop();
    },
  };
}

/** Runs the load generator in its own process against `url` and reads its figures. */
export async function webhookLoad(url: string, tag: string, extent: { seconds: number } | { amount: number }, connections: number): Promise<LoadResult> {
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
