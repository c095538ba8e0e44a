// Event ingestion: store, deduplicate, start runs (through flow control), cancel runs
// (cancelOn), resolve waits. Runs inside the caller's transaction so that an event, the runs it
// starts, the runs it cancels and the waits it resolves commit together (the worker's internal
// events, such as inngest/function.failed, use the same path).
import { Prisma } from "@/server/db/client";
import { evaluateKey, matches } from "./expressions";
import { ulid } from "./ids";
import type { FunctionRegistry, RegisteredFunction } from "./registry";
import type { IncomingEvent, Json, RunEvent } from "./schemas";

type Tx = Prisma.TransactionClient;

/** Event ids are deduplicated for 24 hours, as in Inngest; so are idempotency keys. */
export const DEDUP_WINDOW_MS = 24 * 60 * 60 * 1000;

export const ACTIVE_STATUSES = ["queued", "running", "sleeping", "waiting"] as const;

export interface IngestResult {
  ids: string[];
  /** Runs were created or woken: the worker should look for work now. */
  wake: boolean;
  /** Runs cancelled by these events (a worker executing one in-process aborts its request). */
  cancelled: string[];
}

export async function ingestEvents(
  tx: Tx,
  registry: FunctionRegistry,
  incoming: IncomingEvent[],
  now = new Date(),
): Promise<IngestResult> {
  const ids: string[] = [];
  const cancelled: string[] = [];
  let wake = false;
  // Lifecycle events of runs cancelled here are appended and ingested in the same pass.
  const queue: { raw: IncomingEvent; external: boolean }[] = incoming.map((raw) => ({ raw, external: true }));
  // The whole batch's ids are deduplicated by one statement, and its names asked once which
  // open waits expect them (waits are only resolved while a batch is taken, never created,
  // so that answer stays a superset).
  const fresh = await firstSightings(tx, incoming.flatMap((raw) => (raw.id ? [raw.id] : [])), now);
  const batchNames = new Set(incoming.map((raw) => raw.name));
  const awaitedInBatch = incoming.length > 1 ? await awaitedNames(tx, [...batchNames], now) : null;
  const mayBeAwaited = (name: string) => !awaitedInBatch || !batchNames.has(name) || awaitedInBatch.has(name);
  // Events and plain runs are written together at the end, or before any statement that must see them.
  const writes = new BatchWrites();
  for (let index = 0; index < queue.length; index++) {
    const { raw, external } = queue[index] as (typeof queue)[number];
    const givenId = raw.id;
    const event: RunEvent = {
      id: givenId ?? ulid(now.getTime()),
      name: raw.name,
      data: raw.data ?? {},
      user: raw.user ?? {},
      ts: raw.ts ?? now.getTime(),
      ...(raw.v ? { v: raw.v } : {}),
    };
    if (external) ids.push(event.id);
    // A second event with the same id in this batch is a duplicate too.
    if (givenId && !fresh.delete(givenId)) continue;
    const internalId = ulid(now.getTime());
    const triggered = registry.matching(event);
    const cancelling = registry.cancelling(event.name);
    if (!external && triggered.length === 0 && cancelling.length === 0) {
      // A lifecycle event (inngest/function.finished…) that no function listens to is only
      // offered to open waits (step.invoke, waitForEvent); stored only when one took it.
      if (mayBeAwaited(event.name) && (await resolveWaits(tx, event, now))) {
        wake = true;
        writes.events.push({ internalId, event });
      }
      continue;
    }
    writes.events.push({ internalId, event });
    for (const fn of triggered) {
      if (hasFlowControl(fn)) {
        // Its checks read keys and runs that earlier events of the batch may have made.
        await writes.flush(tx, now);
        if (await startRun(tx, fn, event, internalId, now)) wake = true;
      } else {
        writes.runs.push(newRun(fn, event, internalId, now));
        wake = true;
      }
    }
    if (cancelling.length > 0) await writes.flush(tx, now);
    for (const { fn, rules } of cancelling) {
      const runs = await tx.executorRun.findMany({
        where: { functionId: fn.id, status: { in: [...ACTIVE_STATUSES] }, eventId: { not: internalId } },
        select: { id: true, event: true, createdAt: true },
      });
      for (const run of runs) {
        const hit = rules.some(
          (rule) =>
            (rule.timeoutMs === undefined || run.createdAt.getTime() + rule.timeoutMs >= now.getTime()) &&
            (!rule.if || matches(rule.if, { event: run.event, async: event })),
        );
        if (!hit) continue;
        const emitted = await cancelRun(tx, run.id, { name: "FunctionCancelled", message: `Cancelled by event ${event.name} (${event.id})` }, now);
        if (emitted.length) cancelled.push(run.id);
        for (const raw of emitted) queue.push({ raw, external: false });
      }
    }
    if (mayBeAwaited(event.name) && (await resolveWaits(tx, event, now))) wake = true;
  }
  await writes.flush(tx, now);
  return { ids, wake, cancelled };
}

