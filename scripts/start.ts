// `npm start`: Parley on embedded defaults, or on the servers the environment names.
//   database  DATABASE_URL, else an embedded PostgreSQL in $DATA_DIR/postgres
//   executor  INNGEST_BASE_URL / INNGEST_DEV (a real Inngest server), else the embedded executor
// Then: migrate, seed, build the app when its sources changed, serve on $PORT (3000).
process.env.NEXT_TELEMETRY_DISABLED = "1";
process.env.DO_NOT_TRACK = "1";

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";

const dev = process.argv.includes("--dev");
(process.env as Record<string, string>).NODE_ENV = dev ? "development" : "production";
const root = process.cwd();
const log = (line: string) => console.log(`[parley] ${line}`);

async function main() {
  const { snapshotEnvironment } = await import("@/server/boot/environment");
  snapshotEnvironment();
  const { hydratePostgresSymlinks, generatePrismaClient } = await import("./postinstall.mjs");
  hydratePostgresSymlinks();
  if (!existsSync(path.join(root, "server/db/generated/client.ts"))) generatePrismaClient();
  // Node packages are bundled into the app: list them before building, and load the
  // registry here so a broken package stops the start with its reason, not the build.
  const { writeNodePackages } = await import("./node-packages.mjs");
  const nodePackages = writeNodePackages();
  const { nodeDefinitions, nodeSource } = await import("@/flows/registry");
  for (const entry of nodePackages.entries) {
    const types = nodeDefinitions().filter((definition) => nodeSource(definition.type) === entry).map((definition) => definition.type);
    log(`node package ${entry}: ${types.length > 0 ? types.join(", ") : "no node types"}`);
  }

  const dataDir = path.resolve(process.env.DATA_DIR ?? ".data");
  const port = Number(process.env.PORT ?? 3000);
  const hostname = process.env.HOST ?? "0.0.0.0";
  const internalUrl = `http://127.0.0.1:${port}`;
  // Fail before starting anything when the port is taken (often: Parley already running).
  const probe = createServer();
  await listen(probe, port, hostname);
  await new Promise((resolve) => probe.close(resolve));
  const { loadGeneratedSecrets } = await import("@/server/boot/data-dir");
  const generated = await loadGeneratedSecrets(dataDir);
  process.env.PARLEY_SECRET_KEY ??= generated.secretKey;
  process.env.NEXTAUTH_SECRET ??= generated.authSecret;
  process.env.NEXTAUTH_URL ??= `http://localhost:${port}`;
  process.env.PARLEY_INTERNAL_URL = internalUrl;

  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    for (const stop of stops.reverse()) await stop().catch((error) => log(`while stopping: ${error.message}`));
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGHUP", () => void shutdown("SIGHUP"));
  // Whoever read the logs is gone (a closed terminal, a killed test runner): stop cleanly,
  // with the embedded PostgreSQL, rather than fail on every log line from now on.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") void shutdown("output closed");
    });
  }

  if (!process.env.DATABASE_URL) {
    const { startEmbeddedDatabase } = await import("@/server/db/embedded");
    const started = Date.now();
    const database = await startEmbeddedDatabase({ dir: path.join(dataDir, "postgres"), password: generated.postgresPassword });
    stops.push(() => database.stop());
    await database.ensureDatabase("parley");
    process.env.DATABASE_URL = database.urlFor("parley");
    log(`embedded PostgreSQL ready in ${Date.now() - started} ms (data in ${path.join(dataDir, "postgres")})`);
  }
  const { migrate } = await import("@/server/db/migrate");
  const { applied } = await migrate(process.env.DATABASE_URL!);
  log(applied.length > 0 ? `applied migrations: ${applied.join(", ")}` : "database schema up to date");

  const { db } = await import("@/server/db/client");
  stops.push(() => db().$disconnect());
  const [{ vectorSupport }, { describeVectorSupport }] = await Promise.all([import("@/server/knowledge/store"), import("@/server/knowledge/vectors")]);
  log(`knowledge: ${describeVectorSupport(await vectorSupport())}`);
  // A half-set S3 configuration stops the start here, not at the first photo a contact sends.
  const { mediaStore } = await import("@/server/media/storage");
  log(`media: ${mediaStore().describe()}`);
  const { seed } = await import("@/server/db/seed");
  const env = process.env;
  const envChannel =
    env.WHATSAPP_PHONE_NUMBER_ID && env.WHATSAPP_ACCESS_TOKEN && env.WHATSAPP_APP_SECRET && env.WHATSAPP_VERIFY_TOKEN
      ? { phoneNumberId: env.WHATSAPP_PHONE_NUMBER_ID, accessToken: env.WHATSAPP_ACCESS_TOKEN, appSecret: env.WHATSAPP_APP_SECRET, verifyToken: env.WHATSAPP_VERIFY_TOKEN }
      : undefined;
  const seeded = await seed(db(), { adminEmail: env.ADMIN_EMAIL, adminPassword: env.ADMIN_PASSWORD, internalUrl, envChannel });
  if (seeded.changed.length > 0) log(`seeded: ${seeded.changed.join(", ")}`);

  const externalExecutor = Boolean(env.INNGEST_BASE_URL || env.INNGEST_DEV || env.INNGEST_API_BASE_URL);
  let executor: { sync(): Promise<void>; stop(): Promise<void>; url: string } | undefined;
  if (!externalExecutor) {
    const { startExecutor } = await import("@/server/executor");
    const { log: logger } = await import("@/server/observability/log");
    const { inProcessTransport } = await import("@/server/inngest/client");
    const embedded = await startExecutor({
      db: db(),
      // The serve handler is Next's route in this same process: called directly, not over HTTP.
      transport: inProcessTransport,
      log: (line) => logger().info({ component: "executor" }, line),
      serveUrl: `${internalUrl}/api/inngest`,
      signingKey: env.INNGEST_SIGNING_KEY ?? generated.inngestSigningKey,
      eventKey: env.INNGEST_EVENT_KEY ?? generated.inngestEventKey,
    });
    executor = embedded;
    stops.push(() => embedded.stop());
    const { registerExecutorMetrics } = await import("@/server/observability/metrics");
    registerExecutorMetrics(() => embedded.metrics());
    const { attachEmbeddedExecutor } = await import("@/server/inngest/client");
    attachEmbeddedExecutor(embedded);
    env.INNGEST_BASE_URL = embedded.url;
    env.INNGEST_SIGNING_KEY ??= generated.inngestSigningKey;
    env.INNGEST_EVENT_KEY ??= generated.inngestEventKey;
    log(`embedded executor at ${embedded.url}`);
  } else {
    log("using the Inngest server named by INNGEST_* variables");
  }

  if (!dev) buildIfChanged(nodePackages.folders);
  const { default: next } = await import("next");
  const app = next({ dev, dir: root, hostname: "localhost", port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = createServer((request, response) => void handle(request, response));
  await listen(server, port, hostname);
  stops.push(() => new Promise((resolve) => server.close(() => resolve())));

  await (executor ? executor.sync() : fetch(`${internalUrl}/api/inngest`, { method: "PUT" }).then(() => undefined));
  log(`Parley is ready: http://localhost:${port}`);
  if (seeded.generatedAdmin) {
    log(`admin login (shown once, keep it): ${seeded.generatedAdmin.email} / ${seeded.generatedAdmin.password}`);
  }
}

function listen(server: Server, port: number, hostname: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new Error(`port ${port} is in use (is Parley already running?): stop that process or set PORT`) : error),
    );
    server.listen(port, hostname, () => resolve());
  });
}

/** Source folders whose changes need a new production build. */
const BUILD_INPUTS = ["app", "components", "flows", "server", "public", "package-lock.json", "next.config.ts", "postcss.config.mjs"];

function newestChange(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target)) {
    if (entry === "generated") continue; // Prisma's output is rewritten by every install
    newest = Math.max(newest, newestChange(path.join(target, entry)));
  }
  return newest;
}

/** Builds the app unless a build of the same sources (Parley's and the node package folders') exists. */
function buildIfChanged(nodePackageFolders: string[]) {
  const stampFile = path.join(root, ".next", "parley-build-stamp");
  const stamp = String(Math.max(...[...BUILD_INPUTS, ...nodePackageFolders].map((input) => newestChange(path.join(root, input)))));
  if (existsSync(path.join(root, ".next", "BUILD_ID")) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) return;
  log("building the app (first start or changed sources; takes a minute or two)…");
  const result = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], { stdio: "inherit", env: process.env });
  if (result.status !== 0) throw new Error("next build failed");
  writeFileSync(stampFile, stamp);
}

main().catch((error) => {
  console.error(`[parley] failed to start: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
