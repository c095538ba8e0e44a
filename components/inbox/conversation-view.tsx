"use client";
// One conversation as the customer saw it, kept live: the transcript with delivery ticks and
// failures explained, each bot message linked to the run and node that sent it, the runs
// of the conversation, and the take over / reply / hand back controls.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { errorCode, errorMessage } from "@/components/trpc/errors";
import { DeliveryFailure, DeliveryStatus } from "@/components/chat/delivery-status";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { formatDateTime, formatRelative, formatTime } from "@/components/ui/format";
import { ErrorNote } from "@/components/ui/notice";
import { Skeleton } from "@/components/ui/spinner";
import { StatusBadge } from "@/components/ui/status-badge";
import { Composer } from "./composer";
import { HandBackDialog } from "./hand-back-dialog";
import { ContactTags } from "./contact-tags";
import { MessageMedia } from "./message-media";
import { StateBadge } from "./state-badge";

/** How often an open conversation looks for new messages and statuses. */
const LIVE_MS = 1500;

export function ConversationView({ conversationId, canAct, canTag }: { conversationId: string; canAct: boolean; canTag: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const conversation = useQuery({ ...trpc.conversations.get.queryOptions({ conversationId }), refetchInterval: LIVE_MS });
  const [confirmTakeOver, setConfirmTakeOver] = useState(false);
  const [handingBack, setHandingBack] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.conversations.get.queryKey({ conversationId }) });
  const takeOver = useMutation(trpc.conversations.takeOver.mutationOptions({ onSuccess: refresh }));
  const transcriptEnd = useRef<HTMLDivElement>(null);
  const newest = conversation.data?.messages.at(-1)?.id;
  useEffect(() => {
    transcriptEnd.current?.scrollIntoView({ block: "end" });
  }, [newest]);

  if (conversation.isPending) {
    return (
      <div className="space-y-3 p-4" role="status" aria-label="Loading the conversation">
        <Skeleton className="h-10 w-80" />
        <Skeleton className="h-96 w-full" />
      </div>
    );
  }
  if (conversation.isError && !conversation.data) {
    return (
      <ErrorNote className="m-4">
        {errorCode(conversation.error) === "NOT_FOUND" ? "This conversation does not exist in your workspace." : `Could not load it: ${errorMessage(conversation.error)}`}
      </ErrorNote>
    );
  }
  const data = conversation.data;
  const lastRun = data.runs[0];

  return (
    <div className="flex h-full min-h-0">
      <section className="flex min-w-0 flex-1 flex-col" aria-label="Conversation">
        <header className="flex flex-wrap items-center gap-3 border-b border-slate-200 bg-white px-4 py-2">
          <div className="min-w-0">
            <h1 className="truncate font-semibold text-slate-900" data-testid="conversation-contact">
              {data.contact.name ?? "Unknown contact"} {data.contact.number ? <span className="font-mono text-sm font-normal text-slate-500">{data.contact.number}</span> : null}
            </h1>
            <p className="text-xs text-slate-500">
              on {data.channel.name} ·{" "}
              {data.window.closesAt ? (
                data.window.open ? (
                  <span title={formatDateTime(data.window.closesAt)}>24-hour window open until {formatTime(data.window.closesAt)}</span>
                ) : (
                  <span className="text-amber-700">24-hour window closed: only templates reach this contact</span>
                )
              ) : (
                "the contact has not written yet"
              )}
            </p>
            <ContactTags contactId={data.contact.id} tags={data.contact.tags} canEdit={canTag} onSaved={refresh} />
          </div>
          <StateBadge state={data.state} />
          {canAct ? (
            <div className="ml-auto flex gap-2">
              {data.handoff ? (
                <Button variant="primary" onClick={() => setHandingBack(true)} data-testid="hand-back">
                  Hand back to the bot
                </Button>
              ) : (
                <Button variant="primary" onClick={() => setConfirmTakeOver(true)} disabled={takeOver.isPending} data-testid="take-over">
                  {takeOver.isPending ? "Taking over…" : "Take over"}
                </Button>
              )}
            </div>
          ) : null}
        </header>
        {takeOver.isError ? <ErrorNote className="m-2">{errorMessage(takeOver.error)}</ErrorNote> : null}
        {data.handoff ? (
          <p className="border-b border-violet-200 bg-violet-50 px-4 py-2 text-sm text-violet-900" data-testid="handoff-banner">
            <span className="font-medium">{data.handoff.by ? `${data.handoff.by} is answering` : "Handed off to a person"}</span> since {formatDateTime(data.handoff.since)}
            {data.handoff.reason && !data.handoff.by ? ` — ${data.handoff.reason}` : ""}. The bot stays quiet until the conversation is handed back.
          </p>
        ) : null}

        <div className="min-h-0 flex-1 overflow-y-auto bg-chat-bg p-4">
          {data.olderMessages > 0 ? <p className="mb-3 text-center text-xs text-slate-500">{data.olderMessages} older messages not shown</p> : null}
          {data.messages.length === 0 ? <p className="text-center text-sm text-slate-500">No messages yet.</p> : null}
          <ol className="space-y-2">
            {data.messages.map((message) => {
              const inbound = message.direction === "inbound";
              return (
                <li key={message.id} data-testid="inbox-message" data-direction={message.direction} className={`flex ${inbound ? "justify-start" : "justify-end"}`}>
                  <div className={`max-w-[75%] rounded-lg px-2.5 py-1.5 text-sm shadow-sm ${inbound ? "rounded-tl-none bg-white" : "rounded-tr-none bg-chat-out"}`}>
                    {message.sentBy ? <div className="mb-0.5 text-xs font-medium text-violet-700">{message.sentBy}</div> : null}
                    {message.media ? <MessageMedia media={message.media} /> : null}
                    {message.text !== null || !message.media ? (
                      <div className="whitespace-pre-wrap break-words">{message.text ?? <span className="italic text-slate-500">[{message.type}]</span>}</div>
                    ) : null}
                    {message.unsupported ? (
                      <div className="mt-0.5 text-xs text-slate-500" data-testid="message-unsupported">
                        Parley cannot show this message: {message.unsupported}
                      </div>
                    ) : null}
                    {message.status === "failed" ? <DeliveryFailure error={message.error} /> : null}
                    <div className="mt-0.5 flex items-center justify-end gap-2 text-[10px] text-slate-500">
                      {message.runId && !inbound ? (
                        <Link href={`/runs/${message.runId}`} className="font-mono underline decoration-dotted hover:text-brand-700" data-testid="message-run-link" title="The run that sent this">
                          {message.nodeId ?? "run"}
                        </Link>
                      ) : null}
                      <span title={formatDateTime(message.at)}>{formatTime(message.at)}</span>
                      {inbound ? null : <DeliveryStatus status={message.status} error={message.error} />}
                    </div>
                  </div>
                </li>
              );
            })}
          </ol>
          <div ref={transcriptEnd} />
        </div>

        {canAct && data.handoff ? <Composer conversationId={conversationId} windowOpen={data.window.open} onSent={refresh} /> : null}
        {canAct && !data.handoff ? <p className="border-t border-slate-200 bg-white px-4 py-2 text-sm text-slate-500">The bot answers this conversation. Take over to write yourself.</p> : null}
      </section>

      <aside className="hidden w-72 shrink-0 overflow-y-auto border-l border-slate-200 bg-white p-3 xl:block" aria-label="Runs of this conversation">
        <h2 className="mb-2 text-sm font-semibold">Runs</h2>
        {data.runs.length === 0 ? <p className="text-sm text-slate-500">No flow has run here yet.</p> : null}
        <ul className="space-y-2">
          {data.runs.map((run) => (
            <li key={run.id}>
              <Link href={`/runs/${run.id}`} data-testid="conversation-run" className="block rounded-lg border border-slate-200 p-2 text-sm hover:border-brand-300 hover:bg-slate-50">
                <div className="flex items-center gap-2">
                  <span className="truncate font-medium">{run.flow.name}</span>
                  <span className="text-xs text-slate-500">v{run.version}</span>
                  <span className="ml-auto">
                    <StatusBadge status={run.status} />
                  </span>
                </div>
                <div className="mt-0.5 text-xs text-slate-500">
                  {formatRelative(run.startedAt)}
                  {run.waitingNodeId ? ` · waiting at ${run.waitingNodeId}` : ""}
                </div>
              </Link>
            </li>
          ))}
        </ul>
      </aside>

      <ConfirmDialog
        open={confirmTakeOver}
        title="Take over from the bot?"
        confirmLabel="Take over"
        onCancel={() => setConfirmTakeOver(false)}
        onConfirm={() => {
          setConfirmTakeOver(false);
          takeOver.mutate({ conversationId });
        }}
      >
        The bot&apos;s current run stops and the bot stays quiet in this conversation until you hand it back. You then write to the contact yourself.
      </ConfirmDialog>
      {handingBack ? (
        <HandBackDialog
          conversationId={conversationId}
          lastRun={lastRun ?? null}
          onClose={() => setHandingBack(false)}
          onDone={() => {
            setHandingBack(false);
            refresh();
          }}
        />
      ) : null}
    </div>
  );
}
