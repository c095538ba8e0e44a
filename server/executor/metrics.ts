// In-process metrics for /api/metrics: counters since start and SDK request latency over a
// sliding window. Bounded memory: at most MAX_SAMPLES latency samples are kept.

/** Latency samples older than this are dropped. */
export const LATENCY_WINDOW_MS = 5 * 60_000;
const MAX_SAMPLES = 10_000;

export interface MetricsSnapshot {
  /** Runs by status now (database, all executors sharing it), and those due now. */
  queue: { queued: number; running: number; sleeping: number; waiting: number; due: number };
  /** Since this executor started. */
  runs: { started: number; completed: number; failed: number; cancelled: number };
  /** Duration of each request to the serve handler (one step, or one discovery), over the window. */
  stepLatencyMs: { count: number; p50: number | null; p99: number | null; windowMs: number };
  pruned: { runs: number; events: number };
  at: string;
}

export class Metrics {
  runsStarted = 0;
  runsCompleted = 0;
  runsFailed = 0;
  runsCancelled = 0;
  pruned = { runs: 0, events: 0 };
  private readonly times = new Float64Array(MAX_SAMPLES);
  private readonly values = new Float64Array(MAX_SAMPLES);
  private next = 0;
  private size = 0;

  recordCall(ms: number, at = Date.now()): void {
    this.times[this.next] = at;
    this.values[this.next] = ms;
    this.next = (this.next + 1) % MAX_SAMPLES;
    this.size = Math.min(this.size + 1, MAX_SAMPLES);
  }

  latency(now = Date.now()): MetricsSnapshot["stepLatencyMs"] {
    const recent: number[] = [];
    for (let i = 0; i < this.size; i++) {
      if (now - (this.times[i] ?? 0) <= LATENCY_WINDOW_MS) recent.push(this.values[i] ?? 0);
    }
    recent.sort((a, b) => a - b);
    return { count: recent.length, p50: percentile(recent, 0.5), p99: percentile(recent, 0.99), windowMs: LATENCY_WINDOW_MS };
  }
}

export function percentile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return Math.round((sorted[index] ?? 0) * 100) / 100;
}
