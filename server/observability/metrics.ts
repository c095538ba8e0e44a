// GET /api/metrics in Prometheus' text format, with prom-client: counters and histograms
// incremented where things happen (webhooks, sends, runs, model calls), gauges read from the
// database and the embedded executor when scraped, and Node's process metrics.
import client from "prom-client";
import { db } from "@/server/db/client";
import type { MetricsSnapshot } from "@/server/executor";

type ExecutorMetrics = () => Promise<MetricsSnapshot>;

interface Metrics {
  registry: client.Registry;
  webhooksReceived: client.Counter<"provider">;
  webhooksRejected: client.Counter<"provider" | "reason">;
  messagesSent: client.Counter<"provider">;
  messagesFailed: client.Counter<"code">;
  runsFinished: client.Counter<"status">;
  modelCallSeconds: client.Histogram<"provider" | "outcome">;
  executor?: ExecutorMetrics;
}

/**
 * One registry per process, kept on globalThis: Next's route bundles load their own copy of
 * this module, and every copy must count into the registry /api/metrics reads.
 */
const holder = globalThis as unknown as { parleyMetrics?: Metrics };

function metrics(): Metrics {
  if (holder.parleyMetrics) return holder.parleyMetrics;
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "parley_" });
  const state: Metrics = {
    registry,
    webhooksReceived: new client.Counter({ name: "parley_webhooks_received_total", help: "Webhook POSTs received, by provider.", labelNames: ["provider"], registers: [registry] }),
    webhooksRejected: new client.Counter({
      name: "parley_webhooks_rejected_total",
      help: "Webhook POSTs refused, by provider and reason (payload, unknown_number, signature, executor_unavailable).",
      labelNames: ["provider", "reason"],
      registers: [registry],
    }),
    messagesSent: new client.Counter({ name: "parley_messages_sent_total", help: "Messages the provider accepted, by provider.", labelNames: ["provider"], registers: [registry] }),
    messagesFailed: new client.Counter({
      name: "parley_messages_failed_total",
      help: "Messages that failed (refused at sending or reported failed), by the provider's error code (none: Parley refused it).",
      labelNames: ["code"],
      registers: [registry],
    }),
    runsFinished: new client.Counter({ name: "parley_runs_finished_total", help: "Flow runs that ended, by status.", labelNames: ["status"], registers: [registry] }),
    modelCallSeconds: new client.Histogram({
      name: "parley_model_call_duration_seconds",
      help: "Language model calls through the provider chain, by the provider that answered (none when none did) and outcome.",
      labelNames: ["provider", "outcome"],
      buckets: [0.25, 0.5, 1, 2, 4, 8, 16, 32],
      registers: [registry],
    }),
  };
  // Read when scraped: what the database holds and what the embedded executor is doing.
  new client.Gauge({
    name: "parley_flow_runs",
    help: "Flow runs recorded, by status.",
    labelNames: ["status"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await db().flowRun.groupBy({ by: ["status"], _count: { _all: true } })) this.set({ status: row.status }, row._count._all);
    },
  });
  new client.Gauge({
    name: "parley_messages",
    help: "WhatsApp messages stored, by direction and delivery status.",
    labelNames: ["direction", "status"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await db().message.groupBy({ by: ["direction", "status"], _count: { _all: true } })) {
        this.set({ direction: row.direction, status: row.status }, row._count._all);
      }
    },
  });
  const executorGauge = (name: string, help: string, labelNames: string[], read: (snapshot: MetricsSnapshot, gauge: client.Gauge<string>) => void) =>
    new client.Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        if (state.executor) read(await state.executor(), this);
      },
    });
  executorGauge("parley_executor_queue", "Embedded executor runs by state (due: ready to execute now).", ["state"], (snapshot, gauge) => {
    for (const [state, value] of Object.entries(snapshot.queue)) gauge.set({ state }, value);
  });
  executorGauge("parley_executor_runs", "Runs the embedded executor started or ended since it started, by outcome.", ["outcome"], (snapshot, gauge) => {
    for (const [outcome, value] of Object.entries(snapshot.runs)) gauge.set({ outcome }, value);
  });
  executorGauge("parley_executor_step_latency_seconds", "Duration of the executor's requests to the serve handler over its recent window, by quantile.", ["quantile"], (snapshot, gauge) => {
    if (snapshot.stepLatencyMs.p50 !== null) gauge.set({ quantile: "0.5" }, snapshot.stepLatencyMs.p50 / 1000);
    if (snapshot.stepLatencyMs.p99 !== null) gauge.set({ quantile: "0.99" }, snapshot.stepLatencyMs.p99 / 1000);
  });
  holder.parleyMetrics = state;
  return state;
}

/** Called by `npm start` once the embedded executor runs in this process. */
export function registerExecutorMetrics(source: ExecutorMetrics): void {
  metrics().executor = source;
}

export const count = {
  webhookReceived: (provider: string) => metrics().webhooksReceived.inc({ provider }),
  webhookRejected: (provider: string, reason: "payload" | "unknown_number" | "signature" | "executor_unavailable") => metrics().webhooksRejected.inc({ provider, reason }),
  messageSent: (provider: string) => metrics().messagesSent.inc({ provider }),
  messageFailed: (code: number | null) => metrics().messagesFailed.inc({ code: code === null ? "none" : String(code) }),
  runFinished: (status: string) => metrics().runsFinished.inc({ status }),
  modelCall: (provider: string | null, outcome: "answered" | "failed", seconds: number) => metrics().modelCallSeconds.observe({ provider: provider ?? "none", outcome }, seconds),
};

export function metricsContentType(): string {
  return metrics().registry.contentType;
}

export async function metricsText(): Promise<string> {
  return metrics().registry.metrics();
}
