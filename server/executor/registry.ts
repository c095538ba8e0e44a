// The set of registered functions, in memory for routing and persisted in ExecutorFunction
// so that a restarted executor routes events before the app syncs again.
import type { Db } from "@/server/db/client";
import { functionConfigSchema, type FunctionConfig, type Json } from "./schemas";
import { nextTick } from "./cron";
import { expressionError, matches } from "./expressions";
import { parseDuration } from "./ids";

/** Inngest's default is 4 retries (5 attempts); the server caps retries at 20 (protocol doc §1.6). */
const DEFAULT_RETRIES = 4;
const MAX_RETRIES = 20;

/** Options the SDK may register that this executor does not implement yet (docs/executor.md). */
const UNSUPPORTED_OPTIONS = ["batchEvents", "priority", "singleton"] as const;

export interface ConcurrencyRule {
  limit: number;
  key?: string;
  scope: "fn" | "env" | "account";
}

export interface RegisteredFunction {
  id: string;
  appId: string;
  config: FunctionConfig;
  /** The serve handler URL for this function (`…?fnId=<id>&stepId=step`). */
  url: string;
  maxAttempts: number;
  eventTriggers: { event: string; expression?: string }[];
  /** Cron schedules as registered (`TZ=… m h dom mon dow`). */
  crons: string[];
  concurrency?: ConcurrencyRule;
  debounce?: { periodMs: number; key?: string; timeoutMs?: number };
  cancel: { event: string; if?: string; timeoutMs?: number }[];
  idempotency?: string;
  rateLimit?: { limit: number; periodMs: number; key?: string };
  throttle?: { limit: number; periodMs: number; key?: string };
  timeouts?: { startMs?: number; finishMs?: number };
}

/** Every expression a function's config carries, for validation at registration. */
function expressionsOf(fn: RegisteredFunction): [string, string][] {
  const list: [string, string | undefined][] = [
    ...fn.eventTriggers.map((t): [string, string | undefined] => ["trigger expression", t.expression]),
    ["concurrency key", fn.concurrency?.key],
    ["debounce key", fn.debounce?.key],
    ...fn.cancel.map((c): [string, string | undefined] => ["cancelOn if", c.if]),
    ["idempotency key", fn.idempotency],
    ["rateLimit key", fn.rateLimit?.key],
    ["throttle key", fn.throttle?.key],
  ];
  return list.filter((entry): entry is [string, string] => Boolean(entry[1]));
}

function duration(label: string, text: string | null | undefined): number | undefined {
  if (text === undefined || text === null) return undefined;
  const ms = parseDuration(text);
  if (ms === null) throw new Error(`invalid ${label} duration "${text}"`);
  return ms;
}

export class FunctionRegistry {
  private functions = new Map<string, RegisteredFunction>();

  constructor(
    private readonly db: Db,
    private readonly log: (line: string) => void,
  ) {}

