// GET /api/metrics in Prometheus' text format: what Parley recorded (runs, messages) and,
// when the embedded executor runs in this process, its queue and step latency.
import { db } from "@/server/db/client";
import type { MetricsSnapshot } from "@/server/executor";

type ExecutorMetrics = () => Promise<MetricsSnapshot>;
const holder = globalThis as unknown as { parleyExecutorMetrics?: ExecutorMetrics };

/** Called by `npm start` once the embedded executor runs: Next's route handlers share the process. */
export function registerExecutorMetrics(source: ExecutorMetrics): void {
  holder.parleyExecutorMetrics = source;
}

interface Sample {
  labels?: Record<string, string>;
  value: number | null;
}

interface Family {
  name: string;
  help: string;
  type: "gauge" | "counter" | "summary";
  samples: Sample[];
}

function escapeLabel(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"');
}

export function renderFamilies(families: Family[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      if (sample.value === null) continue;
      const labels = Object.entries(sample.labels ?? {});
      const suffix = labels.length > 0 ? `{${labels.map(([key, value]) => `${key}="${escapeLabel(value)}"`).join(",")}}` : "";
      lines.push(`${family.name}${suffix} ${sample.value}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

export function executorFamilies(snapshot: MetricsSnapshot): Family[] {
  return [
    {
      name: "parley_executor_queue",
      help: "Embedded executor runs by state (due: ready to execute now).",
      type: "gauge",
      samples: Object.entries(snapshot.queue).map(([state, value]) => ({ labels: { state }, value })),
    },
    {
      name: "parley_executor_runs_total",
      help: "Runs the embedded executor started or ended since it started, by outcome.",
      type: "counter",
      samples: Object.entries(snapshot.runs).map(([outcome, value]) => ({ labels: { outcome }, value })),
    },
    {
      name: "parley_executor_step_latency_ms",
      help: `Duration of the executor's requests to the serve handler over the last ${Math.round(snapshot.stepLatencyMs.windowMs / 1000)} s.`,
      type: "summary",
      samples: [
        { labels: { quantile: "0.5" }, value: snapshot.stepLatencyMs.p50 },
        { labels: { quantile: "0.99" }, value: snapshot.stepLatencyMs.p99 },
      ],
    },
  ];
}

export async function metricsText(): Promise<string> {
  const [runs, messages] = await Promise.all([
    db().flowRun.groupBy({ by: ["status"], _count: { _all: true } }),
    db().message.groupBy({ by: ["direction", "status"], _count: { _all: true } }),
  ]);
  const families: Family[] = [
    {
      name: "parley_flow_runs",
      help: "Flow runs recorded, by status.",
      type: "gauge",
      samples: runs.map((row) => ({ labels: { status: row.status }, value: row._count._all })),
    },
    {
      name: "parley_messages",
      help: "WhatsApp messages stored, by direction and delivery status.",
      type: "gauge",
      samples: messages.map((row) => ({ labels: { direction: row.direction, status: row.status }, value: row._count._all })),
    },
  ];
  if (holder.parleyExecutorMetrics) families.push(...executorFamilies(await holder.parleyExecutorMetrics()));
  return renderFamilies(families);
}
