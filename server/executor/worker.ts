// The worker: claims due runs from the database and drives each one through the SDK until it
// completes, fails, or blocks (sleep, waitForEvent, retry backoff).
//
// Ownership rules that keep concurrent writers from clobbering each other:
// - A run's state (steps, stack, pending, attempt) is written only by the worker holding its
//   lease (lockedBy = a token unique to the claim, lockedUntil renewed by a heartbeat). Every
//   write is conditional on that token, so a worker whose lease was taken over cannot write.
// - An event resolves a wait by updating the ExecutorWait row (never the run's state) and
//   making the run due; the lease holder folds resolved waits into the steps.
// - Claims are serialised across executors by an advisory lock and use FOR UPDATE SKIP
//   LOCKED, so two executors on one database never hold the same run.
import { randomUUID } from "node:crypto";
import { Prisma, type Db } from "@/server/db/client";
import { CATCH_UP_MS, MAX_TICKS_PER_PASS, nextTick } from "./cron";
import { cancelRun, DEDUP_WINDOW_MS, firstSightings, ingestEvents, lifecycleEvents, onlyWaitsTake, openWaitFor, startRun, takesOnlyRawSql } from "./events";
import { rawOnly, rawTransaction } from "./raw-sql";
import { PLAN_EACH_CALL, sql } from "@/server/db/sql";
import { parseDuration, sleepTarget, TX_OPTIONS, ulid } from "./ids";
import { groupCommit } from "./group-commit";
import { Metrics } from "./metrics";
import type { FunctionRegistry, RegisteredFunction } from "./registry";
import { checkpointBodySchema, invokeOptsSchema, waitForEventOptsSchema, type Json, type Op, type RunEvent } from "./schemas";
import { callFunction, errorJson, type CallOutcome, type Transport } from "./sdk";

type Tx = Prisma.TransactionClient;

/** Any constant: it only serialises claims of executors sharing one database. */
const CLAIM_LOCK_ID = 72_616_274;
/** Safety net against an SDK that answers without progress (e.g. only lazy ops). */
const MAX_IDLE_DISCOVERIES = 3;
/** After this many SDK round trips in one turn the run is requeued, to share the workers. */
const MAX_CALLS_PER_TURN = 200;
/** step.invoke without a timeout waits this long (Inngest has no limit; a year is plenty). */
const INVOKE_DEFAULT_TIMEOUT_MS = 365 * 24 * 3_600_000;
/** Finished runs are kept a week by default. */
export const DEFAULT_RETENTION_MS = 7 * 24 * 3_600_000;
/** Rows deleted per statement by retention, and statements per pass: bounded work per pass. */
const PRUNE_BATCH = 500;
const PRUNE_BATCHES_PER_PASS = 20;

/** Work reported by the SDK that must finish before the next discovery request. */
interface PendingItem {
  kind: "step" | "sleep" | "wait" | "invoke";
  /** step: when it may run (retry backoff); sleep: wake time; wait: timeout. ISO string. */
  dueAt: string;
  /** Planned steps: the attempt of that step's own request. */
  attempt?: number;
}

interface RunState {
  id: string;
  functionId: string;
  event: RunEvent;
  correlationId: string | null;
  steps: Record<string, Json>;
  stack: string[];
  attempt: number;
  maxAttempts: number;
  pending: Record<string, PendingItem>;
  requestVersion: number;
  /** Waits created by the last reply, written with the next save. */
  newWaits: { stepId: string; eventName: string; expression: string | null; expiresAt: Date }[];
  /** Runs started by step.invoke in the last reply, created with the next save. */
  newInvokes: { functionId: string; correlationId: string; data: Record<string, unknown>; v?: string }[];
  /** Steps whose wait rows this turn wrote: the turn's end checks those for an early resolution itself. */
  freshWaits: Set<string>;
}

/** A run's state as save() writes it, serialised when the save was asked for. */
interface SavedState {
  id: string;
  token: string;
  steps: string;
  stack: string;
  attempt: number;
  pending: string;
  requestVersion: number;
  lockedUntil: string;
}

type Final =
  | { status: "completed"; output: Json }
  | { status: "failed"; error: Json }
  | { status: "queued" | "sleeping" | "waiting"; dueAt: Date };

export interface WorkerOptions {
  db: Db;
  registry: FunctionRegistry;
  signingKey: string;
  transport?: Transport;
  retryBackoff: (attempt: number) => number;
  log: (line: string) => void;
  /** Runs executed at once (each is at most one SDK request, or one per parallel step). */
  capacity?: number;
  leaseMs?: number;
  pollMs?: number;
  requestTimeoutMs?: number;
  /** Finished runs and events older than this are deleted (events: never before 24 h, the dedup window). */
  retentionMs?: number;
  /** How often retention runs. */
  pruneIntervalMs?: number;
  metrics?: Metrics;
  /** Send ctx.fn_id so the SDK checkpoints (see checkpoint()). Default false here; index.ts turns it on. */
  checkpointing?: boolean;
}

class LeaseLost extends Error {}

/** The columns a turn needs, as read by the claim (RETURNING) or by load(). */
interface RunRow {
  id: string;
  functionId: string;
  event: unknown;
  correlationId: string | null;
  steps: unknown;
  stack: unknown;
  attempt: number;
  maxAttempts: number;
  pending: unknown;
  requestVersion: number;
}

/** What a write may change besides the run's state (always written). */
interface WriteExtra {
  status?: "queued" | "sleeping" | "waiting" | "completed" | "failed";
  dueAt?: Date;
  endedAt?: Date;
  output?: Json;
  error?: Json;
  /** Drop the lease (end of a turn). */
  release?: boolean;
  /** Write only if this holds too; then a write that does not happen returns false instead of throwing LeaseLost. */
  only?: Prisma.Sql;
}

export class Worker {
  private readonly db: Db;
  private readonly capacity: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly requestTimeoutMs: number;
  private readonly turns = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private claiming: Promise<void> | null = null;
  private rewake = false;
  /** Wakes so far, and how many of them the last claim's query already covered. */
  private wakes = 0;
  private wakesClaimed = 0;
  /** The last claim took as many runs as there was room for: more may be due, for the next free slot. */
  private atCapacity = false;
  private stopping = false;
  private poller: NodeJS.Timeout | null = null;
  private readonly workerId = randomUUID().slice(0, 8);
  private lastSweep = 0;
  private lastPrune = 0;
  readonly metrics: Metrics;
  /** Runs whose discovery request is in flight, by id: where their checkpoints land. */
  private readonly inCall = new Map<string, { token: string; run: RunState; checkpointed: boolean }>();

