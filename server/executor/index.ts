// Parley's embedded executor: runs the app's Inngest functions without an Inngest server,
// speaking the SDK's own HTTP protocol to the serve handler and keeping all state in
// PostgreSQL. See docs/executor.md.
import type { AddressInfo } from "node:net";
import type { Db } from "@/server/db/client";
import { rawTransaction } from "./raw-sql";
import { ingestEvents, takesOnlyRawSql, type IngestResult } from "./events";
import { groupCommit } from "./group-commit";
import { seededId, TX_OPTIONS } from "./ids";
import { createExecutorApi } from "./http";
import { runById, runsOfEvent } from "./runs-api";
import { errorJson, type Transport } from "./sdk";
import { Metrics, type MetricsSnapshot } from "./metrics";
import { FunctionRegistry } from "./registry";
import { inBandSyncResponseSchema, type IncomingEvent } from "./schemas";
import { canonicalJson, hashedSigningKey, signBody } from "./signing";
import { DEFAULT_RETENTION_MS, Worker } from "./worker";

export type { MetricsSnapshot } from "./metrics";
export { DEFAULT_RETENTION_MS } from "./worker";

export interface ExecutorOptions {
  db: Db;
  /** The app's serve handler, e.g. http://127.0.0.1:3000/api/inngest */
  serveUrl: string;
  /** "signkey-<env>-<hex>"; the app runs the SDK in cloud mode with INNGEST_SIGNING_KEY = this. */
  signingKey: string;
  /** The SDK sends events to {url}/e/{eventKey}; other keys get 401. */
  eventKey: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: a free port. */
  port?: number;
  /** Milliseconds before retry number `attempt` (1-based). Default: 1 s doubling, capped at 10 min. */
  retryBackoff?: (attempt: number) => number;
  /** Never receives secrets or full event payloads. */
  log?: (line: string) => void;
  /**
   * Finished runs (and events, never before 24 h: the id dedup window) are deleted this long
   * after they ended. Default 7 days.
   */
  retentionMs?: number;
  /** How often retention runs (bounded batches). Default 60 s. */
  pruneIntervalMs?: number;
  /** How often the database is polled for due sleeps, timeouts, crons and expired leases. Default 300 ms. */
  pollMs?: number;
  /** Runs in SDK requests at once. Default 16. */
  capacity?: number;
  /** A worker's lease on a run; a crashed worker's runs are taken over after it expires. Default 30 s. */
  leaseMs?: number;
  /**
   * Let the SDK checkpoint (run several steps in one request, POSTing each result to
   * /v1/checkpoint before going on). Default true; false gives one request per step.
   */
  checkpointing?: boolean;
  /** How requests reach the serve handler; default `fetch`. `npm start` hands the app's own handler when it is in this process. */
  transport?: Transport;
}

export interface Executor {
  /** Base URL: the app sets INNGEST_BASE_URL to it. */
  url: string;
  /**
   * A fetch that answers requests to `url` in this process, without a socket, and passes any
   * other to the global fetch: the app's Inngest client takes it (its `fetch` option) when it
   * runs beside the executor, so checkpoints and sent events cost no HTTP round trip.
   */
  fetch: typeof fetch;
  /** In-band sync: signed PUT to serveUrl; registers the functions it returns. */
  sync(): Promise<void>;
  /** Resolves once no run is due now and no request is in flight (for tests). */
  idle(): Promise<void>;
  /** Stops accepting requests and finishes (or abandons, resumably) in-flight work. */
  stop(): Promise<void>;
  /** Sends events as if posted to /e/ (same dedup, flow control and cancelOn). */
  send(events: IncomingEvent | IncomingEvent[]): Promise<string[]>;
  /** A snapshot for /api/metrics: queue depth, run counters, step latency. */
  metrics(): Promise<MetricsSnapshot>;
}

export function defaultRetryBackoff(attempt: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempt - 1), 10 * 60_000);
}