/** Rows of a batch written with one statement per table: the events, then the runs they start. */
class BatchWrites {
  events: { internalId: string; event: RunEvent }[] = [];
  runs: NewRun[] = [];

  async flush(tx: Tx, now: Date): Promise<void> {
    if (this.events.length > 0) await storeEvents(tx, this.events, now);
    if (this.runs.length > 0) await insertRuns(tx, this.runs);
    this.events = [];
    this.runs = [];
  }
}

/**
 * Whether taking these events needs only raw SQL (so it can run on a plain pg transaction,
 * server/db/sql.ts): no function cancels on them, and the functions they may start use no
 * flow control but concurrency — the webhook's events, and most others.
 */
export function takesOnlyRawSql(registry: FunctionRegistry, events: { name: string }[]): boolean {
  return events.every(
    (event) =>
      registry.cancelling(event.name).length === 0 &&
      registry.listeningTo(event.name).every((fn) => !fn.idempotency && !fn.rateLimit && !fn.debounce && !fn.throttle),
  );
}

/** Whether no function is triggered or cancelled by these events: only open waits could take them. */
export function onlyWaitsTake(registry: FunctionRegistry, events: { name: string }[]): boolean {
  return events.every((event) => registry.listeningTo(event.name).length === 0 && registry.cancelling(event.name).length === 0);
}

/**
 * The ids among `ids` seen for the first time within the dedup window: each is recorded (or
 * renewed, when last seen before the window) by the same statement. A concurrent delivery of
 * the same id waits on its key, then finds it taken: exactly one of them gets it back.
 */
export async function firstSightings(tx: Tx, ids: string[], now: Date): Promise<Set<string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Set();
  const recorded = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO "ExecutorEventId" (id, "receivedAt") SELECT id, ${now} FROM unnest(${unique}::text[]) AS id
    ON CONFLICT (id) DO UPDATE SET "receivedAt" = EXCLUDED."receivedAt"
    WHERE "ExecutorEventId"."receivedAt" <= ${new Date(now.getTime() - DEDUP_WINDOW_MS)}
    RETURNING id`;
  return new Set(recorded.map((row) => row.id));
}

/** ExecutorWait rows still open (waitForEvent, a step.invoke's parent) for an event of one of these names. */
function openWaitsOf(names: string[], now: Date): Prisma.Sql {
  return Prisma.sql`"eventName" = ANY(${names}::text[]) AND "resolvedAt" IS NULL AND "expiresAt" > ${now}`;
}

/** The condition "a wait is open for an event of one of these names". */
export function openWaitFor(names: string[], now: Date): Prisma.Sql {
  return Prisma.sql`EXISTS (SELECT 1 FROM "ExecutorWait" WHERE ${openWaitsOf(names, now)})`;
}

/** Which of these event names open waits expect. */
async function awaitedNames(tx: Tx, names: string[], now: Date): Promise<Set<string>> {
  const rows = await tx.$queryRaw<{ eventName: string }[]>`
    SELECT DISTINCT "eventName" FROM "ExecutorWait" WHERE ${openWaitsOf(names, now)}`;
  return new Set(rows.map((row) => row.eventName));
}

/** Stores events, one statement for all of them. */
export async function storeEvents(tx: Tx, events: { internalId: string; event: RunEvent }[], now: Date): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO "ExecutorEvent" ("internalId", id, name, data, "user", ts, "receivedAt")
    SELECT e."internalId", e.id, e.name, e.data, e."user", e.ts, ${now}
    FROM unnest(${events.map((e) => e.internalId)}::text[], ${events.map((e) => e.event.id)}::text[],
      ${events.map((e) => e.event.name)}::text[], ${events.map((e) => JSON.stringify(e.event.data))}::jsonb[],
      ${events.map((e) => JSON.stringify(e.event.user))}::jsonb[], ${events.map((e) => String(e.event.ts))}::bigint[])
      AS e("internalId", id, name, data, "user", ts)`;
}

