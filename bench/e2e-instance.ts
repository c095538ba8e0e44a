// One Parley instance for bench:e2e, run as its own process: the app's real route handlers
// and its embedded executor (tests/support/parley.ts) on the bench's database, sending to
// the load process's fake Graph API. Several of them on one database are Parley scaled out
// (docs/deploy.md). It tells its parent its URL, and stops when the parent disconnects.
//   spawned by bench/e2e.ts with an IPC channel
import { fileURLToPath } from "node:url";
import { z } from "zod";

export const instanceOptionsSchema = z.object({ databaseUrl: z.string(), graphUrl: z.url(), secretKey: z.string() });
export type InstanceOptions = z.infer<typeof instanceOptionsSchema>;
export const instanceReadySchema = z.object({ url: z.url() });

async function main() {
  const options = instanceOptionsSchema.parse(JSON.parse(process.argv[2] ?? "{}"));
  Object.assign(process.env, { PARLEY_RATE_LIMIT_WEBHOOK: "100000000", PARLEY_LOG_LEVEL: "warn" });
  const [{ createDb }, { startParleyApp }, { snapshotEnvironment }] = await Promise.all([
    import("@/server/db/client"),
    import("@/tests/support/parley"),
    import("@/server/boot/environment"),
  ]);
  const database = createDb(options.databaseUrl);
  const app = await startParleyApp({ url: options.databaseUrl, db: database, drop: async () => {} }, { graphUrl: options.graphUrl, keepAlive: true, secretKey: options.secretKey });
  // As `npm start` does (server/boot/environment.ts).
  snapshotEnvironment();
  process.once("disconnect", () => {
    void app
      .stop()
      .then(() => database.$disconnect())
      .finally(() => process.exit(0));
  });
  process.send!({ url: app.url });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
