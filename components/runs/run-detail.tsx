"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { errorCode, errorMessage } from "@/components/trpc/errors";
import { DeliveryFailure, DeliveryStatus } from "@/components/chat/delivery-status";
import { formatDateTime, formatDuration, formatTime } from "@/components/ui/format";
import { EmptyState, ErrorNote } from "@/components/ui/notice";
import { Skeleton } from "@/components/ui/spinner";
import { StatusBadge } from "@/components/ui/status-badge";
import { nodeDefinition } from "@/flows/registry";
import { ModelCalls } from "./model-calls";
import { ReplayResult } from "./replay-result";
import { RunActions } from "./run-actions";
import { RunPath } from "./run-path";

const ACTIVE = new Set(["running", "waiting"]);

export function RunDetail({ runId, canAct, canReplay }: { runId: string; canAct: boolean; canReplay: boolean }) {
  const trpc = useTRPC();
  const run = useQuery({
    ...trpc.runs.get.queryOptions({ id: runId }),
    // Follow a run while it is still going.
    refetchInterval: (query) => (query.state.data && !ACTIVE.has(query.state.data.status) ? false : 2000),
  });

  if (run.isPending) {
    return (
      <main className="mx-auto max-w-6xl space-y-4 p-6" role="status" aria-label="Loading the run">
        <Skeleton className="h-8 w-72" />
        <Skeleton className="h-24 w-full" />
        <Skeleton className="h-64 w-full" />
      </main>
    );
  }
  if (run.isError && !run.data) {
    return (
      <main className="mx-auto max-w-6xl p-6">
        <ErrorNote>{errorCode(run.error) === "NOT_FOUND" ? "This run does not exist in your workspace." : `Could not load the run: ${errorMessage(run.error)}`}</ErrorNote>
        <Link href="/runs" className="mt-4 inline-block text-sm text-brand-700 underline">
          Back to the runs
        </Link>
      </main>
    );
  }
  const data = run.data;
  const span = timelineSpan(data.traces);
  return (
    <main className="mx-auto max-w-6xl space-y-6 p-6">
      <div>
        <Link href="/runs" className="text-sm text-slate-500 hover:text-slate-800">
          ← Runs
        </Link>
        <div className="mt-1 flex flex-wrap items-center gap-3">
          <h1 className="text-xl font-semibold">
            <Link href={`/flows/${data.flow.id}`} className="hover:text-brand-700">
              {data.flow.name}
            </Link>{" "}
            <span className="font-normal text-slate-500">{data.testOnly ? `test version ${data.version}` : `v${data.version}`}</span>
          </h1>
          <StatusBadge status={data.status} />
          {canAct ? <RunActions run={data} failedNodeId={data.failedNodeId} /> : null}
        </div>
        <dl className="mt-3 grid grid-cols-2 gap-x-6 gap-y-2 rounded-xl border border-slate-200 bg-white p-4 text-sm sm:grid-cols-4">
          <div>
            <dt className="text-xs text-slate-500">Contact</dt>
            <dd className="font-medium">
              <Link href={`/inbox/${data.conversation.id}`} className="hover:text-brand-700" data-testid="run-conversation-link">
                {data.contact.name ?? "—"} {data.contact.waId ? <span className="font-mono text-xs text-slate-500">+{data.contact.waId}</span> : null}
              </Link>
            </dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">Started</dt>
            <dd>
              {formatDateTime(data.startedAt)} <span className="text-xs text-slate-500">by {data.triggerKind}</span>
            </dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">Ended</dt>
            <dd>{data.endedAt ? `${formatDateTime(data.endedAt)} (${formatDuration(data.startedAt, data.endedAt)})` : data.status === "waiting" ? `waiting at ${data.waitingNodeId ?? "?"}` : "—"}</dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">Run id</dt>
            <dd className="truncate font-mono text-xs" title={data.id}>
              {data.id}
            </dd>
          </div>
        </dl>
        {data.resumedFrom ? (
          <p className="mt-2 text-sm text-slate-600" data-testid="run-resumed-from">
            Continues run{" "}
            <Link href={`/runs/${data.resumedFrom.runId}`} className="font-mono text-brand-700 underline">
              {data.resumedFrom.runId}
            </Link>{" "}
            from node <span className="font-mono">{data.resumedFrom.nodeId}</span>.
          </p>
        ) : null}
        {data.continuedBy.map((next) => (
          <p key={next.id} className="mt-2 text-sm text-slate-600" data-testid="run-continued-by">
            Continued by run{" "}
            <Link href={`/runs/${next.id}`} className="font-mono text-brand-700 underline">
              {next.id}
            </Link>{" "}
            from node <span className="font-mono">{next.resumedAtNodeId}</span> ({next.status}).
          </p>
        ))}
        {data.error ? <ErrorNote className="mt-3">Error: {data.error}</ErrorNote> : null}
        {data.conversation.handedOffAt ? (
          <p className="mt-3 rounded-lg border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900" data-testid="handoff-banner">
            <span className="font-medium">A person is answering this conversation</span> since {formatDateTime(data.conversation.handedOffAt)}
            {data.conversation.handoffReason ? ` — ${data.conversation.handoffReason}` : ""}.{" "}
            <Link href={`/inbox/${data.conversation.id}`} className="underline">
              Open it in the inbox
            </Link>{" "}
            to reply or hand it back to the bot.
          </p>
        ) : null}
      </div>

      {canReplay ? <ReplayResult runId={data.id} /> : null}

      {data.graph ? (
        <section aria-labelledby="path-title" className="overflow-hidden rounded-xl border border-slate-200 bg-white">
          <h2 id="path-title" className="border-b border-slate-200 px-4 py-2 text-sm font-semibold">
            Path <span className="font-normal text-slate-500">through {data.testOnly ? "the tested draft" : `v${data.version}`}</span>
          </h2>
          <RunPath graph={data.graph} traces={data.traces} stoppedAt={data.status === "waiting" ? data.waitingNodeId : data.failedNodeId} />
        </section>
      ) : null}

      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,1.6fr)]">
        <section aria-labelledby="transcript-title" className="rounded-xl border border-slate-200 bg-white">
          <h2 id="transcript-title" className="border-b border-slate-200 px-4 py-2 text-sm font-semibold">
            Transcript
          </h2>
          {data.messages.length === 0 ? (
            <p className="p-4 text-sm text-slate-500">No messages in this run.</p>
          ) : (
            <ol className="space-y-2 bg-chat-bg p-3">
              {data.messages.map((message) => {
                const inbound = message.direction === "inbound";
                return (
                  <li key={message.id} data-testid="run-message" className={`flex ${inbound ? "justify-start" : "justify-end"}`}>
                    <div className={`max-w-[85%] rounded-lg px-2.5 py-1.5 text-sm shadow-sm ${inbound ? "bg-white" : "bg-chat-out"}`}>
                      <div className="whitespace-pre-wrap break-words">{message.text ?? <span className="italic text-slate-500">{message.type} message</span>}</div>
                      {message.status === "failed" ? <DeliveryFailure error={message.error} /> : null}
                      <div className="mt-0.5 flex justify-end gap-2 text-[10px] text-slate-500">
                        {message.nodeId ? <span className="font-mono">{message.nodeId}</span> : null}
                        <span>{formatTime(message.createdAt)}</span>
                        {inbound ? null : <DeliveryStatus status={message.status} error={message.error} />}
                      </div>
                    </div>
                  </li>
                );
              })}
            </ol>
          )}
        </section>

        <section aria-labelledby="trace-title" className="rounded-xl border border-slate-200 bg-white">
          <h2 id="trace-title" className="border-b border-slate-200 px-4 py-2 text-sm font-semibold">
            Trace <span className="font-normal text-slate-500">({data.traces.length} steps)</span>
          </h2>
          {data.traces.length === 0 ? (
            <EmptyState title="No steps yet" icon="⏳">
              Each node the run executes appears here with its input, output and timing.
            </EmptyState>
          ) : (
            <ol className="divide-y divide-slate-100">
              {data.traces.map((trace, index) => (
                <TraceRow key={trace.id} index={index} trace={trace} span={span} />
              ))}
            </ol>
          )}
        </section>
      </div>
    </main>
  );
}