/** A key expression's value, scoped to the function; a key that cannot be evaluated shares one bucket. */
function scopedKey(fn: RegisteredFunction, expression: string | undefined, event: RunEvent): string {
  const value = expression ? (evaluateKey(expression, { event }) ?? `unresolved:${expression}`) : "";
  return `${fn.id}:${value}`;
}

async function lockKey(tx: Tx, kind: string, key: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`parley-executor-${kind}:${key}`}))`;
}

export interface StartOptions {
  /** step.invoke: "<parent run>.<step>" (the child skips flow control except concurrency). */
  correlationId?: string;
}

/**
 * Starts one run of `fn` for `event`, through its flow control (in Inngest's order):
 * idempotency and rateLimit may skip the event; debounce folds it into the run gathering the
 * burst (which then carries the latest event); throttle delays the start. Returns the run id,
 * or null when the event starts nothing.
 */
export async function startRun(
  tx: Tx,
  fn: RegisteredFunction,
  event: RunEvent,
  eventId: string,
  now: Date,
  options: StartOptions = {},
): Promise<string | null> {
  const keys: { kind: string; key: string; at: Date; expiresAt: Date }[] = [];
  let dueAt = now;
  let debounce: { key: string; until: Date | null } | null = null;
  const invoked = options.correlationId !== undefined;

  if (fn.idempotency && !invoked) {
    const key = scopedKey(fn, fn.idempotency, event);
    await lockKey(tx, "idempotency", key);
    const seen = await tx.executorKey.count({
      where: { kind: "idempotency", key, at: { gt: new Date(now.getTime() - DEDUP_WINDOW_MS) } },
    });
    if (seen > 0) return null;
    keys.push({ kind: "idempotency", key, at: now, expiresAt: new Date(now.getTime() + DEDUP_WINDOW_MS) });
  }
  if (fn.rateLimit && !invoked) {
    const key = scopedKey(fn, fn.rateLimit.key, event);
    await lockKey(tx, "rateLimit", key);
    const used = await tx.executorKey.count({
      where: { kind: "rateLimit", key, at: { gt: new Date(now.getTime() - fn.rateLimit.periodMs) } },
    });
    if (used >= fn.rateLimit.limit) return null;
    keys.push({ kind: "rateLimit", key, at: now, expiresAt: new Date(now.getTime() + fn.rateLimit.periodMs) });
  }
  if (fn.debounce && !invoked) {
    const key = scopedKey(fn, fn.debounce.key, event);
    await lockKey(tx, "debounce", key);
    // A queued run still gathering this key's burst takes the new event and restarts its
    // period. A worker that claimed it first cleared debounceKey, and then a new run starts.
    const gathering = await tx.$queryRaw<{ id: string; debounceUntil: Date | null }[]>`
      SELECT id, "debounceUntil" FROM "ExecutorRun"
      WHERE "debounceKey" = ${key} AND status = 'queued' AND "startedAt" IS NULL
      LIMIT 1 FOR UPDATE`;
    const target = new Date(now.getTime() + fn.debounce.periodMs);
    const current = gathering[0];
    if (current) {
      const due = current.debounceUntil && current.debounceUntil < target ? current.debounceUntil : target;
      await tx.executorRun.update({
        where: { id: current.id },
        data: { event: event as unknown as object, eventId, dueAt: due },
      });
      return current.id;
    }
    const until = fn.debounce.timeoutMs !== undefined ? new Date(now.getTime() + fn.debounce.timeoutMs) : null;
    debounce = { key, until };
    dueAt = until && until < target ? until : target;
  } else if (fn.throttle && !invoked) {
    // At most `limit` starts in any window of `period`: the new run starts no earlier than
    // `period` after the limit-th latest scheduled start of its key.
    const key = scopedKey(fn, fn.throttle.key, event);
    await lockKey(tx, "throttle", key);
    const slot = await tx.executorKey.findMany({
      where: { kind: "throttle", key },
      orderBy: { at: "desc" },
      skip: fn.throttle.limit - 1,
      take: 1,
      select: { at: true },
    });
    const earliest = slot[0] ? new Date(slot[0].at.getTime() + fn.throttle.periodMs) : now;
    dueAt = earliest > now ? earliest : now;
    keys.push({ kind: "throttle", key, at: dueAt, expiresAt: new Date(dueAt.getTime() + fn.throttle.periodMs) });
  }

  const run = newRun(fn, event, eventId, now, { dueAt, debounce, correlationId: options.correlationId ?? null });
  await insertRuns(tx, [run]);
  if (keys.length) await tx.executorKey.createMany({ data: keys.map((k) => ({ ...k, runId: run.id })) });
  return run.id;
}

/** Whether starting a run of `fn` goes through flow control that reads and writes keys or runs. */
function hasFlowControl(fn: RegisteredFunction): boolean {
  return Boolean(fn.idempotency || fn.rateLimit || fn.debounce || fn.throttle);
}

/** A run about to be created, as its row. */
interface NewRun {
  id: string;
  functionId: string;
  eventId: string;
  event: RunEvent;
  maxAttempts: number;
  concurrencyKey: string | null;
  concurrencyLimit: number | null;
  dueAt: Date;
  createdAt: Date;
  debounceKey: string | null;
  debounceUntil: Date | null;
  startBy: Date | null;
  finishAfterMs: number | null;
  correlationId: string | null;
}

/** The row of a new run of `fn` for `event`: its concurrency key evaluated, its deadlines set. */
function newRun(
  fn: RegisteredFunction,
  event: RunEvent,
  eventId: string,
  now: Date,
  start: { dueAt?: Date; debounce?: { key: string; until: Date | null } | null; correlationId?: string | null } = {},
): NewRun {
  let concurrencyKey: string | null = null;
  let concurrencyLimit: number | null = null;
  if (fn.concurrency) {
    const { key, scope, limit } = fn.concurrency;
    // A key that cannot be evaluated (e.g. a missing field) falls back to the expression text,
    // so such runs still share one bucket rather than escaping the limit.
    const value = key ? (evaluateKey(key, { event }) ?? `unresolved:${key}`) : "";
    concurrencyKey = `${scope === "fn" ? `fn:${fn.id}` : scope}:${value}`;
    concurrencyLimit = limit;
  }
  return {
    id: ulid(now.getTime()),
    functionId: fn.id,
    eventId,
    event,
    maxAttempts: fn.maxAttempts,
    concurrencyKey,
    concurrencyLimit,
    dueAt: start.dueAt ?? now,
    createdAt: now,
    debounceKey: start.debounce?.key ?? null,
    debounceUntil: start.debounce?.until ?? null,
    startBy: fn.timeouts?.startMs !== undefined ? new Date(now.getTime() + fn.timeouts.startMs) : null,
    finishAfterMs: fn.timeouts?.finishMs ?? null,
    correlationId: start.correlationId ?? null,
  };
}

/** Creates queued runs, one statement for all of them. Instants go as UTC text, as the columns hold them. */
async function insertRuns(tx: Tx, runs: NewRun[]): Promise<void> {
  const column = <T>(pick: (run: NewRun) => T) => runs.map(pick);
  const instant = (date: Date | null) => date?.toISOString() ?? null;
  await tx.$executeRaw`
    INSERT INTO "ExecutorRun" (id, "functionId", "eventId", event, status, "maxAttempts", "concurrencyKey",
      "concurrencyLimit", "dueAt", "createdAt", "debounceKey", "debounceUntil", "startBy", "finishAfterMs", "correlationId")
    SELECT r.id, r."functionId", r."eventId", r.event, 'queued', r."maxAttempts", r."concurrencyKey",
      r."concurrencyLimit", r."dueAt", r."createdAt", r."debounceKey", r."debounceUntil", r."startBy", r."finishAfterMs", r."correlationId"
    FROM unnest(${column((r) => r.id)}::text[], ${column((r) => r.functionId)}::text[], ${column((r) => r.eventId)}::text[],
      ${column((r) => JSON.stringify(r.event))}::jsonb[], ${column((r) => r.maxAttempts)}::int[], ${column((r) => r.concurrencyKey)}::text[],
      ${column((r) => r.concurrencyLimit)}::int[], ${column((r) => instant(r.dueAt))}::timestamp[], ${column((r) => instant(r.createdAt))}::timestamp[],
      ${column((r) => r.debounceKey)}::text[], ${column((r) => instant(r.debounceUntil))}::timestamp[], ${column((r) => instant(r.startBy))}::timestamp[],
      ${column((r) => r.finishAfterMs)}::int[], ${column((r) => r.correlationId)}::text[])
      AS r(id, "functionId", "eventId", event, "maxAttempts", "concurrencyKey", "concurrencyLimit", "dueAt", "createdAt",
        "debounceKey", "debounceUntil", "startBy", "finishAfterMs", "correlationId")`;
}

/**
 * Cancels a run that has not finished: status cancelled, lease dropped (a worker executing it
 * loses its lease and writes nothing more), open waits deleted. Returns the lifecycle events
 * to ingest (inngest/function.cancelled and inngest/function.finished), or [] when the run
 * had already finished.
 */
export async function cancelRun(tx: Tx, runId: string, reason: Json, now: Date): Promise<IncomingEvent[]> {
  const rows = await tx.$queryRaw<{ id: string; functionId: string; event: RunEvent; correlationId: string | null }[]>`
    UPDATE "ExecutorRun"
    SET status = 'cancelled', "lockedBy" = NULL, "lockedUntil" = NULL, "endedAt" = ${now},
        "debounceKey" = NULL, error = ${JSON.stringify(reason)}::jsonb
    WHERE id = ${runId} AND status IN ('queued', 'running', 'sleeping', 'waiting')
    RETURNING id, "functionId", event, "correlationId"`;
  const row = rows[0];
  if (!row) return [];
  await tx.executorWait.deleteMany({ where: { runId } });
  return lifecycleEvents(
    { id: row.id, functionId: row.functionId, event: row.event, correlationId: row.correlationId },
    { status: "cancelled", error: reason },
  );
}

export interface RunRef {
  id: string;
  functionId: string;
  event: RunEvent;
  correlationId: string | null;
}

/**
 * inngest/function.finished for every end, plus inngest/function.failed or
 * inngest/function.cancelled (protocol doc §7). `correlation_id` lets a step.invoke waiting on
 * this run resolve.
 */
export function lifecycleEvents(
  run: RunRef,
  final: { status: "completed"; output: Json } | { status: "failed" | "cancelled"; error: Json },
): IncomingEvent[] {
  const base = {
    function_id: run.functionId,
    run_id: run.id,
    event: run.event,
    events: [run.event],
    ...(run.correlationId ? { correlation_id: run.correlationId } : {}),
  };
  if (final.status === "completed") {
    return [{ name: "inngest/function.finished", data: { ...base, result: final.output, _inngest: { status: "Completed" } } }];
  }
  const status = final.status === "failed" ? "Failed" : "Cancelled";
  const data = { ...base, error: final.error, result: final.error, _inngest: { status } };
  return [
    { name: `inngest/function.${final.status}`, data },
    { name: "inngest/function.finished", data },
  ];
}

/**
 * Resolves the open waits this event matches. The wait row is the arbiter with the timeout:
 * only the conditional update that sets resolvedAt first wins. The run is then made due now;
 * a run currently leased keeps its status and its worker sees the resolution when it
 * commits (see worker.ts, finish).
 */
async function resolveWaits(tx: Tx, event: RunEvent, now: Date): Promise<boolean> {
  const waits = await tx.$queryRaw<{ id: string; runId: string; expression: string | null; runEvent: unknown }[]>`
    SELECT w.id, w."runId", w.expression, r.event AS "runEvent"
    FROM "ExecutorWait" w JOIN "ExecutorRun" r ON r.id = w."runId"
    WHERE w."eventName" = ${event.name} AND w."resolvedAt" IS NULL AND w."expiresAt" > ${now}
    ORDER BY w."createdAt"`;
  let woke = false;
  for (const wait of waits) {
    if (wait.expression && !matches(wait.expression, { event: wait.runEvent, async: event })) continue;
    const won = await tx.$executeRaw`
      UPDATE "ExecutorWait" SET "resolvedAt" = ${now}, result = ${JSON.stringify(event)}::jsonb
      WHERE id = ${wait.id} AND "resolvedAt" IS NULL`;
    if (won !== 1) continue;
    await tx.$executeRaw`UPDATE "ExecutorRun"
      SET "dueAt" = ${now}, status = CASE WHEN status = 'running' THEN status ELSE 'queued'::"ExecutorRunStatus" END
      WHERE id = ${wait.runId} AND status IN ('queued', 'running', 'sleeping', 'waiting')`;
    woke = true;
  }
  return woke;
}
