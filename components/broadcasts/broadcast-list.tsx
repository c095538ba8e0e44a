"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import { EmptyState, ErrorNote } from "@/components/ui/notice";
import { TableSkeleton } from "@/components/ui/spinner";
import { StatusBadge } from "@/components/ui/status-badge";
import { RecipientBar, recipientTotal } from "./recipient-bar";

export function BroadcastList({ canSend }: { canSend: boolean }) {
  const trpc = useTRPC();
  const broadcasts = useQuery({
    ...trpc.broadcasts.list.queryOptions(),
    // Poll only while one is under way.
    refetchInterval: (query) => (query.state.data?.some((broadcast) => broadcast.status === "sending") ? 1500 : query.state.data?.some((broadcast) => broadcast.status === "scheduled") ? 10_000 : false),
  });
  if (broadcasts.isPending) return <TableSkeleton label="Loading broadcasts" />;
  if (broadcasts.isError) return <ErrorNote>Could not load the broadcasts: {errorMessage(broadcasts.error)}</ErrorNote>;
  if (broadcasts.data.length === 0) {
    return (
      <div className="rounded-xl border border-slate-200 bg-white">
        <EmptyState title="No broadcasts yet" icon="📣">
          A broadcast sends an approved WhatsApp template to contacts you choose by tag or by number: an offer, a reminder, news. Contacts who said STOP are left out.{" "}
          {canSend ? (
            <Link href="/broadcasts/new" className="text-brand-700 underline">
              Write the first one
            </Link>
          ) : (
            "An admin can write one."
          )}
        </EmptyState>
      </div>
    );
  }
  return (
    <ul className="divide-y divide-slate-100 overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
      {broadcasts.data.map((broadcast) => (
        <li key={broadcast.id} data-testid="broadcast-row">
          <Link href={`/broadcasts/${broadcast.id}`} className="grid gap-2 px-4 py-3 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-brand-600 sm:grid-cols-[1fr_16rem]">
            <div className="min-w-0">
              <div className="flex items-center gap-2">
                <span className="truncate font-medium text-slate-900">{broadcast.name}</span>
                <StatusBadge status={broadcast.status} testId="broadcast-status" />
              </div>
              <div className="mt-0.5 truncate text-xs text-slate-500">
                {broadcast.template} · {broadcast.channel} · {recipientTotal(broadcast.counts).toLocaleString()} recipients ·{" "}
                {broadcast.status === "scheduled" && broadcast.scheduledFor ? `sends ${formatDateTime(broadcast.scheduledFor)}` : formatRelative(broadcast.createdAt)}
              </div>
            </div>
            <RecipientBar counts={broadcast.counts} legend={false} />
          </Link>
        </li>
      ))}
    </ul>
  );
}