interface Trace {
  id: string;
  nodeId: string;
  nodeType: string;
  attempt: number;
  port: string | null;
  input: unknown;
  output: unknown;
  error: unknown;
  modelCalls: unknown;
  startedAt: Date;
  endedAt: Date | null;
}

interface Span {
  start: number;
  total: number;
}

/** The run's time from its first node's start to its last node's end: the timeline's scale. */
function timelineSpan(traces: Trace[]): Span {
  const starts = traces.map((trace) => new Date(trace.startedAt).getTime());
  const ends = traces.map((trace) => new Date(trace.endedAt ?? trace.startedAt).getTime());
  const start = Math.min(...starts);
  return { start, total: Math.max(1, Math.max(...ends) - start) };
}

function TraceRow({ trace, index, span }: { trace: Trace; index: number; span: Span }) {
  const [open, setOpen] = useState(false);
  const definition = nodeDefinition(trace.nodeType);
  const started = new Date(trace.startedAt).getTime();
  const ms = trace.endedAt ? new Date(trace.endedAt).getTime() - started : null;
  const failed = trace.error !== null && trace.error !== undefined;
  return (
    <li data-testid="trace-row" data-node-id={trace.nodeId}>
      <button
        type="button"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        className="flex w-full items-center gap-3 px-4 py-2 text-left text-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-brand-600"
      >
        <span className="w-5 text-right text-xs tabular-nums text-slate-400">{index + 1}</span>
        <span aria-hidden>{definition?.icon ?? "❔"}</span>
        <span className="min-w-0 flex-1">
          <span className="font-mono text-xs font-medium text-slate-900">{trace.nodeId}</span>
          <span className="ml-2 text-xs text-slate-500">{trace.nodeType}</span>
        </span>
        {failed ? <span className="rounded-full bg-red-100 px-2 text-xs font-medium text-red-800">error</span> : null}
        {trace.port ? <span className="rounded bg-slate-100 px-1.5 font-mono text-xs text-slate-600">→ {trace.port}</span> : null}
        {trace.attempt > 0 ? <span className="text-xs text-amber-700">attempt {trace.attempt + 1}</span> : null}
        {/* Where in the run's time this node ran, and for how long: waits for the contact stand out. */}
        <span aria-hidden className="relative hidden h-1.5 w-32 rounded-full bg-slate-100 sm:block" data-testid="trace-timeline">
          <span
            className={`absolute inset-y-0 rounded-full ${failed ? "bg-red-400" : "bg-sky-400"}`}
            style={{ left: `${((started - span.start) / span.total) * 100}%`, width: `max(2px, ${((ms ?? 0) / span.total) * 100}%)` }}
          />
        </span>
        <span className="w-20 text-right text-xs tabular-nums text-slate-500">
          {ms === null ? "running" : ms < 1000 ? `${ms} ms` : formatDuration(trace.startedAt, trace.endedAt)}
        </span>
        <span aria-hidden className={`text-xs text-slate-400 transition-transform ${open ? "rotate-90" : ""}`}>
          ▶
        </span>
      </button>
      {open ? (
        <div className="grid gap-3 bg-slate-50 px-4 py-3 md:grid-cols-2">
          <JsonBlock title="Input" value={trace.input} />
          <JsonBlock title="Output" value={trace.output} />
          {trace.modelCalls ? <ModelCalls value={trace.modelCalls} /> : null}
          {failed ? (
            <div className="md:col-span-2">
              <h3 className="mb-1 text-xs font-medium text-red-700">Error</h3>
              <pre className="overflow-x-auto whitespace-pre-wrap rounded-md bg-red-50 p-2 text-xs text-red-900">
                {typeof trace.error === "string" ? trace.error : JSON.stringify(trace.error, null, 2)}
              </pre>
            </div>
          ) : null}
          <p className="text-xs text-slate-500 md:col-span-2">
            Attempt {trace.attempt + 1} · started {formatDateTime(trace.startedAt)}
            {trace.endedAt ? ` · ended ${formatDateTime(trace.endedAt)}` : ""}
          </p>
        </div>
      ) : null}
    </li>
  );
}

function JsonBlock({ title, value }: { title: string; value: unknown }) {
  return (
    <div className="min-w-0">
      <h3 className="mb-1 text-xs font-medium text-slate-600">{title}</h3>
      <pre className="max-h-64 overflow-auto rounded-md border border-slate-200 bg-white p-2 text-xs text-slate-800">
        {value === null || value === undefined ? "—" : JSON.stringify(value, null, 2)}
      </pre>
    </div>
  );
}
