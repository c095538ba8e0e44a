"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { formatDateTime, formatDuration, formatRelative } from "@/components/ui/format";
import { EmptyState, ErrorNote } from "@/components/ui/notice";
import { TableSkeleton } from "@/components/ui/spinner";
import { StatusBadge } from "@/components/ui/status-badge";

export function RunList() {
  const trpc = useTRPC();
  const router = useRouter();
  const runs = useQuery({ ...trpc.runs.list.queryOptions({ limit: 100 }), refetchInterval: 2000 });

  if (runs.isPending) return <TableSkeleton label="Loading runs" />;
  if (runs.isError && !runs.data) return <ErrorNote>Could not load the runs: {errorMessage(runs.error)}</ErrorNote>;
  if (runs.data.length === 0) {
    return (
      <div className="rounded-xl border border-slate-200 bg-white">
        <EmptyState title="No runs yet" icon="🏃">
          A run starts when a message reaches a published flow. Open the{" "}
          <Link href="/simulator" className="text-brand-700 underline">
            simulator
          </Link>{" "}
          and say hi to start one.
        </EmptyState>
      </div>
    );
  }
  return (
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
          {runs.data.map((run) => (
            <tr key={run.id} data-testid="run-row" className="cursor-pointer hover:bg-slate-50" onClick={() => router.push(`/runs/${run.id}`)}>
              <td className="px-4 py-2.5 font-medium">
                <Link href={`/runs/${run.id}`} className="text-slate-900 hover:text-brand-700 focus-visible:outline-2 focus-visible:outline-brand-600">
                  {run.flowName}
                </Link>
              </td>
              <td className="px-4 py-2.5 text-slate-600">v{run.version}</td>
              <td className="px-4 py-2.5 text-slate-600">
                {run.contact ?? "—"}
                {run.contactNumber && <span className="ml-1.5 font-mono text-xs text-slate-400">+{run.contactNumber}</span>}
              </td>
              <td className="px-4 py-2.5">
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
    </div>
  );
}
