"use client";
// Analytics of one flow: conversations per day split by version with each publish marked,
// where customers stop answering, and the versions side by side (completion, failures,
// time to first reply, model tokens and cost), so a publish's effect is visible.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Bar, BarChart, CartesianGrid, ComposedChart, Legend, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { formatDateTime } from "@/components/ui/format";
import { EmptyState, ErrorNote } from "@/components/ui/notice";
import { Skeleton } from "@/components/ui/spinner";
import type { FlowAnalytics as FlowAnalyticsFigures } from "@/server/analytics/flow-analytics";

const RANGES = [7, 30, 90, 365] as const;
const VERSION_COLOURS = ["#0ea5e9", "#8b5cf6", "#f59e0b", "#10b981", "#ef4444", "#64748b"];
const percent = (value: number | null) => (value === null ? "—" : `${Math.round(value * 100)}%`);
const duration = (ms: number | null | undefined) => (ms === null || ms === undefined ? "—" : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);
const money = (usd: number | null | undefined) => (usd === null || usd === undefined ? "—" : `$${usd.toFixed(usd < 1 ? 4 : 2)}`);

export function FlowAnalytics() {
  const trpc = useTRPC();
  const flows = useQuery(trpc.flows.list.queryOptions());
  const [chosenFlow, setChosenFlow] = useState<string | null>(null);
  const [days, setDays] = useState<(typeof RANGES)[number]>(30);
  const flowId = chosenFlow ?? flows.data?.find((flow) => flow.publishedVersion)?.id ?? flows.data?.[0]?.id ?? null;
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const figures = useQuery({ ...trpc.analytics.flow.queryOptions({ flowId: flowId ?? "", days, timeZone }), enabled: flowId !== null });

  if (flows.isPending) return <Skeleton className="h-64 w-full" />;
  if (flows.isError) return <ErrorNote>Could not load the flows: {errorMessage(flows.error)}</ErrorNote>;
  if (!flowId) {
    return (
      <EmptyState title="No flows yet" icon="📈">
        Create and publish a flow: its conversations show here.
      </EmptyState>
    );
  }
  const data = figures.data;
  const total = data?.days.reduce((sum, day) => sum + day.started, 0) ?? 0;
  const versionKeys = data?.versions.filter((version) => version.runs > 0).map((version) => `v${version.version}`) ?? [];
  const chartDays = data?.days.map((day) => ({ day: day.day, completed: day.completed, ...Object.fromEntries(versionKeys.map((key) => [key, day.byVersion[key]?.started ?? 0])) })) ?? [];
  const dayOf = (date: Date) => new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(date));
  const publishes = data?.versions.map((version) => ({ version: version.version, day: dayOf(version.publishedAt) })).filter((publish) => chartDays.some((day) => day.day === publish.day)) ?? [];

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end gap-3">
        <label className="flex flex-col gap-1 text-sm">
          <span className="text-xs text-slate-500">Flow</span>
          <select className="field w-64 py-1" data-testid="analytics-flow" value={flowId} onChange={(event) => setChosenFlow(event.target.value)}>
            {flows.data.map((flow) => (
              <option key={flow.id} value={flow.id}>
                {flow.name}
              </option>
            ))}
          </select>
        </label>
        <div role="radiogroup" aria-label="Period" className="flex gap-1">
          {RANGES.map((range) => (
            <button
              key={range}
              type="button"
              role="radio"
              aria-checked={days === range}
              onClick={() => setDays(range)}
              className={`rounded-full px-3 py-1 text-sm focus-visible:outline-2 focus-visible:outline-brand-600 ${days === range ? "bg-slate-900 text-white" : "bg-white text-slate-700 ring-1 ring-slate-200 hover:bg-slate-50"}`}
            >
              {range === 365 ? "1 year" : `${range} days`}
            </button>
          ))}
        </div>
        <span className="ml-auto text-xs text-slate-500">Days in {timeZone}; the studio&apos;s test runs are left out.</span>
      </div>

      {figures.isError ? <ErrorNote>Could not load the figures: {errorMessage(figures.error)}</ErrorNote> : null}
      {figures.isPending ? (
        <div className="space-y-3" role="status" aria-label="Loading the figures">
          <Skeleton className="h-24 w-full" />
          <Skeleton className="h-72 w-full" />
        </div>
      ) : data && total === 0 ? (
        <div className="rounded-xl border border-slate-200 bg-white">
          <EmptyState title="No runs in this period" icon="📭">
            Nobody reached “{data.flow.name}” in the last {days} days. Try a longer period, or talk to it in the simulator.
          </EmptyState>
        </div>
      ) : data ? (
        <>
          <Summary figures={data} total={total} />

          <section aria-labelledby="per-day" className="rounded-xl border border-slate-200 bg-white p-4" data-testid="analytics-per-day">
            <h2 id="per-day" className="mb-2 text-sm font-semibold">
              Conversations per day <span className="font-normal text-slate-500">(bars: started, by version; line: completed)</span>
            </h2>
            <div className="h-72" role="img" aria-label={`${total} conversations over ${days} days; the table below the chart lists each day.`}>
              <ResponsiveContainer width="100%" height="100%">
                <ComposedChart data={chartDays} margin={{ top: 8, right: 16, bottom: 0, left: -16 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
                  <XAxis dataKey="day" tick={{ fontSize: 11 }} tickFormatter={(day: string) => day.slice(5)} minTickGap={16} />
                  <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
                  <Tooltip />
                  <Legend wrapperStyle={{ fontSize: 12 }} />
                  {versionKeys.map((key, index) => (
                    <Bar key={key} dataKey={key} name={`started (${key})`} stackId="started" fill={VERSION_COLOURS[index % VERSION_COLOURS.length]} isAnimationActive={false} />
                  ))}
                  <Line type="monotone" dataKey="completed" name="completed" stroke="#0f172a" dot={false} isAnimationActive={false} />
                  {publishes.map((publish) => (
                    <ReferenceLine key={publish.version} x={publish.day} stroke="#94a3b8" strokeDasharray="4 2" label={{ value: `v${publish.version}`, position: "top", fontSize: 11, fill: "#475569" }} />
                  ))}
                </ComposedChart>
              </ResponsiveContainer>
            </div>
            <details className="mt-2 text-sm">
              <summary className="cursor-pointer text-slate-500">Show as a table</summary>
              <table className="mt-2 w-full text-left text-xs">
                <thead className="text-slate-500">
                  <tr>
                    <th scope="col">Day</th>
                    <th scope="col">Started</th>
                    <th scope="col">Completed</th>
                    <th scope="col">Failed</th>
                  </tr>
                </thead>
                <tbody>
                  {data.days
                    .filter((day) => day.started > 0)
                    .map((day) => (
                      <tr key={day.day}>
                        <td>{day.day}</td>
                        <td>{day.started}</td>
                        <td>{day.completed}</td>
                        <td>{day.failed}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
            </details>
          </section>

          <section aria-labelledby="drop-off" className="rounded-xl border border-slate-200 bg-white p-4" data-testid="analytics-drop-off">
            <h2 id="drop-off" className="mb-2 text-sm font-semibold">
              Where customers stop <span className="font-normal text-slate-500">(failed or cancelled runs, unanswered questions, runs waiting over an hour)</span>
            </h2>
            {data.dropOff.length === 0 ? (
              <p className="text-sm text-slate-500">Nobody stopped part-way in this period.</p>
            ) : (
              <>
                <div className="h-56" role="img" aria-label={data.dropOff.map((node) => `${node.label}: ${node.runs}`).join("; ")}>
                  <ResponsiveContainer width="100%" height="100%">
                    <BarChart data={data.dropOff.slice(0, 8)} layout="vertical" margin={{ top: 0, right: 16, bottom: 0, left: 24 }}>
                      <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
                      <XAxis type="number" allowDecimals={false} tick={{ fontSize: 11 }} />
                      <YAxis type="category" dataKey="label" width={140} tick={{ fontSize: 11 }} />
                      <Tooltip />
                      <Bar dataKey="runs" name="conversations" fill="#f97316" isAnimationActive={false} />
                    </BarChart>
                  </ResponsiveContainer>
                </div>
                <ul className="sr-only">
                  {data.dropOff.map((node) => (
                    <li key={node.nodeId}>
                      {node.label}: {node.runs}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </section>

          <section aria-labelledby="versions" className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
            <h2 id="versions" className="border-b border-slate-200 px-4 py-2 text-sm font-semibold">
              Versions side by side
            </h2>
            <table className="w-full text-left text-sm" data-testid="analytics-versions">
              <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="px-4 py-2 font-medium">Version</th>
                  <th scope="col" className="px-4 py-2 font-medium">Published</th>
                  <th scope="col" className="px-4 py-2 text-right font-medium">Conversations</th>
                  <th scope="col" className="px-4 py-2 text-right font-medium">Completed</th>
                  <th scope="col" className="px-4 py-2 text-right font-medium">Failed</th>
                  <th scope="col" className="px-4 py-2 text-right font-medium">First reply p50 / p95</th>
                  <th scope="col" className="px-4 py-2 text-right font-medium">Model tokens in / out</th>
                  <th scope="col" className="px-4 py-2 text-right font-medium">Model cost</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {[...data.versions].reverse().map((version) => (
                  <tr key={version.version} data-testid="analytics-version">
                    <td className="px-4 py-2 font-medium" title={version.note ?? undefined}>
                      v{version.version}
                    </td>
                    <td className="px-4 py-2 text-slate-500">{formatDateTime(version.publishedAt)}</td>
                    <td className="px-4 py-2 text-right tabular-nums">{version.runs}</td>
                    <td className="px-4 py-2 text-right tabular-nums">{percent(version.completionRate)}</td>
                    <td className="px-4 py-2 text-right tabular-nums">{percent(version.failureRate)}</td>
                    <td className="px-4 py-2 text-right tabular-nums">
                      {duration(version.firstReplyMs?.p50)} / {duration(version.firstReplyMs?.p95)}
                    </td>
                    <td className="px-4 py-2 text-right tabular-nums">
                      {version.model ? `${version.model.inputTokens.toLocaleString()} / ${version.model.outputTokens.toLocaleString()}` : "—"}
                    </td>
                    <td className="px-4 py-2 text-right tabular-nums">{money(version.model?.costUsd)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      ) : null}
    </div>
  );
}

function Summary({ figures, total }: { figures: FlowAnalyticsFigures; total: number }) {
  const completed = figures.days.reduce((sum, day) => sum + day.completed, 0);
  const failed = figures.days.reduce((sum, day) => sum + day.failed, 0);
  const tokens = figures.versions.reduce((sum, version) => sum + (version.model ? version.model.inputTokens + version.model.outputTokens : 0), 0);
  const cost = figures.versions.reduce<number | null>((sum, version) => (version.model?.costUsd == null ? sum : (sum ?? 0) + version.model.costUsd), null);
  const live = figures.versions.at(-1);
  const cards = [
    { label: "Conversations", value: total.toLocaleString() },
    { label: "Completed", value: percent(total > 0 ? completed / total : null) },
    { label: "Failed", value: percent(total > 0 ? failed / total : null) },
    { label: `First reply p50 (v${live?.version ?? "?"})`, value: duration(live?.firstReplyMs?.p50) },
    { label: "Model tokens", value: tokens.toLocaleString() },
    { label: "Model cost", value: money(cost) },
  ];
  return (
    <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6" data-testid="analytics-summary">
      {cards.map((card) => (
        <div key={card.label} className="rounded-xl border border-slate-200 bg-white p-3">
          <dt className="text-xs text-slate-500">{card.label}</dt>
          <dd className="mt-1 text-xl font-semibold tabular-nums">{card.value}</dd>
        </div>
      ))}
    </dl>
  );
}
