"use client";
// What failed and still needs someone: runs that ended in failure (retry them from the node
// that failed) and messages the channel could not deliver, with the provider's reason.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { Button } from "@/components/ui/button";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import { EmptyState, ErrorNote } from "@/components/ui/notice";
import { TableSkeleton } from "@/components/ui/spinner";

function Contact({ contact }: { contact: { name: string | null; number: string | null } }) {
  return (
    <>
      {contact.name ?? "—"}
      {contact.number ? <span className="ml-1.5 font-mono text-xs text-slate-400">+{contact.number}</span> : null}
    </>
  );
}

export function DeadLetters({ canAct }: { canAct: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const letters = useQuery({ ...trpc.runs.deadLetters.queryOptions(), refetchInterval: 5000 });
  const retry = useMutation(trpc.runs.retry.mutationOptions({ onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.runs.deadLetters.queryKey() }) }));

  if (letters.isPending) return <TableSkeleton label="Loading the dead letters" />;
  if (letters.isError) return <ErrorNote>Could not load the dead letters: {errorMessage(letters.error)}</ErrorNote>;
  const { runs, messages } = letters.data;
  return (
    <div className="space-y-6">
      {retry.isError ? <ErrorNote>{errorMessage(retry.error)}</ErrorNote> : null}
      <section aria-labelledby="failed-runs" className="rounded-xl border border-slate-200 bg-white">
        <h2 id="failed-runs" className="border-b border-slate-200 px-4 py-2 text-sm font-semibold">
          Failed runs <span className="font-normal text-slate-500">({runs.length}, not retried yet)</span>
        </h2>
        {runs.length === 0 ? (
          <EmptyState title="No failed runs" icon="✅">
            Runs that fail after their retries land here.
          </EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100">
            {runs.map((run) => (
              <li key={run.id} data-testid="dead-run" className="flex flex-wrap items-center gap-3 px-4 py-2.5 text-sm">
                <Link href={`/runs/${run.id}`} className="font-medium text-slate-900 hover:text-brand-700">
                  {run.flowName} <span className="font-normal text-slate-500">v{run.version}</span>
                </Link>
                <span className="text-slate-600">
                  <Contact contact={run.contact} />
                </span>
                <span className="text-slate-500" title={formatDateTime(run.startedAt)}>
                  {formatRelative(run.startedAt)}
                </span>
                <span className="min-w-0 flex-1 truncate text-red-800" title={run.error ?? undefined}>
                  {run.error ?? "failed"}
                </span>
                {canAct ? (
                  <Button onClick={() => retry.mutate({ id: run.id })} disabled={retry.isPending} data-testid="dead-run-retry">
                    Retry
                  </Button>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="undelivered" className="rounded-xl border border-slate-200 bg-white">
        <h2 id="undelivered" className="border-b border-slate-200 px-4 py-2 text-sm font-semibold">
          Undelivered messages <span className="font-normal text-slate-500">({messages.length})</span>
        </h2>
        {messages.length === 0 ? (
          <EmptyState title="Every message was delivered" icon="📬">
            Messages WhatsApp refused or could not deliver land here with the reason.
          </EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100">
            {messages.map((message) => (
              <li key={message.id} data-testid="dead-message" className="px-4 py-2.5 text-sm">
                <div className="flex flex-wrap items-center gap-3">
                  <Link href={`/inbox/${message.conversationId}`} className="font-medium text-slate-900 hover:text-brand-700">
                    <Contact contact={message.contact} />
                  </Link>
                  <span className="text-slate-500" title={formatDateTime(message.createdAt)}>
                    {formatRelative(message.createdAt)}
                  </span>
                  {message.runId ? (
                    <Link href={`/runs/${message.runId}`} className="font-mono text-xs text-brand-700 underline">
                      {message.nodeId ?? "run"}
                    </Link>
                  ) : null}
                  <span className="min-w-0 flex-1 truncate text-slate-700">{message.text ?? `[${message.type}]`}</span>
                </div>
                <p className="mt-1 text-xs text-red-800">
                  {message.error ? `${message.error.code !== null ? `Error ${message.error.code}: ` : ""}${message.error.meaning}` : "The provider gave no reason."}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
