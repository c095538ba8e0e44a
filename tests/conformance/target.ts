// The executor the conformance suite runs against. By default Parley's embedded executor on
// a fresh test database; with CONFORMANCE_EXECUTOR_URL, any executor speaking Inngest's
// protocol — a real Inngest server (`inngest dev`, or `inngest start` with
// CONFORMANCE_SIGNING_KEY and CONFORMANCE_EVENT_KEY) — so the same scenarios show whether
// the embedded executor behaves as Inngest does. The suite observes only what both offer:
// the functions' own effects in this process and Inngest's REST API for runs.
import { randomBytes } from "node:crypto";
import { Inngest } from "inngest";
import type { ApiRun } from "@/server/executor/runs-api";
import { startExecutor, type Executor } from "@/server/executor";
import { freePort, quietLogger, serveFunctions, type AnyFunction } from "@/server/executor/testing";
import { createTestDatabase, type TestDatabase } from "../support/database";

export interface ConformanceTarget {
  /** "embedded", or the external executor's URL. */
  name: string;
  inngest: Inngest;
  /** The runs an event started, as Inngest's REST API reports them. */
  runsOf(eventId: string): Promise<ApiRun[]>;
  /** How long a scenario may wait: a real server retries with backoffs of seconds. */
  patienceMs: number;
  close(): Promise<void>;
}

const external = process.env.CONFORMANCE_EXECUTOR_URL;

export async function startTarget(define: (inngest: Inngest) => AnyFunction[]): Promise<ConformanceTarget> {
  const appId = `conformance-${randomBytes(3).toString("hex")}`;
  if (external) return startExternal(appId, external, define);

  const database: TestDatabase = await createTestDatabase();
  const signingKey = `signkey-test-${randomBytes(32).toString("hex")}`;
  const eventKey = `evt-${randomBytes(8).toString("hex")}`;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const inngest = new Inngest({ id: appId, isDev: false, signingKey, eventKey, baseUrl: url, logger: quietLogger });
  const app = await serveFunctions(inngest, define(inngest), "next");
  const executor: Executor = await startExecutor({
    db: database.db,
    serveUrl: `http://127.0.0.1:${app.port}/api/inngest`,
    signingKey,
    eventKey,
    port,
    retryBackoff: () => 50,
  });
  await executor.sync();
  return {
    name: "embedded",
    inngest,
    runsOf: (eventId) => readRuns(url, eventId, signingKey),
    patienceMs: 15_000,
    async close() {
      await executor.stop();
      await new Promise<void>((resolve) => app.server.close(() => resolve()));
      app.server.closeAllConnections();
      await database.drop();
    },
  };
}

async function startExternal(appId: string, url: string, define: (inngest: Inngest) => AnyFunction[]): Promise<ConformanceTarget> {
  const signingKey = process.env.CONFORMANCE_SIGNING_KEY;
  const inngest = new Inngest({
    id: appId,
    isDev: !signingKey,
    baseUrl: url,
    ...(signingKey ? { signingKey, eventKey: process.env.CONFORMANCE_EVENT_KEY ?? "conformance" } : {}),
    logger: quietLogger,
  });
  const app = await serveFunctions(inngest, define(inngest), "next");
  // A PUT to the serve handler makes the SDK register its functions with the server.
  const registered = await fetch(`http://127.0.0.1:${app.port}/api/inngest`, { method: "PUT" });
  if (!registered.ok) throw new Error(`Registering with ${url} failed: HTTP ${registered.status} ${await registered.text()}`);
  return {
    name: url,
    inngest,
    runsOf: (eventId) => readRuns(url, eventId, signingKey),
    patienceMs: 90_000,
    async close() {
      await new Promise<void>((resolve) => app.server.close(() => resolve()));
      app.server.closeAllConnections();
    },
  };
}

async function readRuns(url: string, eventId: string, signingKey: string | undefined): Promise<ApiRun[]> {
  const response = await fetch(`${url}/v1/events/${encodeURIComponent(eventId)}/runs`, {
    headers: signingKey ? { authorization: `Bearer ${signingKey}` } : {},
  });
  if (!response.ok) throw new Error(`GET /v1/events/${eventId}/runs: HTTP ${response.status}`);
  return ((await response.json()) as { data: ApiRun[] | null }).data ?? [];
}
