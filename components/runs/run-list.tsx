"use client";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { Button } from "@/components/ui/button";
import { formatDateTime, formatDuration, formatRelative } from "@/components/ui/format";
import { EmptyState, ErrorNote } from "@/components/ui/notice";
import { TableSkeleton } from "@/components/ui/spinner";
import { StatusBadge } from "@/components/ui/status-badge";

const STATUSES = ["running", "waiting", "completed", "failed", "cancelled"] as const;
type Status = (typeof STATUSES)[number];

/** The filters live in the URL, so a filtered list can be shared and survives a reload. */
function useRunFilters() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const status = params.get("status");
  const version = params.get("version");
  const filters = {
    flowId: params.get("flow") ?? undefined,
    version: version && /^\d+$/.test(version) ? Number(version) : undefined,
    status: STATUSES.includes(status as Status) ? (status as Status) : undefined,
    contact: params.get("contact") ?? undefined,
    from: params.get("from") ?? undefined,
    to: params.get("to") ?? undefined,
  };
  const set = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    router.replace(`${pathname}?${next.toString()}`, { scroll: false });
  };
  return { filters, set };
}

/** A day typed in a date field, as the start (or the end) of that day in the viewer's time zone. */
function dayBound(day: string | undefined, end: boolean): Date | undefined {
  if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  return new Date(`${day}T${end ? "23:59:59.999" : "00:00:00"}`);
}