export async function startExecutor(options: ExecutorOptions): Promise<Executor> {
  const { db, serveUrl, signingKey, eventKey } = options;
  if (!/^signkey-[\w]+-[0-9a-f]+$/i.test(signingKey)) throw new Error("signingKey must look like signkey-<env>-<hex>");
  if (!eventKey) throw new Error("eventKey is required");
  const log = options.log ?? (() => {});
  const registry = new FunctionRegistry(db, log);
  await registry.load();
  const metrics = new Metrics();
  const worker = new Worker({
    db,
    registry,
    signingKey,
    retryBackoff: options.retryBackoff ?? defaultRetryBackoff,
    log,
    metrics,
    retentionMs: options.retentionMs ?? DEFAULT_RETENTION_MS,
    ...(options.pruneIntervalMs !== undefined ? { pruneIntervalMs: options.pruneIntervalMs } : {}),
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    ...(options.capacity !== undefined ? { capacity: options.capacity } : {}),
    ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
    checkpointing: options.checkpointing ?? true,
    ...(options.transport ? { transport: options.transport } : {}),
  });

  /** `rawOnly`: takesOnlyRawSql(events), decided by the caller. */
  const take = async (events: IncomingEvent[], rawOnly: boolean): Promise<IngestResult> => {
    const now = new Date();
    return rawOnly
      ? rawTransaction(db, (tx) => ingestEvents(tx, registry, events, now))
      : db.$transaction((tx) => ingestEvents(tx, registry, events, now), TX_OPTIONS);
  };
  // Sends of events needing only raw SQL (a webhook's, most others) are group-committed:
  // their ids are fixed first (seeded ones from their own send's seed), then concatenated.
  const takeTogether = groupCommit<IncomingEvent[], IngestResult>(async (sends) => {
    const result = await take(sends.flat(), true);
    let offset = 0;
    return sends.map((events) => {
      const ids = result.ids.slice(offset, (offset += events.length));
      return { ids, wake: result.wake, cancelled: [] };
    });
  });

  /** `seed`: the SDK's x-inngest-event-id-seed, from which the ids of events sent without one derive. */
  const sendEvents = async (input: IncomingEvent | IncomingEvent[], seed: string | null = null): Promise<string[]> => {
    const events = (Array.isArray(input) ? input : [input]).map((event, index) => {
      const id = event.id ?? seededId(seed, index);
      return id ? { ...event, id } : event;
    });
    const result = takesOnlyRawSql(registry, events) ? await takeTogether(events) : await take(events, false);
    if (result.cancelled.length) {
      metrics.runsCancelled += result.cancelled.length;
      worker.abortRuns(result.cancelled);
    }
    if (result.wake) worker.wake();
    return result.ids;
  };

  const api = createExecutorApi({
    eventKey,
    hashedSigningKey: hashedSigningKey(signingKey),
    sendEvents,
    register: (appId, functions) => registry.replaceApp(appId, functions),
    checkpoint: (runId, body) => worker.checkpoint(runId, body),
    runsOfEvent: (eventId) => runsOfEvent(db, eventId),
    runById: (runId) => runById(db, runId),
    cancelRun: (runId) => worker.cancel(runId, errorJson("FunctionCancelled", "Cancelled through the API")),
    signingKey,
    log,
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    api.server.once("error", reject);
    api.server.listen(options.port ?? 0, host, () => {
      api.server.off("error", reject);
      resolve();
    });
  });
  const address = api.server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
  worker.start();
  log(`executor: listening on ${url}, ${serveUrl} is the serve handler`);

  return {
    url,
    fetch: api.fetchFor(url),
    async sync() {
      const body = canonicalJson({ url: serveUrl });
      const response = await fetch(serveUrl, {
        method: "PUT",
        headers: {
          "content-type": "application/json",
          "x-inngest-sync-kind": "in_band",
          "x-inngest-signature": signBody(body, signingKey),
        },
        body,
      });
      const text = await response.text();
      const kind = response.headers.get("x-inngest-sync-kind");
      if (response.ok && kind === "out_of_band") {
        // The SDK refused in-band sync (INNGEST_ALLOW_IN_BAND_SYNC=false) and registered
        // itself through POST /fn/register during this request instead.
        return;
      }
      if (!response.ok) throw new Error(`Sync failed: HTTP ${response.status} from ${serveUrl}: ${text.slice(0, 300)}`);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new Error(`Sync failed: the serve handler answered non-JSON: ${text.slice(0, 300)}`);
      }
      const parsed = inBandSyncResponseSchema.safeParse(json);
      if (!parsed.success) throw new Error(`Sync failed: unexpected reply: ${parsed.error.message}`);
      const count = await registry.replaceApp(parsed.data.app_id, parsed.data.functions);
      log(`executor: synced app ${parsed.data.app_id} (${count} functions)`);
      worker.wake();
    },
    async idle() {
      for (;;) {
        if (!worker.busy() && api.inFlight() === 0) {
          const now = new Date();
          const due = await db.executorRun.count({
            where: {
              OR: [{ status: { in: ["queued", "sleeping", "waiting"] }, dueAt: { lte: now } }, { status: "running" }],
            },
          });
          if (due === 0 && !worker.busy() && api.inFlight() === 0) return;
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    send: (events) => sendEvents(events),
    async metrics() {
      const now = new Date();
      const [byStatus, due] = await Promise.all([
        db.executorRun.groupBy({
          by: ["status"],
          where: { status: { in: ["queued", "running", "sleeping", "waiting"] } },
          _count: { _all: true },
        }),
        db.executorRun.count({ where: { status: { in: ["queued", "sleeping", "waiting"] }, dueAt: { lte: now } } }),
      ]);
      const count = (status: string) => byStatus.find((row) => row.status === status)?._count._all ?? 0;
      return {
        queue: { queued: count("queued"), running: count("running"), sleeping: count("sleeping"), waiting: count("waiting"), due },
        runs: {
          started: metrics.runsStarted,
          completed: metrics.runsCompleted,
          failed: metrics.runsFailed,
          cancelled: metrics.runsCancelled,
        },
        stepLatencyMs: metrics.latency(),
        pruned: { ...metrics.pruned },
        at: now.toISOString(),
      };
    },
    async stop() {
      const closed = new Promise<void>((resolve) => api.server.close(() => resolve()));
      api.server.closeIdleConnections();
      await worker.stop();
      api.server.closeAllConnections();
      await closed;
    },
  };
}
