"use client";
import { useInfiniteQuery, useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { Button } from "@/components/ui/button";
import { formatDateTime } from "@/components/ui/format";
import { EmptyState, ErrorNote } from "@/components/ui/notice";
import { TableSkeleton } from "@/components/ui/spinner";

const FILTERS = [
  { value: "", label: "All actions" },
  { value: "flow.", label: "Flows (create, publish)" },
  { value: "member.", label: "Members and roles" },
  { value: "api_key.", label: "API keys" },
  { value: "contact.", label: "Contact data (export, erase)" },
  { value: "conversation.", label: "Conversations (takeover, hand back)" },
] as const;

/** Who did what, when: every admin action of the workspace, newest first, exportable as CSV. */
export function AuditLog() {
  const trpc = useTRPC();
  const [action, setAction] = useState("");
  const pages = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { action: action || undefined },
      { getNextPageParam: (page) => (page.more ? page.entries.at(-1)?.at : undefined), initialCursor: undefined },
    ),
  );
  const exportCsv = useMutation(
    trpc.audit.exportCsv.mutationOptions({
      onSuccess: (csv) => {
        const link = document.createElement("a");
        link.href = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
        link.download = `parley-audit-${new Date().toISOString().slice(0, 10)}.csv`;
        link.click();
        URL.revokeObjectURL(link.href);
      },
    }),
  );
  const entries = pages.data?.pages.flatMap((page) => page.entries) ?? [];

  return (
    <section className="space-y-4">
      <div className="flex items-center gap-2">
        <select aria-label="Filter by action" value={action} onChange={(event) => setAction(event.target.value)} className="field w-auto">
          {FILTERS.map((filter) => (
            <option key={filter.value} value={filter.value}>
              {filter.label}
            </option>
          ))}
        </select>
        <Button className="ml-auto" onClick={() => exportCsv.mutate()} disabled={exportCsv.isPending}>
          {exportCsv.isPending ? "Exporting…" : "Export CSV"}
        </Button>
      </div>
      {exportCsv.isError ? <ErrorNote>{errorMessage(exportCsv.error)}</ErrorNote> : null}
      {pages.isPending ? (
        <TableSkeleton label="Loading the audit log" />
      ) : pages.isError ? (
        <ErrorNote>Could not load the audit log: {errorMessage(pages.error)}</ErrorNote>
      ) : entries.length === 0 ? (
        <div className="rounded-xl border border-slate-200 bg-white">
          <EmptyState title="Nothing recorded yet" icon="📜">
            Publishing flows, managing members and keys, and handling contacts&apos; data are recorded here.
          </EmptyState>
        </div>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
          <table className="w-full text-left text-sm">
            <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">When</th>
                <th scope="col" className="px-4 py-2 font-medium">Who</th>
                <th scope="col" className="px-4 py-2 font-medium">Action</th>
                <th scope="col" className="px-4 py-2 font-medium">Details</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {entries.map((entry) => (
                <tr key={entry.id} data-testid="audit-row">
                  <td className="whitespace-nowrap px-4 py-2.5 text-slate-600">{formatDateTime(entry.at)}</td>
                  <td className="px-4 py-2.5">{entry.who}</td>
                  <td className="px-4 py-2.5 font-mono text-xs">{entry.action}</td>
                  <td className="max-w-md truncate px-4 py-2.5 font-mono text-xs text-slate-500" title={JSON.stringify(entry.details)}>
                    {entry.target ? `${entry.target} ` : ""}
                    {entry.details && Object.keys(entry.details).length > 0 ? JSON.stringify(entry.details) : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pages.hasNextPage ? (
        <Button onClick={() => void pages.fetchNextPage()} disabled={pages.isFetchingNextPage}>
          {pages.isFetchingNextPage ? "Loading…" : "Older entries"}
        </Button>
      ) : null}
    </section>
  );
}