export function RunList() {
  const trpc = useTRPC();
  const router = useRouter();
  const { filters, set } = useRunFilters();
  const [contactDraft, setContactDraft] = useState(filters.contact ?? "");
  const flows = useQuery(trpc.flows.list.queryOptions());
  const versions = useQuery({ ...trpc.flows.versions.queryOptions({ id: filters.flowId ?? "" }), enabled: Boolean(filters.flowId) });
  const input = {
    flowId: filters.flowId,
    version: filters.version,
    status: filters.status,
    contact: filters.contact,
    from: dayBound(filters.from, false),
    to: dayBound(filters.to, true),
    limit: 50,
  };
  const runs = useInfiniteQuery({
    ...trpc.runs.list.infiniteQueryOptions(input, { getNextPageParam: (page) => page.nextCursor ?? undefined }),
    refetchInterval: 3000,
  });
  const counts = runs.data?.pages[0]?.counts;
  const rows = runs.data?.pages.flatMap((page) => page.runs) ?? [];
  const filtered = Object.values(filters).some((value) => value !== undefined);

  return (
    <div className="space-y-3">
      <form
        className="flex flex-wrap items-end gap-3 rounded-xl border border-slate-200 bg-white p-3 text-sm"
        aria-label="Filter runs"
        onSubmit={(event) => {
          event.preventDefault();
          set({ contact: contactDraft.trim() || undefined });
        }}
      >
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500">Flow</span>
          <select className="field w-48 py-1" data-testid="runs-filter-flow" value={filters.flowId ?? ""} onChange={(event) => set({ flow: event.target.value || undefined, version: undefined })}>
            <option value="">All flows</option>
            {flows.data?.map((flow) => (
              <option key={flow.id} value={flow.id}>
                {flow.name}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500">Version</span>
          <select className="field w-28 py-1" value={filters.version ?? ""} disabled={!filters.flowId} onChange={(event) => set({ version: event.target.value || undefined })}>
            <option value="">All</option>
            {versions.data?.map((version) => (
              <option key={version.number} value={version.number}>
                v{version.number}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500">Contact</span>
          <input className="field w-44 py-1" type="search" placeholder="Name or number" value={contactDraft} onChange={(event) => setContactDraft(event.target.value)} onBlur={() => set({ contact: contactDraft.trim() || undefined })} />
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500">From</span>
          <input className="field py-1" type="date" value={filters.from ?? ""} onChange={(event) => set({ from: event.target.value || undefined })} />
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500">To</span>
          <input className="field py-1" type="date" value={filters.to ?? ""} onChange={(event) => set({ to: event.target.value || undefined })} />
        </label>
        {filtered ? (
          <Button
            variant="ghost"
            onClick={() => {
              setContactDraft("");
              set({ flow: undefined, version: undefined, status: undefined, contact: undefined, from: undefined, to: undefined });
            }}
          >
            Clear filters
          </Button>
        ) : null}
      </form>

      <div role="tablist" aria-label="Status" className="flex flex-wrap gap-1">
        {[undefined, ...STATUSES].map((status) => {
          const selected = filters.status === status;
          const count = counts ? (status ? counts[status] : Object.values(counts).reduce((sum, n) => sum + n, 0)) : null;
          return (
            <button
              key={status ?? "all"}
              type="button"
              role="tab"
              aria-selected={selected}
              data-testid={`runs-tab-${status ?? "all"}`}
              onClick={() => set({ status })}
              className={`rounded-full px-3 py-1 text-sm focus-visible:outline-2 focus-visible:outline-brand-600 ${selected ? "bg-slate-900 text-white" : "bg-white text-slate-700 ring-1 ring-slate-200 hover:bg-slate-50"}`}
            >
              {status ?? "all"} {count !== null ? <span className={`ml-1 tabular-nums ${selected ? "text-slate-300" : "text-slate-400"}`}>{count}</span> : null}
            </button>
          );
        })}
        <Link href="/runs/dead-letters" className="ml-auto self-center text-sm text-red-700 underline">
          Dead letters
        </Link>
      </div>

      {runs.isPending ? (
        <TableSkeleton label="Loading runs" />
      ) : runs.isError && rows.length === 0 ? (
        <ErrorNote>Could not load the runs: {errorMessage(runs.error)}</ErrorNote>
      ) : rows.length === 0 ? (
        <div className="rounded-xl border border-slate-200 bg-white">
          {filtered ? (
            <EmptyState title="No runs match these filters" icon="🔎">
              Widen the time range or clear the filters.
            </EmptyState>
          ) : (
            <EmptyState title="No runs yet" icon="🏃">
              A run starts when a message reaches a published flow. Open the{" "}
              <Link href="/simulator" className="text-brand-700 underline">
                simulator
              </Link>{" "}
              and say hi to start one.
            </EmptyState>
          )}
        </div>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
          {runs.isError ? <ErrorNote className="m-2">Refreshing failed: {errorMessage(runs.error)}</ErrorNote> : null}
          <table className="w-full text-left text-sm">
            <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">Flow</th>
                <th scope="col" className="px-4 py-2 font-medium">Version</th>
                <th scope="col" className="px-4 py-2 font-medium">Contact</th>
                <th scope="col" className="px-4 py-2 font-medium">Status</th>
                <th scope="col" className="px-4 py-2 font-medium">Started</th>
                <th scope="col" className="px-4 py-2 font-medium">Duration</th>
                <th scope="col" className="px-4 py-2 text-right font-medium">Steps</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((run) => (
                <tr key={run.id} data-testid="run-row" className="cursor-pointer hover:bg-slate-50" onClick={() => router.push(`/runs/${run.id}`)}>
                  <td className="px-4 py-2.5 font-medium">
                    <Link href={`/runs/${run.id}`} className="text-slate-900 hover:text-brand-700 focus-visible:outline-2 focus-visible:outline-brand-600">
                      {run.flow.name}
                    </Link>
                  </td>
                  <td className="px-4 py-2.5 text-slate-600">v{run.version}</td>
                  <td className="px-4 py-2.5 text-slate-600">
                    {run.contact ?? "—"}
                    {run.contactNumber && <span className="ml-1.5 font-mono text-xs text-slate-400">+{run.contactNumber}</span>}
                  </td>
                  <td className="px-4 py-2.5" title={run.error ?? undefined}>
                    <StatusBadge status={run.status} />
                  </td>
                  <td className="px-4 py-2.5 text-slate-500" title={formatDateTime(run.startedAt)}>
                    {formatRelative(run.startedAt)}
                  </td>
                  <td className="px-4 py-2.5 tabular-nums text-slate-600">{run.endedAt ? formatDuration(run.startedAt, run.endedAt) : <span className="text-slate-400">ongoing</span>}</td>
                  <td className="px-4 py-2.5 text-right tabular-nums text-slate-600">{run.steps}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {runs.hasNextPage ? (
            <div className="border-t border-slate-100 p-2 text-center">
              <Button onClick={() => runs.fetchNextPage()} disabled={runs.isFetchingNextPage}>
                {runs.isFetchingNextPage ? "Loading…" : "Show older runs"}
              </Button>
            </div>
          ) : null}
        </div>
      )}
    </div>
  );
}
