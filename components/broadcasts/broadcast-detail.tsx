"use client";
// One broadcast: its progress as it sends (polled while under way), where each recipient
// stands with the reason for a skip or a failure, and cancelling what is still queued.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import type { RecipientState } from "@/server/broadcasts/broadcasts";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import { EmptyState, ErrorNote } from "@/components/ui/notice";
import { TableSkeleton } from "@/components/ui/spinner";
import { StatusBadge } from "@/components/ui/status-badge";
import { RecipientBar, recipientTotal, STATE_STYLES } from "./recipient-bar";

const FILTERS: (RecipientState | undefined)[] = [undefined, "queued", "sent", "delivered", "read", "failed", "skipped", "cancelled"];

export function BroadcastDetail({ id, canCancel }: { id: string; canCancel: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [state, setState] = useState<RecipientState | undefined>();
  const [page, setPage] = useState(0);
  const [confirming, setConfirming] = useState(false);
  const detail = useQuery({
    ...trpc.broadcasts.get.queryOptions({ id, state, page }),
    placeholderData: (previous) => previous,
    // Delivery and read statuses keep arriving after the last send: poll a while longer.
    refetchInterval: (query) => {
      const data = query.state.data;
      const recent = data?.finishedAt && Date.now() - new Date(data.finishedAt).getTime() < 10 * 60_000;
      return data?.status === "sending" ? 1500 : data?.status === "scheduled" ? 10_000 : recent ? 5000 : false;
    },
  });
  const cancel = useMutation(
    trpc.broadcasts.cancel.mutationOptions({
      onSettled: async () => {
        setConfirming(false);
        await queryClient.invalidateQueries({ queryKey: trpc.broadcasts.get.queryKey() });
      },
    }),
  );

  if (detail.isPending) return <TableSkeleton label="Loading the broadcast" />;
  if (detail.isError) return <ErrorNote>Could not load the broadcast: {errorMessage(detail.error)}</ErrorNote>;
  const broadcast = detail.data;
  const total = recipientTotal(broadcast.counts);
  const audience = broadcast.audience.kind === "tags" ? `contacts tagged ${broadcast.audience.tags.join(", ")}` : `${broadcast.audience.numbers.length.toLocaleString()} listed numbers`;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <div className="flex items-center gap-2">
            <h1 className="text-xl font-semibold">{broadcast.name}</h1>
            <StatusBadge status={broadcast.status} testId="broadcast-status" />
          </div>
          <p className="mt-1 text-sm text-slate-500">
            Template <span className="font-mono">{broadcast.template.name}</span> ({broadcast.template.language}) from {broadcast.channel} to {audience}
            {broadcast.audience.optedInOnly ? " who opted in" : ""}. {broadcast.scheduledFor ? `Scheduled for ${formatDateTime(broadcast.scheduledFor)}, written` : "Started"} {formatRelative(broadcast.createdAt)}
            {broadcast.createdBy ? ` by ${broadcast.createdBy}` : ""}
            {broadcast.finishedAt ? `; ${broadcast.status === "cancelled" ? "cancelled" : "finished"} ${formatDateTime(broadcast.finishedAt)}` : ""}.
          </p>
          {broadcast.bodyParameters.length > 0 ? (
            <p className="mt-0.5 text-xs text-slate-500">
              Parameters: {broadcast.bodyParameters.map((parameter, index) => <code key={index} className="mr-2">{`{{${index + 1}}} ${parameter}`}</code>)}
            </p>
          ) : null}
        </div>
        {canCancel && (broadcast.status === "sending" || broadcast.status === "scheduled") ? (
          <Button variant="danger" onClick={() => setConfirming(true)} disabled={cancel.isPending}>
            {cancel.isPending ? "Cancelling…" : "Cancel the rest"}
          </Button>
        ) : null}
      </div>
      {cancel.isError ? <ErrorNote>{errorMessage(cancel.error)}</ErrorNote> : null}

      <section className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" aria-label="Progress">
        <div className="mb-2 flex items-baseline justify-between text-sm">
          <span className="font-medium text-slate-800">
            {(total - broadcast.counts.queued).toLocaleString()} of {total.toLocaleString()} recipients done
          </span>
          {broadcast.status === "sending" ? <span className="text-xs text-slate-500">sending, paced under the number&apos;s limits…</span> : null}
        </div>
        <RecipientBar counts={broadcast.counts} />
      </section>

      <div role="tablist" aria-label="Recipients by state" className="flex flex-wrap gap-1">
        {FILTERS.map((filter) => {
          const selected = state === filter;
          const count = filter ? broadcast.counts[filter] : total;
          return (
            <button
              key={filter ?? "all"}
              type="button"
              role="tab"
              aria-selected={selected}
              onClick={() => {
                setState(filter);
                setPage(0);
              }}
              className={`rounded-full px-3 py-1 text-sm focus-visible:outline-2 focus-visible:outline-brand-600 ${selected ? "bg-slate-900 text-white" : "bg-white text-slate-700 ring-1 ring-slate-200 hover:bg-slate-50"}`}
            >
              {filter ? STATE_STYLES[filter].label : "All"} <span className={`ml-1 tabular-nums ${selected ? "text-slate-300" : "text-slate-400"}`}>{count}</span>
            </button>
          );
        })}
      </div>

      <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
        {broadcast.recipients.length === 0 ? (
          <EmptyState title="No recipients in this state" icon="📭" />
        ) : (
          <table className="w-full text-left text-sm">
            <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">Contact</th>
                <th scope="col" className="px-4 py-2 font-medium">State</th>
                <th scope="col" className="px-4 py-2 font-medium">Why</th>
                <th scope="col" className="px-4 py-2 font-medium">Sent</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {broadcast.recipients.map((recipient) => (
                <tr key={recipient.id} data-testid="broadcast-recipient">
                  <td className="px-4 py-2">
                    {recipient.conversationId ? (
                      <Link href={`/inbox/${recipient.conversationId}`} className="text-slate-900 hover:text-brand-700 hover:underline">
                        {recipient.contact}
                      </Link>
                    ) : (
                      recipient.contact
                    )}
                    {recipient.waId && recipient.contact !== `+${recipient.waId}` ? <span className="ml-1.5 font-mono text-xs text-slate-400">+{recipient.waId}</span> : null}
                  </td>
                  <td className="px-4 py-2">
                    <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${STATE_STYLES[recipient.state].chip}`}>{STATE_STYLES[recipient.state].label}</span>
                  </td>
                  <td className="px-4 py-2 text-xs text-slate-600">{recipient.reason ?? ""}</td>
                  <td className="px-4 py-2 text-xs text-slate-500">{recipient.sentAt ? formatDateTime(recipient.sentAt) : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {page > 0 || broadcast.recipients.length === broadcast.pageSize ? (
        <div className="flex justify-end gap-2">
          <Button disabled={page === 0} onClick={() => setPage(page - 1)}>
            Previous
          </Button>
          <Button disabled={broadcast.recipients.length < broadcast.pageSize} onClick={() => setPage(page + 1)}>
            Next
          </Button>
        </div>
      ) : null}

      <ConfirmDialog open={confirming} title="Cancel the rest of this broadcast?" confirmLabel="Cancel the rest" danger onCancel={() => setConfirming(false)} onConfirm={() => cancel.mutate({ id })}>
        {broadcast.counts.queued.toLocaleString()} queued recipients will not get it. Messages already sent stay sent.
      </ConfirmDialog>
    </div>
  );
}
