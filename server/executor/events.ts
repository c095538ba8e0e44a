// Event ingestion: store, deduplicate, start runs, resolve waits. Runs inside the caller's
// transaction so that an event, the runs it starts and the waits it resolves commit together
// (the worker's internal events, such as inngest/function.failed, use the same path).
import type { Prisma } from "@/server/db/client";
import { evaluateKey, matches } from "./expressions";
import { ulid } from "./ids";
import type { FunctionRegistry, RegisteredFunction } from "./registry";
import type { IncomingEvent, Json, RunEvent } from "./schemas";

type Tx = Prisma.TransactionClient;

/** Event ids are deduplicated for 24 hours, as in Inngest. */
const DEDUP_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface IngestResult {
  ids: string[];
  /** Runs were created or woken: the worker should look for work now. */
  wake: boolean;
}

export async function ingestEvents(
  tx: Tx,
  registry: FunctionRegistry,
  incoming: IncomingEvent[],
  now = new Date(),
): Promise<IngestResult> {
  const ids: string[] = [];
  let wake = false;
  for (const raw of incoming) {
    const event: RunEvent = {
      id: raw.id ?? ulid(now.getTime()),
      name: raw.name,
      data: raw.data ?? {},
      user: raw.user ?? {},
      ts: raw.ts ?? now.getTime(),
      ...(raw.v ? { v: raw.v } : {}),
    };
    ids.push(event.id);
    if (raw.id) {
      // Serialise concurrent deliveries of the same id, then check the window.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`parley-executor-event:${raw.id}`}))`;
      const seen = await tx.executorEvent.findFirst({
        where: { id: raw.id, receivedAt: { gt: new Date(now.getTime() - DEDUP_WINDOW_MS) } },
        select: { internalId: true },
      });
      if (seen) continue;
    }
    const internalId = ulid(now.getTime());
    await tx.executorEvent.create({
      data: {
        internalId,
        id: event.id,
        name: event.name,
        data: event.data as Json as object,
        user: event.user as Json as object,
        ts: BigInt(event.ts),
        receivedAt: now,
      },
    });
    for (const fn of registry.matching(event)) {
      await createRun(tx, fn, event, internalId, now);
      wake = true;
    }
    if (await resolveWaits(tx, event, now)) wake = true;
  }
  return { ids, wake };
}

async function createRun(tx: Tx, fn: RegisteredFunction, event: RunEvent, eventId: string, now: Date): Promise<void> {
  let concurrencyKey: string | null = null;
  let concurrencyLimit: number | null = null;
  if (fn.concurrency) {
    const { key, scope, limit } = fn.concurrency;
    // A key that cannot be evaluated (e.g. a missing field) falls back to the expression text,
    // so such runs still share one bucket rather than escaping the limit.
    const value = key ? (evaluateKey(key, { event }) ?? `unresolved:${key}`) : "";
    concurrencyKey = `${scope === "fn" ? `fn:${fn.id}` : scope}:${value}`;
    concurrencyLimit = fn.concurrency.limit;
  }
  await tx.executorRun.create({
    data: {
      id: ulid(now.getTime()),
      functionId: fn.id,
      eventId,
      event: event as unknown as object,
      status: "queued",
      maxAttempts: fn.maxAttempts,
      concurrencyKey,
      concurrencyLimit,
      dueAt: now,
      createdAt: now,
    },
  });
}

/**
 * Resolves the open waits this event matches. The wait row is the arbiter with the timeout:
 * only the conditional update that sets resolvedAt first wins. The run is then made due now;
 * a run currently leased keeps its status and its worker sees the resolution when it
 * commits (see worker.ts, finishTurn).
 */
async function resolveWaits(tx: Tx, event: RunEvent, now: Date): Promise<boolean> {
  const waits = await tx.executorWait.findMany({
    where: { eventName: event.name, resolvedAt: null, expiresAt: { gt: now } },
    include: { run: { select: { event: true } } },
    orderBy: { createdAt: "asc" },
  });
  let woke = false;
  for (const wait of waits) {
    if (wait.expression && !matches(wait.expression, { event: wait.run.event, async: event })) continue;
    const won = await tx.executorWait.updateMany({
      where: { id: wait.id, resolvedAt: null },
      data: { resolvedAt: now, result: event as unknown as object },
    });
    if (won.count !== 1) continue;
    await tx.$executeRaw`UPDATE "ExecutorRun"
      SET "dueAt" = ${now}, status = CASE WHEN status = 'running' THEN status ELSE 'queued'::"ExecutorRunStatus" END
      WHERE id = ${wait.runId} AND status IN ('queued', 'running', 'sleeping', 'waiting')`;
    woke = true;
  }
  return woke;
}
