"use client";
// The canvas's test panel: a WhatsApp-like chat with the DRAFT (server/flows/test-runs.ts).
// It freezes the draft as shown when the test starts, polls the chat and the run, and tells
// the canvas which node runs now and which ran before.
import type { CustomerMessage } from "@/server/simulator/phone";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import type { FlowGraph } from "@/flows/schema";
import type { RunHighlight } from "@/components/canvas/canvas-context";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { Button } from "@/components/ui/button";
import { ErrorNote } from "@/components/ui/notice";
import { Spinner } from "@/components/ui/spinner";
import { Bubble, pendingBody, TypingBubble } from "./bubble";

type Outgoing = CustomerMessage;

const STATUS_TEXT: Record<string, string> = {
  running: "Running",
  waiting: "Waiting for your answer",
  completed: "Finished",
  failed: "Failed",
  cancelled: "Stopped",
};

export function TestPanel({
  flowId,
  graph,
  errorCount,
  onHighlight,
  onSelectNode,
}: {
  flowId: string;
  graph: FlowGraph;
  errorCount: number;
  onHighlight: (highlight: RunHighlight | null) => void;
  onSelectNode: (nodeId: string) => void;
}) {
  const trpc = useTRPC();
  const [draft, setDraft] = useState("");
  const [testedJson, setTestedJson] = useState<string | null>(null);
  const [unmatched, setUnmatched] = useState<string | null>(null);
  const [waitingSince, setWaitingSince] = useState<number | null>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const graphJson = JSON.stringify(graph);

  const state = useQuery({ ...trpc.flowTests.state.queryOptions({ flowId }), refetchInterval: 1000, staleTime: 0 });
  const start = useMutation(
    trpc.flowTests.start.mutationOptions({
      onSuccess: () => {
        setUnmatched(null);
        setWaitingSince(null);
        void state.refetch();
      },
    }),
  );
  const send = useMutation(
    trpc.flowTests.send.mutationOptions({
      onMutate: () => setWaitingSince(Date.now()),
      onSuccess: ({ matched }, input) => {
        if (!matched) {
          setWaitingSince(null);
          setUnmatched(input.message.kind === "text" ? input.message.text : input.message.kind === "media" ? input.message.fileName : input.message.title);
        } else setUnmatched(null);
        void state.refetch();
      },
      onError: () => setWaitingSince(null),
    }),
  );

  const session = state.data ?? null;
  const run = session?.run ?? null;
  const messages = session?.messages ?? [];
  const lastBusinessAt = messages.filter((m) => m.direction === "business").at(-1)?.at;
  const answered = waitingSince !== null && lastBusinessAt !== undefined && new Date(lastBusinessAt).getTime() >= waitingSince - 500;
  const typing = send.isPending || (waitingSince !== null && !answered && run?.status !== "waiting" && run?.status !== "completed");

  useEffect(() => {
    if (waitingSince === null) return;
    const timer = setTimeout(() => setWaitingSince(null), 10_000);
    return () => clearTimeout(timer);
  }, [waitingSince]);

  // Light up the run on the canvas; nothing once the panel closes.
  const current = run ? (run.status === "waiting" ? run.waitingNodeId : run.status === "running" ? (run.traces.at(-1)?.nodeId ?? null) : null) : null;
  const visitedKey = run ? run.traces.map((t) => t.nodeId).join(",") : "";
  const hasRun = run !== null;
  // Only when what is lit changes: every node redraws when the highlight does.
  useEffect(() => {
    onHighlight(hasRun ? { current, visited: new Set(visitedKey ? visitedKey.split(",") : []) } : null);
  }, [onHighlight, hasRun, current, visitedKey]);
  useEffect(() => () => onHighlight(null), [onHighlight]);

  const count = messages.length;
  useEffect(() => {
    const list = listRef.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [count, typing]);

  function begin() {
    setTestedJson(graphJson);
    start.mutate({ flowId, graph });
  }

  function sendMessage(message: Outgoing) {
    if (!session || send.isPending) return;
    send.mutate({ flowId, message });
  }

  function submit(event?: FormEvent) {
    event?.preventDefault();
    const text = draft.trim();
    if (!text) return;
    sendMessage({ kind: "text", text });
    setDraft("");
  }

  if (state.isPending) {
    return (
      <div className="flex flex-1 items-center justify-center p-6">
        <Spinner label="Loading the test chat" />
      </div>
    );
  }
  if (!session) {
    return (
      <section aria-label="Test this draft" data-testid="test-panel" className="space-y-3 p-4 text-sm">
        <h2 className="font-semibold text-slate-900">Try the draft</h2>
        <p className="text-slate-600">
          Chat with this flow as a customer would, before publishing it. Messages go through the real engine as a test contact; published flows and real
          customers never see them.
        </p>
        {state.isError ? <ErrorNote>Could not load the test chat: {errorMessage(state.error)}</ErrorNote> : null}
        {start.isError ? <ErrorNote>{errorMessage(start.error)}</ErrorNote> : null}
        <Button variant="primary" onClick={begin} disabled={start.isPending || errorCount > 0} data-testid="test-start" title={errorCount > 0 ? "Fix the errors first" : undefined}>
          {start.isPending ? "Starting…" : "Start a test chat"}
        </Button>
        {errorCount > 0 ? <p className="text-xs text-red-700">Fix the errors listed under Checks first: a draft with errors cannot run.</p> : null}
      </section>
    );
  }

  const changedSinceStart = testedJson !== null && testedJson !== graphJson;
  const vars = Object.entries(run?.vars ?? {});
  const outputs = Object.entries(run?.nodes ?? {});

  return (
    <section aria-label="Test this draft" data-testid="test-panel" className="flex min-h-0 flex-1 flex-col">
      <div className="flex items-center gap-2 border-b border-slate-200 px-3 py-2 text-xs">
        <span className="min-w-0 flex-1 truncate text-slate-600">
          Testing as <strong>{session.contact.name}</strong>
        </span>
        <Button variant="secondary" className="px-2 py-1 text-xs" onClick={begin} disabled={start.isPending || errorCount > 0} data-testid="test-restart" title="Forget this conversation and start again on the draft as it is now">
          {start.isPending ? "Restarting…" : "↺ Restart conversation"}
        </Button>
      </div>
      {changedSinceStart ? (
        <p className="border-b border-amber-200 bg-amber-50 px-3 py-1.5 text-xs text-amber-900" data-testid="test-outdated">
          The draft changed since this test started. Restart the conversation to try your changes.
        </p>
      ) : null}
      {start.isError ? <ErrorNote className="m-2">{errorMessage(start.error)}</ErrorNote> : null}
      <div
        ref={listRef}
        role="log"
        aria-live="polite"
        aria-label="Test messages"
        className="min-h-48 flex-1 space-y-1.5 overflow-y-auto bg-chat-bg px-2 py-2"
        style={{ backgroundImage: "radial-gradient(rgba(0,0,0,0.035) 1px, transparent 1px)", backgroundSize: "14px 14px" }}
      >
        {messages.length === 0 && !send.isPending ? (
          <div className="mx-auto mt-6 max-w-xs rounded-lg bg-[#fff5c4] px-3 py-2 text-center text-xs text-slate-700 shadow-sm" data-testid="test-empty">
            {run ? "The flow runs without a message: its answers appear here." : "Write the first message as your customer would."}
          </div>
        ) : null}
        {messages.map((message) => (
          <Bubble
            key={message.id}
            mine={message.direction === "customer"}
            body={message.body}
            at={message.at}
            disabled={send.isPending}
            onButton={(button) => sendMessage(button)}
          />
        ))}
        {send.isPending && send.variables ? <Bubble mine pending body={pendingBody(send.variables.message)} /> : null}
        {typing && !send.isPending ? <TypingBubble /> : null}
      </div>
      {unmatched !== null ? (
        <p role="status" className="border-t border-amber-200 bg-amber-50 px-3 py-1.5 text-xs text-amber-900" data-testid="test-unmatched">
          Nothing answers “{unmatched}”: the draft’s trigger does not start on this message. Check the trigger node.
        </p>
      ) : null}
      {session.handedOff ? (
        <p role="status" className="border-t border-slate-200 bg-slate-50 px-3 py-1.5 text-xs text-slate-700">
          The flow handed this conversation to a person. Restart the conversation to test again.
        </p>
      ) : null}
      {send.isError ? (
        <p role="alert" className="border-t border-red-200 bg-red-50 px-3 py-1.5 text-xs text-red-800">
          Not sent: {errorMessage(send.error)}
        </p>
      ) : null}
      <form onSubmit={submit} className="flex items-end gap-2 bg-[#f0f2f5] px-2 py-2">
        <label htmlFor="test-input" className="sr-only">
          Message to the draft
        </label>
        <textarea
          id="test-input"
          data-testid="test-input"
          rows={1}
          maxLength={4096}
          placeholder="Type a message"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
              event.preventDefault();
              submit();
            }
          }}
          className="max-h-24 min-h-9 flex-1 resize-none rounded-lg border-0 bg-white px-3 py-2 text-sm shadow-xs focus:outline-2 focus:outline-[#008069]/40"
        />
        <button
          type="submit"
          data-testid="test-send"
          disabled={!draft.trim() || send.isPending}
          aria-label="Send"
          className="flex size-9 shrink-0 items-center justify-center rounded-full bg-[#008069] text-white hover:bg-[#006e5a] focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-[#008069] disabled:opacity-50"
        >
          <svg aria-hidden viewBox="0 0 24 24" className="size-4 fill-current">
            <path d="M2 21 23 12 2 3v7l15 2-15 2z" />
          </svg>
        </button>
      </form>
      <div className="max-h-64 overflow-y-auto border-t border-slate-200 p-3 text-xs" data-testid="test-run">
        <div className="mb-1 flex items-center gap-2">
          <span className="font-semibold text-slate-900">Run</span>
          <span data-testid="test-run-status" className="text-slate-600">
            {run ? STATUS_TEXT[run.status] : "not started"}
          </span>
          {run && current ? (
            <button type="button" className="font-mono text-sky-700 underline" onClick={() => onSelectNode(current)} title="Show this node">
              at {current}
            </button>
          ) : null}
        </div>
        {run?.error ? <p className="mb-1 text-red-700">{run.error}</p> : null}
        <details open>
          <summary className="cursor-pointer font-medium text-slate-700">Variables ({vars.length})</summary>
          {vars.length === 0 ? (
            <p className="mt-1 text-slate-500">None set yet.</p>
          ) : (
            <dl className="mt-1 space-y-0.5" data-testid="test-vars">
              {vars.map(([name, value]) => (
                <div key={name} className="flex gap-2">
                  <dt className="font-mono text-slate-500">vars.{name}</dt>
                  <dd className="min-w-0 flex-1 break-words font-mono text-slate-900">{JSON.stringify(value)}</dd>
                </div>
              ))}
            </dl>
          )}
        </details>
        {outputs.length > 0 ? (
          <details className="mt-1">
            <summary className="cursor-pointer font-medium text-slate-700">Node outputs ({outputs.length})</summary>
            <dl className="mt-1 space-y-0.5">
              {outputs.map(([nodeId, value]) => (
                <div key={nodeId} className="flex gap-2">
                  <dt className="font-mono text-slate-500">nodes.{nodeId}</dt>
                  <dd className="min-w-0 flex-1 break-words font-mono text-slate-900">{JSON.stringify(value)}</dd>
                </div>
              ))}
            </dl>
          </details>
        ) : null}
      </div>
    </section>
  );
}
