// The set of registered functions, in memory for routing and persisted in ExecutorFunction
// so that a restarted executor routes events before the app syncs again.
import type { Db } from "@/server/db/client";
import { functionConfigSchema, type FunctionConfig, type Json } from "./schemas";
import { expressionError, matches } from "./expressions";

/** Inngest's default is 4 retries (5 attempts); the server caps retries at 20 (protocol doc §1.6). */
const DEFAULT_RETRIES = 4;
const MAX_RETRIES = 20;

/** Options the SDK may register that this executor does not implement yet (docs/executor.md). */
const UNSUPPORTED_OPTIONS = [
  "cancel",
  "debounce",
  "throttle",
  "rateLimit",
  "batchEvents",
  "idempotency",
  "priority",
  "singleton",
  "timeouts",
] as const;

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
  concurrency?: ConcurrencyRule;
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
    for (const fn of built) {
      for (const trigger of fn.eventTriggers) {
        const problem = trigger.expression ? expressionError(trigger.expression) : null;
        if (problem) throw new Error(`Function ${fn.id}: invalid trigger expression: ${problem}`);
      }
      if (fn.concurrency?.key) {
        const problem = expressionError(fn.concurrency.key);
        if (problem) throw new Error(`Function ${fn.id}: invalid concurrency key: ${problem}`);
      }
    }
    const ids = built.map((fn) => fn.id);
    await this.db.$transaction([
      this.db.executorFunction.deleteMany({ where: { appId, id: { notIn: ids } } }),
      ...built.map((fn) =>
        this.db.executorFunction.upsert({
          where: { id: fn.id },
          create: { id: fn.id, appId, config: fn.config as Json as object },
          update: { appId, config: fn.config as Json as object },
        }),
      ),
    ]);
    for (const [id, fn] of this.functions) if (fn.appId === appId) this.functions.delete(id);
    for (const fn of built) {
      this.functions.set(fn.id, fn);
      const unsupported = UNSUPPORTED_OPTIONS.filter((option) => fn.config[option] != null);
      const crons = fn.config.triggers.filter((t) => "cron" in t).length;
      if (unsupported.length || crons) {
        this.log(
          `executor: function ${fn.id} uses options not implemented yet and ignored: ${[
            ...unsupported,
            ...(crons ? ["cron triggers"] : []),
          ].join(", ")}`,
        );
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
    return { id: config.id, appId, config, url, maxAttempts: retries + 1, eventTriggers, concurrency: concurrencyRule(config) };
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