  async load(): Promise<void> {
    const rows = await this.db.executorFunction.findMany();
    const next = new Map<string, RegisteredFunction>();
    for (const row of rows) {
      // A stored config this version cannot read is skipped (and logged), never fatal at start.
      const parsed = functionConfigSchema.safeParse(row.config);
      try {
        if (!parsed.success) throw new Error(parsed.error.message);
        next.set(row.id, this.build(row.appId, parsed.data));
      } catch (error) {
        this.log(`executor: stored function ${row.id} ignored: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    this.functions = next;
  }

  get(id: string): RegisteredFunction | undefined {
    return this.functions.get(id);
  }

  /** Looks a function up, reloading from the database once when it is unknown (another executor may have synced it). */
  async resolve(id: string): Promise<RegisteredFunction | undefined> {
    if (!this.functions.has(id)) await this.load();
    return this.functions.get(id);
  }

  /** Functions with a trigger on this event name, whatever their expressions say. */
  listeningTo(eventName: string): RegisteredFunction[] {
    return [...this.functions.values()].filter((fn) => fn.eventTriggers.some((t) => eventNameMatches(t.event, eventName)));
  }

  /** Functions with a trigger matching this event: same name, and its expression (if any) true. One run per function. */
  matching(event: { name: string }): RegisteredFunction[] {
    return [...this.functions.values()].filter((fn) =>
      fn.eventTriggers.some(
        (t) => eventNameMatches(t.event, event.name) && (!t.expression || matches(t.expression, { event })),
      ),
    );
  }

  /**
   * Replaces the functions of one app with the given configs (a sync). Returns the number of
   * functions registered; invalid configs are rejected as a whole so a broken sync never
   * half-replaces the set.
   */
  async replaceApp(appId: string, rawConfigs: unknown[]): Promise<number> {
    const configs: FunctionConfig[] = [];
    for (const raw of rawConfigs) {
      const parsed = functionConfigSchema.safeParse(raw);
      if (!parsed.success) throw new Error(`Invalid function config: ${parsed.error.message}`);
      configs.push(parsed.data);
    }
    const built = configs.map((config) => this.build(appId, config));
    const now = new Date();
    const ticks: { functionId: string; cron: string; nextAt: Date }[] = [];
    for (const fn of built) {
      for (const [label, expression] of expressionsOf(fn)) {
        const problem = expressionError(expression);
        if (problem) throw new Error(`Function ${fn.id}: invalid ${label}: ${problem}`);
      }
      for (const cron of fn.crons) {
        const next = nextTick(cron, now);
        if (next instanceof Error) throw new Error(`Function ${fn.id}: ${next.message}`);
        ticks.push({ functionId: fn.id, cron, nextAt: next });
      }
    }
    const ids = built.map((fn) => fn.id);
    await this.db.$transaction(async (tx) => {
      const previous = await tx.executorFunction.findMany({ where: { appId }, select: { id: true } });
      const touched = [...new Set([...previous.map((row) => row.id), ...ids])];
      await tx.executorFunction.deleteMany({ where: { appId, id: { notIn: ids } } });
      for (const fn of built) {
        await tx.executorFunction.upsert({
          where: { id: fn.id },
          create: { id: fn.id, appId, config: fn.config as Json as object },
          update: { appId, config: fn.config as Json as object },
        });
      }
      // Schedules: drop those no longer registered; keep the next tick of those that stay
      // (a re-sync must not skip or repeat a tick), add the new ones from now.
      const current = await tx.executorCron.findMany({ where: { functionId: { in: touched } } });
      const stale = current.filter((row) => !ticks.some((t) => t.functionId === row.functionId && t.cron === row.cron));
      for (const row of stale) await tx.executorCron.delete({ where: { functionId_cron: { functionId: row.functionId, cron: row.cron } } });
      if (ticks.length) await tx.executorCron.createMany({ data: ticks, skipDuplicates: true });
    }, { maxWait: 10_000, timeout: 30_000 });
    for (const [id, fn] of this.functions) if (fn.appId === appId) this.functions.delete(id);
    for (const fn of built) {
      this.functions.set(fn.id, fn);
      const unsupported = UNSUPPORTED_OPTIONS.filter((option) => fn.config[option] != null);
      if (unsupported.length) {
        this.log(`executor: function ${fn.id} uses options not implemented yet and ignored: ${unsupported.join(", ")}`);
      }
    }
    return built.length;
  }

  private build(appId: string, config: FunctionConfig): RegisteredFunction {
    const step = config.steps.step ?? Object.values(config.steps)[0];
    const url = step?.runtime.url;
    if (!url) throw new Error(`Function ${config.id} has no step URL`);
    const retries = Math.min(step.retries?.attempts ?? DEFAULT_RETRIES, MAX_RETRIES);
    const eventTriggers = config.triggers.flatMap((t) =>
      "event" in t ? [{ event: t.event, ...(t.expression ? { expression: t.expression } : {}) }] : [],
    );
    const crons = config.triggers.flatMap((t) => ("cron" in t ? [t.cron] : []));
    const fn: RegisteredFunction = {
      id: config.id,
      appId,
      config,
      url,
      maxAttempts: retries + 1,
      eventTriggers,
      crons,
      concurrency: concurrencyRule(config),
      cancel: (config.cancel ?? []).map((c) => ({
        event: c.event,
        ...(c.if ? { if: c.if } : {}),
        ...(c.timeout ? { timeoutMs: duration("cancelOn timeout", c.timeout) } : {}),
      })),
    };
    if (config.debounce) {
      const periodMs = duration("debounce period", config.debounce.period) ?? 0;
      fn.debounce = {
        periodMs,
        ...(config.debounce.key ? { key: config.debounce.key } : {}),
        ...(config.debounce.timeout ? { timeoutMs: duration("debounce timeout", config.debounce.timeout) } : {}),
      };
    }
    if (config.idempotency) fn.idempotency = config.idempotency;
    if (config.rateLimit && config.rateLimit.limit > 0) {
      fn.rateLimit = {
        limit: config.rateLimit.limit,
        periodMs: duration("rateLimit period", config.rateLimit.period) ?? 0,
        ...(config.rateLimit.key ? { key: config.rateLimit.key } : {}),
      };
    }
    if (config.throttle && config.throttle.limit > 0) {
      fn.throttle = {
        // Inngest's burst lets extra runs start at once in a period; counted into the window here.
        limit: config.throttle.limit + (config.throttle.burst ?? 0),
        periodMs: duration("throttle period", config.throttle.period) ?? 0,
        ...(config.throttle.key ? { key: config.throttle.key } : {}),
      };
    }
    if (config.timeouts && (config.timeouts.start || config.timeouts.finish)) {
      fn.timeouts = {
        ...(config.timeouts.start ? { startMs: duration("timeouts.start", config.timeouts.start) } : {}),
        ...(config.timeouts.finish ? { finishMs: duration("timeouts.finish", config.timeouts.finish) } : {}),
      };
    }
    return fn;
  }

  /** Functions with a cancelOn rule for this event name, with the rules that apply. */
  cancelling(eventName: string): { fn: RegisteredFunction; rules: RegisteredFunction["cancel"] }[] {
    const out: { fn: RegisteredFunction; rules: RegisteredFunction["cancel"] }[] = [];
    for (const fn of this.functions.values()) {
      const rules = fn.cancel.filter((rule) => eventNameMatches(rule.event, eventName));
      if (rules.length) out.push({ fn, rules });
    }
    return out;
  }
}

/**
 * Only the first constraint is enforced for now; Inngest allows two (docs/executor.md).
 * A limit of 0 means "no limit" in Inngest.
 */
function concurrencyRule(config: FunctionConfig): ConcurrencyRule | undefined {
  const raw = config.concurrency;
  if (raw === undefined || raw === null) return undefined;
  const first = typeof raw === "number" ? { limit: raw } : Array.isArray(raw) ? raw[0] : raw;
  if (!first || first.limit <= 0) return undefined;
  return { limit: first.limit, scope: "scope" in first && first.scope ? first.scope : "fn", ...("key" in first && first.key ? { key: first.key } : {}) };
}

/** Exact names, or a trailing `*` wildcard such as `app/*` (as Inngest allows). */
function eventNameMatches(pattern: string, name: string): boolean {
  return pattern.endsWith("*") ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}
