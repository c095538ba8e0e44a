// One circuit breaker per provider: after FAILURE_THRESHOLD failures in a row the provider
// is skipped (the chain goes straight to the next one) for COOLDOWN_MS; then one call is let
// through as a probe, and its outcome closes the breaker or opens it for another cool-down.
// State is per process, in memory: each app instance learns about a failing provider on its
// own within a few calls, and a restart starts every provider afresh.

export const FAILURE_THRESHOLD = 3;
export const COOLDOWN_MS = 30_000;

export type BreakerState = "closed" | "open" | "half-open";

export interface BreakerSnapshot {
  providerId: string;
  provider: string;
  state: BreakerState;
  consecutiveFailures: number;
  /** When an open breaker lets the next probe through (ISO). */
  retryAt: string | null;
  /** Why the last call failed, redacted (no keys). */
  lastError: string | null;
}

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private probing = false;
  private lastError: string | null = null;

  constructor(
    readonly providerId: string,
    public provider: string,
    private readonly options: { threshold: number; cooldownMs: number },
  ) {}

  state(now: number): BreakerState {
    if (this.openedAt === null) return "closed";
    return now - this.openedAt >= this.options.cooldownMs ? "half-open" : "open";
  }

  /** Whether a call may go to the provider now. Half-open lets one probe through at a time. */
  tryAcquire(now: number): boolean {
    const state = this.state(now);
    if (state === "closed") return true;
    if (state === "open" || this.probing) return false;
    this.probing = true;
    return true;
  }

  succeeded(): void {
    this.failures = 0;
    this.openedAt = null;
    this.probing = false;
    this.lastError = null;
  }

  /** The provider failed in a way that says something about its health (not a bad request). */
  failed(now: number, reason: string): void {
    this.failures++;
    this.lastError = reason;
    if (this.probing || this.failures >= this.options.threshold) this.openedAt = now;
    this.probing = false;
  }

  /** The call ended without telling anything about the provider (the request itself was refused). */
  released(): void {
    this.probing = false;
  }

  snapshot(now: number): BreakerSnapshot {
    const state = this.state(now);
    return {
      providerId: this.providerId,
      provider: this.provider,
      state,
      consecutiveFailures: this.failures,
      retryAt: state === "open" && this.openedAt !== null ? new Date(this.openedAt + this.options.cooldownMs).toISOString() : null,
      lastError: this.lastError,
    };
  }
}

/** The breakers of one process, by provider id. */
export class BreakerRegistry {
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(private readonly options: { threshold: number; cooldownMs: number } = { threshold: FAILURE_THRESHOLD, cooldownMs: COOLDOWN_MS }) {}

  /** The provider's breaker, created closed on first use; `provider` keeps its shown name current. */
  get(providerId: string, provider: string): CircuitBreaker {
    let breaker = this.breakers.get(providerId);
    if (!breaker) {
      breaker = new CircuitBreaker(providerId, provider, this.options);
      this.breakers.set(providerId, breaker);
    }
    breaker.provider = provider;
    return breaker;
  }

  /** The breaker of a provider, or a closed one when it has not been called in this process. */
  snapshot(providerId: string, provider: string, now: number): BreakerSnapshot {
    return this.breakers.get(providerId)?.snapshot(now) ?? { providerId, provider, state: "closed", consecutiveFailures: 0, retryAt: null, lastError: null };
  }

  snapshots(now: number): BreakerSnapshot[] {
    return [...this.breakers.values()].map((breaker) => breaker.snapshot(now));
  }

  forget(providerId: string): void {
    this.breakers.delete(providerId);
  }
}

const holder = globalThis as unknown as { parleyModelBreakers?: BreakerRegistry };

/** The process's breakers, shared by every route (kept on globalThis, like the database client). */
export function modelBreakers(): BreakerRegistry {
  holder.parleyModelBreakers ??= new BreakerRegistry();
  return holder.parleyModelBreakers;
}