  constructor(private readonly options: WorkerOptions) {
    this.db = options.db;
    this.capacity = options.capacity ?? 16;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 300;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10 * 60_000;
    this.metrics = options.metrics ?? new Metrics();
  }

  /**
   * POST /v1/checkpoint/<run>/async: the SDK reports steps it ran inside a discovery request
   * and waits for our answer before going on. 200 only once they are stored under the lease
   * whose token the SDK echoes as qi_id; 409 (the SDK stops, its reply is discarded) if that
   * lease is gone. The run's own turn, when in this process, records them in its state too;
   * otherwise (another executor made the call) the row is updated and that turn merges the
   * stored steps when its request returns.
   */
  async checkpoint(runId: string, body: unknown): Promise<number> {
    const parsed = checkpointBodySchema.safeParse(body);
    if (!parsed.success) return 400;
    const token = parsed.data.qi_id;
    const results = parsed.data.steps
      .filter((step) => step.op === "StepRun" || step.op === "Step")
      .map((step) => ({ id: step.id, value: { data: (step.data ?? null) as Json } }));
    const entry = this.inCall.get(runId);
    try {
      if (entry && entry.token === token) {
        entry.checkpointed = true;
        for (const { id, value } of results) {
          this.record(entry.run, id, value);
          delete entry.run.pending[id];
        }
        await this.save(entry.run, token);
        return 200;
      }
      return await this.db.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<{ steps: Record<string, Json>; stack: string[] }[]>`
          SELECT steps, stack FROM "ExecutorRun" WHERE id = ${runId} AND "lockedBy" = ${token} FOR UPDATE`;
        const row = rows[0];
        if (!row) return 409;
        const steps = { ...row.steps };
        const stack = [...row.stack];
        for (const { id, value } of results) {
          if (!(id in steps)) stack.push(id);
          steps[id] = value;
        }
        await tx.executorRun.update({ where: { id: runId }, data: { steps: steps as object, stack } });
        return 200;
      }, TX_OPTIONS);
    } catch (error) {
      if (error instanceof LeaseLost) return 409;
      this.options.log(`executor: run ${runId}: checkpoint failed: ${messageOf(error)}`);
      return 500;
    }
  }

  /** Aborts the in-flight request of runs cancelled elsewhere (their lease is already gone). */
  abortRuns(ids: string[]): void {
    for (const id of ids) this.turns.get(id)?.abort.abort();
  }

  start(): void {
    // Polling only finds due sleeps, timeouts, retries and expired leases; new events wake
    // the worker directly.
    this.poller = setInterval(() => this.wake(), this.pollMs);
    this.poller.unref();
    this.wake();
  }

  /** Look for due runs now (coalesced: wakes during a claim trigger one more claim, if they came after its query). */
  wake(): void {
    if (this.stopping) return;
    this.wakes++;
    if (this.claiming) return;
    this.claiming = this.claimLoop()
      .catch((error: unknown) => this.options.log(`executor: claim failed: ${messageOf(error)}`))
      .finally(() => {
        this.claiming = null;
      });
  }

  /** True while a claim or a turn is in progress. */
  busy(): boolean {
    return this.claiming !== null || this.turns.size > 0;
  }

  /**
   * Stops claiming, lets turns finish their current request for up to `graceMs`, then aborts
   * the rest. Interrupted runs are released (due now) so the next executor resumes them at
   * once; if even that fails, their lease simply expires.
   */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopping = true;
    if (this.poller) clearInterval(this.poller);
    await this.claiming;
    const all = Promise.all([...this.turns.values()].map((t) => t.done));
    const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), graceMs).unref());
    if ((await Promise.race([all, timer])) === "timeout") {
      for (const turn of this.turns.values()) turn.abort.abort();
      await all;
    }
  }

  private async claimLoop(): Promise<void> {
    if (Date.now() - this.lastSweep >= this.pollMs) {
      this.lastSweep = Date.now();
      await this.sweep();
    }
    do {
      this.rewake = false;
      const free = this.capacity - this.turns.size;
      if (free <= 0 || this.stopping) {
        this.atCapacity = free <= 0;
        return;
      }
      const claimed = await this.claim(free);
      for (const { id, token, keyed, row } of claimed) this.startTurn(id, token, keyed, row);
      this.atCapacity = claimed.length === free;
      if (this.atCapacity) this.rewake = true;
      // Claim again for a wake that came after the query looked: what it announced may not have been seen.
    } while ((this.rewake || this.wakes !== this.wakesClaimed) && !this.stopping);
  }

  private async claim(limit: number): Promise<{ id: string; token: string; keyed: boolean; row?: RunRow }[]> {
    const now = new Date();
    const leaseUntil = new Date(now.getTime() + this.leaseMs);
    return rawTransaction(this.db, async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CLAIM_LOCK_ID})`;
      // Whatever woke the worker before this point committed first: the query below sees it.
      this.wakesClaimed = this.wakes;
      // Due runs in creation order, skipping those whose concurrency key is already full.
      // Only runs in an SDK request (status running, live lease) count towards a limit.
      const candidates = await tx.$queryRaw<
        { id: string; concurrencyKey: string | null; concurrencyLimit: number | null; busy: number; started: boolean }[]
      >`
        WITH busy AS (
          SELECT "concurrencyKey" AS key, count(*)::int AS n FROM "ExecutorRun"
          WHERE status = 'running' AND "lockedUntil" >= ${now} AND "concurrencyKey" IS NOT NULL
          GROUP BY 1)
        SELECT r.id, r."concurrencyKey", r."concurrencyLimit", COALESCE(b.n, 0)::int AS busy,
          r."startedAt" IS NOT NULL AS started
        FROM "ExecutorRun" r LEFT JOIN busy b ON b.key = r."concurrencyKey"
        WHERE ((r.status IN ('queued', 'sleeping', 'waiting') AND r."dueAt" <= ${now})
            OR (r.status = 'running' AND r."lockedUntil" < ${now}))
          AND (r."concurrencyKey" IS NULL OR COALESCE(b.n, 0) < r."concurrencyLimit")
          -- Past timeouts.start / timeouts.finish: the sweep cancels them, never start them.
          AND NOT (r."startedAt" IS NULL AND r."startBy" IS NOT NULL AND r."startBy" < ${now})
          AND (r."finishBy" IS NULL OR r."finishBy" >= ${now})
        ORDER BY r.seq
        LIMIT ${limit * 4}
        FOR UPDATE OF r SKIP LOCKED`;
      const taken = new Map<string, number>();
      const chosen: { id: string; token: string; keyed: boolean }[] = [];
      for (const run of candidates) {
        if (chosen.length >= limit) break;
        if (run.concurrencyKey !== null && run.concurrencyLimit !== null) {
          const used = taken.get(run.concurrencyKey) ?? run.busy;
          if (used >= run.concurrencyLimit) continue;
          taken.set(run.concurrencyKey, used + 1);
        }
        chosen.push({ id: run.id, token: `${this.workerId}:${ulid()}`, keyed: run.concurrencyKey !== null });
        if (!run.started) this.metrics.runsStarted++;
      }
      if (chosen.length > 0) {
        // First claim = the run starts: its debounce burst closes and timeouts.finish starts counting.
        // RETURNING hands each turn its state, read under the lease just taken (no second read).
        const rows = await tx.$queryRaw<RunRow[]>`
          ${PLAN_EACH_CALL}UPDATE "ExecutorRun" AS r SET status = 'running', "lockedBy" = c.token, "lockedUntil" = ${leaseUntil},
            "debounceKey" = NULL, "startedAt" = COALESCE(r."startedAt", ${now}),
            "finishBy" = COALESCE(r."finishBy", CASE WHEN r."finishAfterMs" IS NULL THEN NULL
              ELSE ${now}::timestamp + make_interval(secs => r."finishAfterMs" / 1000.0) END)
          FROM unnest(${chosen.map((c) => c.id)}::text[], ${chosen.map((c) => c.token)}::text[]) AS c(id, token)
          WHERE r.id = c.id
          RETURNING r.id, r."functionId", r.event, r."correlationId", r.steps, r.stack, r.attempt, r."maxAttempts",
            r.pending, r."requestVersion"`;
        const byId = new Map(rows.map((row) => [row.id, row]));
        return chosen.map((c) => ({ ...c, row: byId.get(c.id) }));
      }
      return chosen;
    });
  }

  /**
   * Housekeeping, at most once per poll interval: cancels runs past their timeouts, fires due
   * cron ticks, and (every pruneIntervalMs) prunes finished runs, old events and expired keys.
   */
  private async sweep(): Promise<void> {
    try {
      await this.cancelTimedOut();
      await this.fireCrons();
      const pruneEvery = this.options.pruneIntervalMs ?? 60_000;
      if (Date.now() - this.lastPrune >= pruneEvery) {
        this.lastPrune = Date.now();
        await this.prune();
      }
    } catch (error) {
      this.options.log(`executor: sweep failed: ${messageOf(error)}`);
    }
  }

  /** Cancels one run still going (REST DELETE /v1/runs/:id): its lifecycle events go out, its request is aborted. */
  async cancel(runId: string, reason: Json): Promise<boolean> {
    const cancelled = await this.db.$transaction(async (tx) => {
      const events = await cancelRun(tx, runId, reason, new Date());
      if (events.length) await ingestEvents(tx, this.options.registry, events, new Date());
      return events.length > 0;
    }, TX_OPTIONS);
    if (cancelled) {
      this.metrics.runsCancelled++;
      this.abortRuns([runId]);
      this.wake();
    }
    return cancelled;
  }

  /** timeouts.start (not started in time) and timeouts.finish (not finished in time): cancelled. */
  private async cancelTimedOut(): Promise<void> {
    const now = new Date();
    const expired = await this.db.$queryRaw<{ id: string; startedAt: Date | null }[]>`
      SELECT id, "startedAt" FROM "ExecutorRun"
      WHERE status IN ('queued', 'running', 'sleeping', 'waiting')
        AND (("startedAt" IS NULL AND "startBy" < ${now}) OR "finishBy" < ${now})
      LIMIT 100`;
    for (const run of expired) {
      const reason = run.startedAt
        ? errorJson("FunctionTimeout", "The run did not finish within timeouts.finish")
        : errorJson("FunctionTimeout", "The run did not start within timeouts.start");
      const cancelled = await this.db.$transaction(async (tx) => {
        const events = await cancelRun(tx, run.id, reason, now);
        if (events.length) await ingestEvents(tx, this.options.registry, events, now);
        return events.length > 0;
      }, TX_OPTIONS);
      if (cancelled) {
        this.metrics.runsCancelled++;
        this.abortRuns([run.id]);
        this.options.log(`executor: run ${run.id} cancelled (timeout)`);
      }
    }
  }

  /** Due cron ticks: event stored, run started and next tick set in one transaction (cron.ts). */
  private async fireCrons(): Promise<void> {
    const now = new Date();
    let started = false;
    // A cheap look first: most sweeps find no tick due, and need no transaction.
    const any = await this.db.$queryRaw<unknown[]>`SELECT 1 FROM "ExecutorCron" WHERE "nextAt" <= ${now} LIMIT 1`;
    if (any.length === 0) return;
    await this.db.$transaction(async (tx) => {
      const due = await tx.$queryRaw<{ functionId: string; cron: string; nextAt: Date }[]>`
        SELECT "functionId", cron, "nextAt" FROM "ExecutorCron" WHERE "nextAt" <= ${now}
        ORDER BY "nextAt" LIMIT 50 FOR UPDATE SKIP LOCKED`;
      for (const row of due) {
        const fn = await this.options.registry.resolve(row.functionId);
        let tick: Date | Error = row.nextAt;
        for (let fired = 0; tick instanceof Date && tick <= now && fired < MAX_TICKS_PER_PASS; fired++) {
          if (fn && now.getTime() - tick.getTime() <= CATCH_UP_MS) {
            const id = `cron-${fn.id}-${tick.getTime()}`;
            if ((await firstSightings(tx, [id], now)).has(id)) {
              const event: RunEvent = { id, name: "inngest/scheduled.timer", data: { cron: row.cron }, user: {}, ts: tick.getTime() };
              const internalId = ulid(now.getTime());
              await tx.executorEvent.create({
                data: { internalId, id, name: event.name, data: event.data as object, user: {}, ts: BigInt(event.ts), receivedAt: now },
              });
              if (await startRun(tx, fn, event, internalId, now)) started = true;
            }
          } else {
            this.options.log(`executor: cron tick ${tick.toISOString()} of ${row.functionId} skipped (${fn ? "older than the catch-up window" : "function not registered"})`);
          }
          tick = nextTick(row.cron, tick);
        }
        if (tick instanceof Error) {
          this.options.log(`executor: ${row.functionId}: ${tick.message}; schedule removed`);
          await tx.executorCron.delete({ where: { functionId_cron: { functionId: row.functionId, cron: row.cron } } });
        } else {
          await tx.executorCron.update({ where: { functionId_cron: { functionId: row.functionId, cron: row.cron } }, data: { nextAt: tick } });
        }
      }
    }, TX_OPTIONS);
    if (started) this.rewake = true;
  }

  /** Retention: bounded batches of finished runs, old events and expired flow-control keys. */
  private async prune(): Promise<void> {
    const now = Date.now();
    const retentionMs = this.options.retentionMs ?? DEFAULT_RETENTION_MS;
    const runCutoff = new Date(now - retentionMs);
    // Events back the 24 h id deduplication: never pruned younger than that.
    const eventCutoff = new Date(now - Math.max(retentionMs, DEDUP_WINDOW_MS));
    const deleted = { runs: 0, events: 0, keys: 0 };
    for (let i = 0; i < PRUNE_BATCHES_PER_PASS; i++) {
      const runs = await this.db.$executeRaw`
        DELETE FROM "ExecutorRun" WHERE id IN (
          SELECT id FROM "ExecutorRun" WHERE "endedAt" < ${runCutoff} AND status IN ('completed', 'failed', 'cancelled')
          LIMIT ${PRUNE_BATCH})`;
      const events = await this.db.$executeRaw`
        DELETE FROM "ExecutorEvent" WHERE "internalId" IN (
          SELECT "internalId" FROM "ExecutorEvent" WHERE "receivedAt" < ${eventCutoff} LIMIT ${PRUNE_BATCH})`;
      const keys = await this.db.$executeRaw`
        DELETE FROM "ExecutorKey" WHERE id IN (
          SELECT id FROM "ExecutorKey" WHERE "expiresAt" < ${new Date(now)} LIMIT ${PRUNE_BATCH})`;
      const eventIds = await this.db.$executeRaw`
        DELETE FROM "ExecutorEventId" WHERE id IN (
          SELECT id FROM "ExecutorEventId" WHERE "receivedAt" < ${new Date(now - DEDUP_WINDOW_MS)} LIMIT ${PRUNE_BATCH})`;
      deleted.runs += runs;
      deleted.events += events;
      deleted.keys += keys + eventIds;
      if (runs < PRUNE_BATCH && events < PRUNE_BATCH && keys < PRUNE_BATCH && eventIds < PRUNE_BATCH) break;
    }
    this.metrics.pruned.runs += deleted.runs;
    this.metrics.pruned.events += deleted.events;
    if (deleted.runs || deleted.events || deleted.keys) {
      this.options.log(`executor: pruned ${deleted.runs} runs, ${deleted.events} events, ${deleted.keys} keys`);
    }
  }

  /** `keyed`: the run counts towards a concurrency limit, so its end may free the next run of its key. */
  private startTurn(id: string, token: string, keyed: boolean, row?: RunRow): void {
    const abort = new AbortController();
    let released = false;
    const done = this.turn(id, token, abort.signal, row)
      .catch((error: unknown) => {
        if (error instanceof LeaseLost) this.options.log(`executor: run ${id}: lease lost, leaving it to its new owner`);
        else this.options.log(`executor: run ${id}: turn failed: ${messageOf(error)}`);
        released = true;
        return this.release(id, token);
      })
      .finally(() => {
        this.turns.delete(id);
        // What a turn makes due wakes the worker as it commits (finish); its end matters only to
        // runs it held back: by its concurrency key, by taking the last free slot, or itself, released.
        if (keyed || released || this.atCapacity) this.wake();
      });
    this.turns.set(id, { abort, done });
  }

  /** Makes an interrupted run due again at once (best effort: otherwise its lease expires). */
  private async release(id: string, token: string): Promise<void> {
    try {
      await this.db.executorRun.updateMany({
        where: { id, lockedBy: token },
        data: { status: "queued", lockedBy: null, lockedUntil: null, dueAt: new Date() },
      });
    } catch (error) {
      this.options.log(`executor: run ${id}: release failed: ${messageOf(error)}`);
    }
  }

  private async turn(id: string, token: string, signal: AbortSignal, row?: RunRow): Promise<void> {
    const heartbeat = setInterval(() => {
      this.db.executorRun
        .updateMany({ where: { id, lockedBy: token }, data: { lockedUntil: new Date(Date.now() + this.leaseMs) } })
        .catch((error: unknown) => this.options.log(`executor: run ${id}: heartbeat failed: ${messageOf(error)}`));
    }, Math.max(100, this.leaseMs / 3));
    heartbeat.unref();
    try {
      const run = row ? toState(row) : await this.load(id, token);
      if (!run) return;
      const fn = await this.options.registry.resolve(run.functionId);
      if (!fn) {
        await this.finish(run, token, {
          status: "failed",
          error: errorJson("FunctionNotFound", `Function ${run.functionId} is not registered`),
        });
        return;
      }
      await this.drive(run, fn, token, signal);
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async load(id: string, token: string): Promise<RunState | null> {
    const rows = await this.db.$queryRaw<RunRow[]>`
      SELECT id, "functionId", event, "correlationId", steps, stack, attempt, "maxAttempts", pending, "requestVersion"
      FROM "ExecutorRun" WHERE id = ${id} AND "lockedBy" = ${token}`;
    const row = rows[0];
    return row ? toState(row) : null;
  }

  /** The loop of one turn: fold in resolved work, run due planned steps, else discover. */
  private async drive(run: RunState, fn: RegisteredFunction, token: string, signal: AbortSignal): Promise<void> {
    let idleDiscoveries = 0;
    for (let calls = 0; ; calls++) {
      if (this.stopping || calls >= MAX_CALLS_PER_TURN) {
        await this.finish(run, token, { status: "queued", dueAt: new Date() });
        return;
      }
      await this.absorb(run, token);
      const now = Date.now();
      const pendingIds = Object.keys(run.pending);
      const dueSteps = pendingIds.filter((stepId) => {
        const item = run.pending[stepId];
        return item?.kind === "step" && Date.parse(item.dueAt) <= now;
      });

      if (dueSteps.length > 0) {
        // Parallel steps: one request per planned step, all at once.
        const results = await Promise.all(
          dueSteps.map(async (stepId) => ({ stepId, outcome: await this.call(run, fn, stepId, signal) })),
        );
        for (const { stepId, outcome } of results) {
          const final = this.applyPlannedOutcome(run, fn, stepId, outcome);
          if (final) {
            await this.finish(run, token, final, fn);
            return;
          }
        }
        await this.save(run, token);
        continue;
      }

      if (pendingIds.length > 0) {
        await this.finish(run, token, parked(run));
        return;
      }

      const outcome = await this.call(run, fn, "step", signal, token);
      const result = this.applyDiscoveryOutcome(run, fn, outcome);
      if (result.final) {
        await this.finish(run, token, result.final, fn);
        return;
      }
      idleDiscoveries = result.progressed ? 0 : idleDiscoveries + 1;
      if (idleDiscoveries >= MAX_IDLE_DISCOVERIES) {
        const final = this.retryOrFail(run, errorJson("ProtocolError", "The SDK made no progress"), null);
        await this.finish(run, token, final, fn);
        return;
      }
      // Parked on what this reply asked for (a wait, a sleep): the next pass would only end
      // the turn, and the turn's end writes the state with the new waits itself.
      if (this.parksNow(run)) {
        await this.finish(run, token, parked(run));
        return;
      }
      await this.save(run, token);
    }
  }

  /**
   * Whether the run can only wait now: it has pending items, none due yet, and every wait among
   * them is one this turn made (an older one may have been resolved since: absorb() looks).
   * A step.invoke's child run starts in save(), so a new invoke never parks here.
   */
  private parksNow(run: RunState): boolean {
    const items = Object.entries(run.pending);
    if (items.length === 0 || run.newInvokes.length > 0) return false;
    const now = Date.now();
    const made = new Set([...run.freshWaits, ...run.newWaits.map((wait) => wait.stepId)]);
    return items.every(([stepId, item]) => Date.parse(item.dueAt) > now && (item.kind === "step" || item.kind === "sleep" || made.has(stepId)));
  }

  private async call(
    run: RunState,
    fn: RegisteredFunction,
    stepId: string,
    signal: AbortSignal,
    token?: string,
  ): Promise<CallOutcome> {
    const planned = stepId !== "step";
    const checkpoint = !planned && token !== undefined && this.options.checkpointing === true;
    const started = performance.now();
    const entry = { token: token ?? "", run, checkpointed: false };
    if (checkpoint) this.inCall.set(run.id, entry);
    const { outcome, requestVersion } = await callFunction(
      {
        url: fn.url,
        stepId,
        runId: run.id,
        event: run.event,
        steps: run.steps,
        stack: run.stack,
        attempt: planned ? (run.pending[stepId]?.attempt ?? 0) : run.attempt,
        maxAttempts: run.maxAttempts,
        disableImmediateExecution: planned,
        requestVersion: run.requestVersion,
        ...(checkpoint ? { checkpoint: { fnId: fn.id, queueItemId: token } } : {}),
      },
      this.options.signingKey,
      AbortSignal.any([signal, AbortSignal.timeout(this.requestTimeoutMs)]),
      this.options.transport,
    ).finally(() => {
      if (checkpoint) this.inCall.delete(run.id);
    });
    // The SDK sends every checkpoint of a request to one executor: none here means either no
    // step ran or they went to another executor sharing the database, whose writes we merge.
    if (checkpoint && !entry.checkpointed) await this.mergeCheckpointed(run, token);
    this.metrics.recordCall(performance.now() - started);
    if (requestVersion !== null) run.requestVersion = requestVersion;
    return outcome;
  }

  /** Steps checkpointed through another executor's HTTP API during the call (see checkpoint()). */
  private async mergeCheckpointed(run: RunState, token: string): Promise<void> {
    const rows = await sql(this.db).$queryRaw<{ steps: unknown; stack: unknown }>`
      SELECT steps, stack FROM "ExecutorRun" WHERE id = ${run.id} AND "lockedBy" = ${token}`;
    const row = rows[0];
    if (!row) throw new LeaseLost();
    const steps = (row.steps ?? {}) as Record<string, Json>;
    for (const id of (row.stack ?? []) as string[]) {
      if (!(id in run.steps) && id in steps) {
        this.record(run, id, steps[id] ?? null);
        delete run.pending[id];
      }
    }
  }

  /** Discovery reply. Returns a final state, or whether the run moved forward. */
  private applyDiscoveryOutcome(
    run: RunState,
    fn: RegisteredFunction,
    outcome: CallOutcome,
  ): { final?: Final; progressed: boolean } {
    if (outcome.kind === "complete") return { final: { status: "completed", output: outcome.output }, progressed: true };
    if (outcome.kind === "error") {
      return { final: outcome.retriable ? this.retryOrFail(run, outcome.error, outcome.retryAfterMs) : { status: "failed", error: outcome.error }, progressed: false };
    }
    const stepError = outcome.ops.find((op) => op.op === "StepError");
    if (stepError) {
      // The step ran inline in the discovery request and threw: retry the discovery.
      const error = (stepError.error ?? errorJson("Error", "Step failed")) as Json;
      if (run.attempt + 1 < run.maxAttempts) return { final: this.retryOrFail(run, error, outcome.retryAfterMs), progressed: false };
      // Out of attempts (the SDK should have sent StepFailed): record the error for the code to handle.
      this.record(run, stepError.id, { error });
      run.attempt = 0;
      return { progressed: true };
    }
    const applied = this.applyOps(run, fn, outcome.ops);
    if (applied.final) return { final: applied.final, progressed: true };
    if (applied.progressed) run.attempt = 0;
    return { progressed: applied.progressed };
  }

  /** Reply to a planned (parallel) step request: only that step's result is expected. */
  private applyPlannedOutcome(run: RunState, fn: RegisteredFunction, stepId: string, outcome: CallOutcome): Final | null {
    const item = run.pending[stepId];
    if (!item) return null;
    if (outcome.kind === "complete") return { status: "completed", output: outcome.output };
    if (outcome.kind === "error" && !outcome.retriable) return { status: "failed", error: outcome.error };
    const stepError = outcome.kind === "error" ? { error: outcome.error } : outcome.ops.find((op) => op.op === "StepError");
    if (stepError) {
      const attempt = (item.attempt ?? 0) + 1;
      const error = (stepError.error ?? errorJson("Error", "Step failed")) as Json;
      if (attempt >= run.maxAttempts) {
        this.record(run, stepId, { error });
        delete run.pending[stepId];
      } else {
        const delay = outcome.retryAfterMs ?? this.options.retryBackoff(attempt);
        run.pending[stepId] = { ...item, attempt, dueAt: new Date(Date.now() + delay).toISOString() };
      }
      return null;
    }
    return this.applyOps(run, fn, outcome.kind === "ops" ? outcome.ops : []).final ?? null;
  }

  /** Applies the ops of a 206 reply (protocol doc §3.6). */
  private applyOps(run: RunState, fn: RegisteredFunction, ops: Op[]): { final?: Final; progressed: boolean } {
    let progressed = false;
    const now = Date.now();
    for (const op of ops) {
      switch (op.op) {
        case "StepRun":
        case "Step":
          this.record(run, op.id, { data: (op.data ?? null) as Json });
          delete run.pending[op.id];
          progressed = true;
          break;
        case "StepFailed":
          this.record(run, op.id, { error: (op.error ?? errorJson("Error", "Step failed")) as Json });
          delete run.pending[op.id];
          progressed = true;
          break;
        case "StepPlanned":
          if (!(op.id in run.steps) && !run.pending[op.id]) {
            run.pending[op.id] = { kind: "step", dueAt: new Date(now).toISOString(), attempt: 0 };
          }
          progressed = true;
          break;
        case "Sleep": {
          // The duration or date is in `name`, not in opts (protocol doc §3.6).
          const until = sleepTarget(op.name ?? "", now);
          if (!until) {
            this.record(run, op.id, { error: errorJson("Error", `Invalid sleep "${op.name ?? ""}"`) });
          } else if (!run.pending[op.id]) {
            run.pending[op.id] = { kind: "sleep", dueAt: until.toISOString() };
          }
          progressed = true;
          break;
        }
        case "WaitForEvent": {
          const opts = waitForEventOptsSchema.safeParse(op.opts ?? {});
          const timeout = opts.success ? parseDuration(opts.data.timeout) : null;
          if (!op.name || !opts.success || timeout === null) {
            this.record(run, op.id, { error: errorJson("Error", "Invalid waitForEvent: event name and timeout are required") });
          } else if (!run.pending[op.id]) {
            const expiresAt = new Date(now + timeout);
            run.pending[op.id] = { kind: "wait", dueAt: expiresAt.toISOString() };
            run.newWaits.push({ stepId: op.id, eventName: op.name, expression: opts.data.if ?? null, expiresAt });
          }
          progressed = true;
          break;
        }
        case "InvokeFunction": {
          const opts = invokeOptsSchema.safeParse(op.opts ?? {});
          const timeout = opts.success && opts.data.timeout ? parseDuration(opts.data.timeout) : INVOKE_DEFAULT_TIMEOUT_MS;
          if (!opts.success || timeout === null) {
            this.record(run, op.id, { error: errorJson("Error", "Invalid step.invoke: function_id is required, timeout must be a time string") });
          } else if (!this.options.registry.get(opts.data.function_id)) {
            this.record(run, op.id, { error: errorJson("FunctionNotFound", `Function ${opts.data.function_id} is not registered`) });
          } else if (!run.pending[op.id]) {
            // The child's inngest/function.finished carries this correlation id (protocol doc §8).
            const correlationId = `${run.id}.${op.id}`;
            const expiresAt = new Date(now + timeout);
            run.pending[op.id] = { kind: "invoke", dueAt: expiresAt.toISOString() };
            run.newWaits.push({
              stepId: op.id,
              eventName: "inngest/function.finished",
              expression: `async.data.correlation_id == ${JSON.stringify(correlationId)}`,
              expiresAt,
            });
            run.newInvokes.push({
              functionId: opts.data.function_id,
              correlationId,
              data: (opts.data.payload?.data ?? {}) as Record<string, unknown>,
              ...(opts.data.payload?.v ? { v: opts.data.payload.v } : {}),
            });
          }
          progressed = true;
          break;
        }
        case "RunComplete":
          return { final: { status: "completed", output: (op.data ?? null) as Json }, progressed: true };
        case "DiscoveryRequest":
          progressed = true;
          break;
        case "DeferAdd":
        case "DeferAbort":
          break;
        default:
          // AIGateway, Gateway, WaitForSignal…: not implemented yet. Answer
          // with an error so the function's code sees it instead of hanging forever.
          this.record(run, op.id, {
            error: errorJson("NotSupported", `${op.op} is not supported by Parley's embedded executor (function ${fn.id})`),
          });
          progressed = true;
      }
    }
    return { progressed };
  }

  private record(run: RunState, stepId: string, value: Json): void {
    if (!(stepId in run.steps)) run.stack.push(stepId);
    run.steps[stepId] = value;
  }

  private retryOrFail(run: RunState, error: Json, retryAfterMs: number | null): Final {
    const attempt = run.attempt + 1;
    if (attempt >= run.maxAttempts) return { status: "failed", error };
    run.attempt = attempt;
    return { status: "queued", dueAt: new Date(Date.now() + (retryAfterMs ?? this.options.retryBackoff(attempt))) };
  }

  /**
   * Folds finished sleeps and resolved or timed-out waits into the steps, in one transaction
   * with the run's save so a resolution is never dropped.
   */
  private async absorb(run: RunState, token: string): Promise<void> {
    const now = new Date();
    let changed = false;
    for (const [stepId, item] of Object.entries(run.pending)) {
      if (item.kind === "sleep" && Date.parse(item.dueAt) <= now.getTime()) {
        this.record(run, stepId, null);
        delete run.pending[stepId];
        changed = true;
      }
    }
    const isWait = (stepId: string) => run.pending[stepId]?.kind === "wait" || run.pending[stepId]?.kind === "invoke";
    const waitIds = Object.keys(run.pending).filter(isWait);
    // Waits this turn just wrote and not yet due cannot have timed out; an event that
    // resolved one meanwhile is seen by the turn's end (finish), which then makes the run due.
    const mayHaveMoved = (stepId: string) => !run.freshWaits.has(stepId) || Date.parse(run.pending[stepId]!.dueAt) <= now.getTime();
    if (!waitIds.some(mayHaveMoved)) {
      if (changed) await this.save(run, token);
      return;
    }
    await rawTransaction(this.db, async (tx) => {
      // Time out expired waits (an event that got there first keeps its win), and read them all.
      const waits = await tx.$queryRaw<{ id: string; stepId: string; resolved: boolean; result: Json | null }[]>`
        WITH expired AS (
          UPDATE "ExecutorWait" SET "resolvedAt" = ${now} WHERE "runId" = ${run.id} AND "resolvedAt" IS NULL AND "expiresAt" <= ${now} RETURNING id
        )
        SELECT id, "stepId", result, ("resolvedAt" IS NOT NULL OR id IN (SELECT id FROM expired)) AS resolved
        FROM "ExecutorWait" WHERE "runId" = ${run.id}`;
      const resolved = waits.filter((wait) => wait.resolved);
      for (const wait of resolved) {
        const kind = run.pending[wait.stepId]?.kind;
        if (kind === "invoke") {
          // The child's inngest/function.finished: its result or its error; nothing at the timeout.
          const data = ((wait.result as { data?: Record<string, Json> } | null)?.data ?? null) as Record<string, Json> | null;
          const value: Json = !data
            ? { error: errorJson("InngestInvokeTimeoutError", "Timed out waiting for the invoked function to complete") }
            : data.error !== undefined && data.error !== null
              ? { error: data.error }
              : { data: data.result ?? null };
          this.record(run, wait.stepId, value);
          delete run.pending[wait.stepId];
          changed = true;
          continue;
        }
        if (kind !== "wait") continue;
        // The matched event, unwrapped, or null on timeout (protocol doc §3.4).
        this.record(run, wait.stepId, wait.result ?? null);
        delete run.pending[wait.stepId];
        changed = true;
      }
      if (resolved.length > 0) await tx.$executeRaw`DELETE FROM "ExecutorWait" WHERE id = ANY(${resolved.map((w) => w.id)}::text[])`;
      for (const stepId of waitIds) {
        // A wait whose row is gone (should not happen) must not block the run forever.
        const hasRow = waits.some((w) => w.stepId === stepId);
        const isNew = run.newWaits.some((w) => w.stepId === stepId);
        if (!hasRow && !isNew && stepId in run.pending) {
          this.record(run, stepId, null);
          delete run.pending[stepId];
          changed = true;
        }
      }
      if (changed) await this.write(tx, run, token, {});
    });
  }

  /** Persists the run's state after each SDK reply (the memo that makes steps run once). */
  private async save(run: RunState, token: string): Promise<void> {
    // A child run (step.invoke) starts in the save's transaction; new waits are written by the
    // save's one statement; a plain save is group-committed with others.
    if (run.newInvokes.length > 0) await this.db.$transaction(async (tx) => this.write(tx, run, token, {}), TX_OPTIONS);
    else if (run.newWaits.length > 0) await this.write(rawOnly(sql(this.db)), run, token, {});
    else {
      const kept = await this.saveTogether({
        id: run.id,
        token,
        steps: JSON.stringify(run.steps),
        stack: JSON.stringify(run.stack),
        attempt: run.attempt,
        pending: JSON.stringify(run.pending),
        requestVersion: run.requestVersion,
        lockedUntil: new Date(Date.now() + this.leaseMs).toISOString(),
      });
      if (!kept) throw new LeaseLost();
    }
    if (this.invoked) {
      this.invoked = false;
      this.wake();
    }
  }

  /**
   * The common save (state only: no waits, invokes or status) of concurrent turns, and the
   * checkpoints they take, in one statement (./group-commit.ts): each is stored before its
   * answer as before, and N of them cost one round trip. A turn has one save at a time, so a
   * batch never holds a run twice. False for a run whose lease is gone.
   */
  private readonly saveTogether = groupCommit<SavedState, boolean>(async (states) => {
    const column = <K extends keyof SavedState>(key: K) => states.map((state) => state[key]);
    const kept = await sql(this.db).$queryRaw<{ id: string }>`
      ${PLAN_EACH_CALL}UPDATE "ExecutorRun" AS r SET steps = s.steps, stack = s.stack, attempt = s.attempt, pending = s.pending,
        "requestVersion" = s."requestVersion", "lockedUntil" = s."lockedUntil"
      FROM unnest(${column("id")}::text[], ${column("token")}::text[], ${column("steps")}::jsonb[], ${column("stack")}::jsonb[],
        ${column("attempt")}::int[], ${column("pending")}::jsonb[], ${column("requestVersion")}::int[], ${column("lockedUntil")}::timestamp[])
        AS s(id, token, steps, stack, attempt, pending, "requestVersion", "lockedUntil")
      WHERE r.id = s.id AND r."lockedBy" = s.token
      RETURNING r.id`;
    const ids = new Set(kept.map((row) => row.id));
    return states.map((state) => ids.has(state.id));
  });

  private async write(tx: Tx | Db, run: RunState, token: string, extra: WriteExtra): Promise<boolean> {
    // Raw SQL: on the hot path Prisma's query builder costs several ms of CPU per statement
    // (docs/executor.md, Performance); a raw statement a fraction of that.
    const sets = [
      Prisma.sql`steps = ${JSON.stringify(run.steps)}::jsonb`,
      Prisma.sql`stack = ${JSON.stringify(run.stack)}::jsonb`,
      Prisma.sql`attempt = ${run.attempt}`,
      Prisma.sql`pending = ${JSON.stringify(run.pending)}::jsonb`,
      Prisma.sql`"requestVersion" = ${run.requestVersion}`,
      extra.release
        ? Prisma.sql`"lockedBy" = NULL, "lockedUntil" = NULL`
        : Prisma.sql`"lockedUntil" = ${new Date(Date.now() + this.leaseMs)}`,
    ];
    if (extra.status) sets.push(Prisma.sql`status = ${extra.status}::"ExecutorRunStatus"`);
    if (extra.dueAt) sets.push(Prisma.sql`"dueAt" = ${extra.dueAt}`);
    if (extra.endedAt) sets.push(Prisma.sql`"endedAt" = ${extra.endedAt}`);
    if ("output" in extra) sets.push(Prisma.sql`output = ${JSON.stringify(extra.output ?? null)}::jsonb`);
    if ("error" in extra) sets.push(Prisma.sql`error = ${JSON.stringify(extra.error ?? null)}::jsonb`);
    const update = Prisma.sql`
      UPDATE "ExecutorRun" SET ${Prisma.join(sets, ", ")}
      WHERE id = ${run.id} AND "lockedBy" = ${token} AND ${extra.only ?? Prisma.sql`TRUE`}`;
    const waits = run.newWaits;
    // New waits are written by the same statement, only if the run's row was (its lease held).
    const updated =
      waits.length === 0
        ? await tx.$executeRaw`${update}`
        : ((
            await tx.$queryRaw<{ n: number }[]>`
              WITH run AS (${update} RETURNING id), waits AS (
                INSERT INTO "ExecutorWait" (id, "runId", "stepId", "eventName", expression, "expiresAt", "createdAt")
                SELECT w.id, ${run.id}, w."stepId", w."eventName", w.expression, w."expiresAt", ${new Date()}::timestamp
                FROM unnest(${waits.map(() => ulid())}::text[], ${waits.map((w) => w.stepId)}::text[], ${waits.map((w) => w.eventName)}::text[],
                  ${waits.map((w) => w.expression)}::text[], ${waits.map((w) => w.expiresAt.toISOString())}::timestamp[]) AS w(id, "stepId", "eventName", expression, "expiresAt")
                WHERE EXISTS (SELECT 1 FROM run)
                ON CONFLICT ("runId", "stepId") DO NOTHING)
              SELECT count(*)::int AS n FROM run`
          )[0]?.n ?? 0);
    if (updated !== 1) {
      if (extra.only) return false;
      throw new LeaseLost();
    }
    for (const wait of waits) run.freshWaits.add(wait.stepId);
    run.newWaits = [];
    for (const invoke of run.newInvokes) {
      const fn = this.options.registry.get(invoke.functionId);
      if (!fn) continue; // checked when the op was read; unregistered since: the wait times out
      const now = new Date();
      const event: RunEvent = {
        id: ulid(now.getTime()),
        name: "inngest/function.invoked",
        data: invoke.data,
        user: {},
        ts: now.getTime(),
        ...(invoke.v ? { v: invoke.v } : {}),
      };
      const internalId = ulid(now.getTime());
      await tx.executorEvent.create({
        data: { internalId, id: event.id, name: event.name, data: event.data as object, user: {}, ts: BigInt(event.ts), receivedAt: now },
      });
      await startRun(tx, fn, event, internalId, now, { correlationId: invoke.correlationId });
      this.invoked = true;
    }
    run.newInvokes = [];
    return true;
  }

  /** Set when a save started a child run (step.invoke): wake after the commit. */
  private invoked = false;

  /** Ends the turn: final state, lease released, and the run's lifecycle events emitted. */
  private async finish(run: RunState, token: string, final: Final, fn?: RegisteredFunction): Promise<void> {
    const now = new Date();
    let wake = false;
    let wakeAt: number | null = null;
    const ending = final.status === "completed" || final.status === "failed";
    const events = ending ? lifecycleEvents({ ...run, functionId: fn?.id ?? run.functionId }, final) : [];
    const endWrite: WriteExtra | null = ending
      ? {
          release: true,
          status: final.status,
          endedAt: now,
          // A void function's output is stored as JSON null.
          ...(final.status === "completed" ? { output: final.output } : { error: final.error }),
        }
      : null;
    if (endWrite && (await this.endUnobserved(run, token, events, endWrite, now))) {
      this.ended(run, endWrite.status ?? "completed");
      return;
    }
    if (!endWrite && run.newInvokes.length === 0 && !hasWrittenWaits(run)) {
      // Parked with no wait but those this write adds: none can be resolved yet (an event
      // finds them once committed, and then makes the run due), so one statement does,
      // without the row lock and the count below.
      const { status, dueAt } = final as Extract<Final, { dueAt: Date }>;
      await this.write(rawOnly(sql(this.db)), run, token, { release: true, status, dueAt });
      if (dueAt.getTime() <= now.getTime()) this.wake();
      else this.wakeAt(dueAt.getTime());
      return;
    }
    // The common turn needs only raw SQL; lifecycle events a function with flow control listens to need Prisma.
    const transaction = takesOnlyRawSql(this.options.registry, events) ? rawTransaction : (db: Db, body: (tx: Tx) => Promise<void>) => db.$transaction(body, TX_OPTIONS);
    await transaction(this.db, async (tx) => {
      if (endWrite) {
        // A final write needs no row lock: it ignores waits, and its UPDATE checks the lease itself.
        await this.write(tx, run, token, endWrite);
        // Open waits exist only behind pending wait/invoke items (a leftover would be inert anyway).
        if (hasOpenWaits(run)) await tx.$executeRaw`DELETE FROM "ExecutorWait" WHERE "runId" = ${run.id}`;
        wake = (await ingestEvents(tx, this.options.registry, events, now)).wake;
        return;
      }
      // Lock the row before counting resolved waits: an event resolving a wait either
      // committed before (and we see it below) or updates the row after us (and makes the
      // run due again).
      const owned = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM "ExecutorRun" WHERE id = ${run.id} AND "lockedBy" = ${token} FOR UPDATE`;
      if (owned.length === 0) throw new LeaseLost();
      const blocked = final as Extract<Final, { dueAt: Date }>;
      const resolved = await tx.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM "ExecutorWait" WHERE "runId" = ${run.id} AND "resolvedAt" IS NOT NULL`;
      const resolvedWaits = resolved[0]?.n ?? 0;
      const dueAt = resolvedWaits > 0 ? now : blocked.dueAt;
      await this.write(tx, run, token, { release: true, status: resolvedWaits > 0 ? "queued" : blocked.status, dueAt });
      wake = dueAt.getTime() <= now.getTime();
      wakeAt = dueAt.getTime();
    });
    if (endWrite) this.ended(run, endWrite.status ?? "completed");
    if (wake) this.wake();
    else if (wakeAt !== null) this.wakeAt(wakeAt);
  }

  /**
   * The usual end of a run, in one statement instead of a transaction: when no function is
   * triggered or cancelled by its lifecycle events, they matter only to an open wait (a
   * step.invoke parent, a waitForEvent) and are stored only if one takes them. So the final
   * write is all there is, on the condition that no such wait is open. False when one is, or
   * when the lease is gone: the caller then takes the transaction path (which tells them apart).
   */
  private async endUnobserved(run: RunState, token: string, events: { name: string }[], endWrite: WriteExtra, now: Date): Promise<boolean> {
    if (hasOpenWaits(run) || !onlyWaitsTake(this.options.registry, events)) return false;
    const unobserved = Prisma.sql`NOT ${openWaitFor(events.map((event) => event.name), now)}`;
    return this.write(rawOnly(sql(this.db)), run, token, { ...endWrite, only: unobserved });
  }

  private ended(run: RunState, status: NonNullable<WriteExtra["status"]>): void {
    this.options.log(`executor: run ${run.id} (${run.functionId}) ${status}`);
    if (status === "completed") this.metrics.runsCompleted++;
    else this.metrics.runsFailed++;
  }

  /** Due before the next poll (a short backoff or sleep): wake exactly then instead. */
  private wakeAt(at: number): void {
    const delay = at - Date.now();
    if (delay < this.pollMs) setTimeout(() => this.wake(), Math.max(0, delay) + 5).unref();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** How a run with pending items and nothing to do now ends its turn: until the earliest of them. */
function parked(run: RunState): Extract<Final, { dueAt: Date }> {
  const items = Object.values(run.pending);
  const dueAt = new Date(Math.min(...items.map((item) => Date.parse(item.dueAt))));
  const kinds = items.map((item) => item.kind);
  const status = kinds.includes("step") ? "queued" : kinds.includes("wait") || kinds.includes("invoke") ? "waiting" : "sleeping";
  return { status, dueAt };
}

/** Whether the run has open waits already in the database (not only ones its next write adds). */
function hasWrittenWaits(run: RunState): boolean {
  const adding = new Set(run.newWaits.map((wait) => wait.stepId));
  return Object.entries(run.pending).some(([stepId, item]) => (item.kind === "wait" || item.kind === "invoke") && !adding.has(stepId));
}

/** Whether the run waits on events (waitForEvent, step.invoke): its ExecutorWait rows are open. */
function hasOpenWaits(run: RunState): boolean {
  return Object.values(run.pending).some((item) => item.kind === "wait" || item.kind === "invoke");
}

function toState(row: RunRow): RunState {
  return {
    id: row.id,
    functionId: row.functionId,
    // Written by events.ts from validated input.
    event: row.event as unknown as RunEvent,
    correlationId: row.correlationId,
    steps: (row.steps ?? {}) as Record<string, Json>,
    stack: (row.stack ?? []) as string[],
    attempt: row.attempt,
    maxAttempts: row.maxAttempts,
    pending: (row.pending ?? {}) as unknown as Record<string, PendingItem>,
    requestVersion: row.requestVersion,
    newWaits: [],
    freshWaits: new Set(),
    newInvokes: [],
  };
}
