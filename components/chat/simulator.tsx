"use client";
import type { CustomerMessage } from "@/server/simulator/phone";
import { MAX_SIMULATED_MEDIA_BYTES } from "@/server/simulator/limits";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { ErrorNote } from "@/components/ui/notice";
import { Spinner } from "@/components/ui/spinner";
import { Bubble, pendingBody, TypingBubble } from "./bubble";
import { SendDrill } from "./send-drill";

const WA_ID = /^\d{6,15}$/;
/** How long "typing…" shows after a message while no answer has come. */
const TYPING_MS = 10_000;

type Outgoing = CustomerMessage;

export function Simulator() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const channels = useQuery(trpc.simulator.channels.queryOptions());
  const [channelId, setChannelId] = useState<string | null>(null);
  const [name, setName] = useState("Ana");
  const [waId, setWaId] = useState("15550001111");
  const [draft, setDraft] = useState("");
  const [attachError, setAttachError] = useState<string | null>(null);
  const [confirmClear, setConfirmClear] = useState(false);
  const [waitingSince, setWaitingSince] = useState<number | null>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);

  const channel = channels.data?.find((c) => c.id === channelId) ?? channels.data?.[0];
  const waIdValid = WA_ID.test(waId);
  const nameValid = name.trim().length > 0 && name.trim().length <= 60;
  const ready = Boolean(channel) && waIdValid && nameValid;

  const transcriptInput = { channelId: channel?.id ?? "", waId };
  const transcript = useQuery({
    ...trpc.simulator.transcript.queryOptions(transcriptInput),
    enabled: Boolean(channel) && waIdValid,
    refetchInterval: 1000,
    staleTime: 0,
  });

  const send = useMutation(
    trpc.simulator.send.mutationOptions({
      onMutate: () => setWaitingSince(Date.now()),
      onSettled: () => void queryClient.invalidateQueries({ queryKey: trpc.simulator.transcript.queryKey(transcriptInput) }),
      onError: () => setWaitingSince(null),
    }),
  );
  const clear = useMutation(
    trpc.simulator.clear.mutationOptions({
      onSuccess: () => {
        setWaitingSince(null);
        void queryClient.invalidateQueries({ queryKey: trpc.simulator.transcript.queryKey(transcriptInput) });
      },
    }),
  );

  const messages = transcript.data ?? [];
  const lastBusinessAt = messages.filter((m) => m.direction === "business").at(-1)?.at;
  const botAnswered = waitingSince !== null && lastBusinessAt !== undefined && new Date(lastBusinessAt).getTime() >= waitingSince - 500;
  const typing = send.isPending || (waitingSince !== null && !botAnswered);

  useEffect(() => {
    if (waitingSince === null) return;
    const timer = setTimeout(() => setWaitingSince(null), TYPING_MS);
    return () => clearTimeout(timer);
  }, [waitingSince]);
  useEffect(() => {
    if (botAnswered) setWaitingSince(null);
  }, [botAnswered]);

  // Keep the newest message in view.
  const count = messages.length;
  useEffect(() => {
    const list = listRef.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [count, typing]);

  function sendMessage(message: Outgoing) {
    if (!channel || !ready) return;
    send.mutate({ channelId: channel.id, customer: { waId, name: name.trim() }, message });
  }

  /** Sends a file as the customer, with what is typed as its caption. */
  async function attach(file: File) {
    setAttachError(null);
    if (file.size > MAX_SIMULATED_MEDIA_BYTES) return setAttachError(`${file.name} is over the simulator's ${MAX_SIMULATED_MEDIA_BYTES / 1024 / 1024} MB.`);
    const bytes = new Uint8Array(await file.arrayBuffer());
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    sendMessage({ kind: "media", fileName: file.name, mimeType: file.type || "application/octet-stream", dataBase64: btoa(binary), caption: draft.trim() || undefined });
    setDraft("");
  }

  function submit(event?: FormEvent) {
    event?.preventDefault();
    const text = draft.trim();
    if (!text || send.isPending) return;
    sendMessage({ kind: "text", text });
    setDraft("");
    inputRef.current?.focus();
  }

  const pending = send.isPending ? send.variables?.message : undefined;

  return (
    <main className="flex h-full flex-col gap-4 p-4 lg:flex-row lg:items-stretch lg:justify-center">
      <section aria-labelledby="sim-settings" className="shrink-0 space-y-4 rounded-xl border border-slate-200 bg-white p-4 lg:w-72">
        <h1 id="sim-settings" className="text-base font-semibold">
          WhatsApp simulator
        </h1>
        <p className="text-sm text-slate-500">Chat with your published flows as a customer would. Messages go through the real webhook, so each conversation shows up in Runs.</p>
        {channels.isPending ? <Spinner label="Loading channels" /> : null}
        {channels.isError ? <ErrorNote>Could not load the channels: {errorMessage(channels.error)}</ErrorNote> : null}
        {channels.data && channels.data.length === 0 ? <ErrorNote>No simulator channel in this workspace. `npm start` creates one named “Simulator”.</ErrorNote> : null}
        {channels.data && channels.data.length > 1 ? (
          <div className="space-y-1">
            <label htmlFor="sim-channel" className="block text-xs font-medium text-slate-700">
              Channel
            </label>
            <select id="sim-channel" className="field" value={channel?.id ?? ""} onChange={(e) => setChannelId(e.target.value)}>
              {channels.data.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} {c.displayPhoneNumber ? `(${c.displayPhoneNumber})` : ""}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <div className="space-y-1">
          <label htmlFor="sim-name" className="block text-xs font-medium text-slate-700">
            Customer name
          </label>
          <input id="sim-name" className="field" value={name} maxLength={60} aria-invalid={!nameValid || undefined} onChange={(e) => setName(e.target.value)} />
          {!nameValid ? <p className="text-xs text-red-700">Give the customer a name.</p> : null}
        </div>
        <div className="space-y-1">
          <label htmlFor="sim-number" className="block text-xs font-medium text-slate-700">
            Customer number
          </label>
          <input
            id="sim-number"
            className="field font-mono"
            inputMode="numeric"
            value={waId}
            aria-invalid={!waIdValid || undefined}
            aria-describedby="sim-number-help"
            onChange={(e) => setWaId(e.target.value.replace(/[^\d]/g, ""))}
          />
          <p id="sim-number-help" className={`text-xs ${waIdValid ? "text-slate-500" : "text-red-700"}`}>
            International format, digits only (6 to 15). Each number is its own conversation.
          </p>
        </div>
        <Button variant="secondary" className="w-full" disabled={!ready || clear.isPending || messages.length === 0} onClick={() => setConfirmClear(true)}>
          {clear.isPending ? "Clearing…" : "Clear chat"}
        </Button>
        {clear.isError ? <ErrorNote>Could not clear: {errorMessage(clear.error)}</ErrorNote> : null}
        {channel ? <SendDrill channelId={channel.id} /> : null}
      </section>

      <section aria-label="Chat" className="flex min-h-[480px] w-full flex-1 flex-col overflow-hidden rounded-xl border border-slate-300 shadow-sm lg:max-w-md">
        <header className="flex items-center gap-3 bg-[#008069] px-4 py-2.5 text-white">
          <div aria-hidden className="flex size-9 items-center justify-center rounded-full bg-white/20 text-lg">
            🤖
          </div>
          <div className="min-w-0">
            <div className="truncate font-medium" data-testid="chat-channel-name">
              {channel?.name ?? "No channel"}
            </div>
            <div className="truncate text-xs text-white/80">{typing ? "typing…" : (channel?.displayPhoneNumber ?? "")}</div>
          </div>
        </header>
        <div
          ref={listRef}
          className="flex-1 space-y-1.5 overflow-y-auto bg-chat-bg px-3 py-3"
          role="log"
          aria-live="polite"
          aria-label="Messages"
          style={{ backgroundImage: "radial-gradient(rgba(0,0,0,0.035) 1px, transparent 1px)", backgroundSize: "14px 14px" }}
        >
          {transcript.isError ? <ErrorNote>Could not load the chat: {errorMessage(transcript.error)}</ErrorNote> : null}
          {transcript.isLoading ? (
            <div className="flex justify-center py-8">
              <Spinner label="Loading the chat" />
            </div>
          ) : null}
          {transcript.isSuccess && messages.length === 0 && !pending ? (
            <div className="mx-auto mt-10 max-w-xs rounded-lg bg-[#fff5c4] px-4 py-3 text-center text-sm text-slate-700 shadow-sm" data-testid="chat-empty">
              <p className="font-medium">Say hi to start the demo flow</p>
              <p className="mt-1 text-xs text-slate-600">Type a message below as {name.trim() || "the customer"}; the bot’s answers appear here.</p>
            </div>
          ) : null}
          {messages.map((message) => (
            <Bubble
              key={message.id}
              mine={message.direction === "customer"}
              body={message.body}
              at={message.at}
              disabled={!ready || send.isPending}
              onButton={(button) => sendMessage(button)}
            />
          ))}
          {pending ? (
            <Bubble mine pending body={pendingBody(pending)} />
          ) : null}
          {typing && !send.isPending ? <TypingBubble /> : null}
        </div>
        {attachError ? (
          <div role="alert" className="border-t border-red-200 bg-red-50 px-3 py-2 text-xs text-red-800">
            {attachError}
          </div>
        ) : null}
        {send.isError ? (
          <div role="alert" className="border-t border-red-200 bg-red-50 px-3 py-2 text-xs text-red-800" data-testid="chat-error">
            Not sent: {errorMessage(send.error)}
          </div>
        ) : null}
        <form onSubmit={submit} className="flex items-end gap-2 bg-[#f0f2f5] px-3 py-2">
          <label htmlFor="chat-input" className="sr-only">
            Message
          </label>
          <textarea
            id="chat-input"
            ref={inputRef}
            data-testid="chat-input"
            rows={1}
            maxLength={4096}
            placeholder={ready ? "Type a message" : "Choose a channel and customer first"}
            disabled={!ready}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
                e.preventDefault();
                submit();
              }
            }}
            className="max-h-32 min-h-10 flex-1 resize-none rounded-lg border-0 bg-white px-3 py-2 text-sm shadow-xs focus:outline-2 focus:outline-[#008069]/40"
          />
          <label
            className={`flex size-10 shrink-0 cursor-pointer items-center justify-center rounded-full text-slate-600 hover:bg-slate-200 focus-within:outline-2 focus-within:outline-[#008069] ${!ready || send.isPending ? "pointer-events-none opacity-50" : ""}`}
            title="Send a photo, video, voice note or document (what you typed becomes its caption)"
          >
            <span className="sr-only">Attach a file</span>
            <span aria-hidden>📎</span>
            <input
              type="file"
              data-testid="chat-attach"
              className="sr-only"
              accept="image/jpeg,image/png,video/mp4,audio/ogg,audio/mpeg,audio/mp4,application/pdf,text/plain,.docx,.xlsx"
              disabled={!ready || send.isPending}
              onChange={(event) => {
                const file = event.target.files?.[0];
                event.target.value = "";
                if (file) void attach(file);
              }}
            />
          </label>
          <button
            type="submit"
            data-testid="chat-send"
            disabled={!ready || !draft.trim() || send.isPending}
            aria-label="Send"
            className="flex size-10 shrink-0 items-center justify-center rounded-full bg-[#008069] text-white hover:bg-[#006e5a] focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-[#008069] disabled:opacity-50"
          >
            {send.isPending ? (
              <span aria-hidden className="size-4 animate-spin rounded-full border-2 border-white/40 border-t-white" />
            ) : (
              <svg aria-hidden viewBox="0 0 24 24" className="size-5 fill-current">
                <path d="M2 21 23 12 2 3v7l15 2-15 2z" />
              </svg>
            )}
          </button>
        </form>
      </section>
      <ConfirmDialog
        open={confirmClear}
        danger
        title="Clear this chat?"
        confirmLabel="Clear chat"
        onCancel={() => setConfirmClear(false)}
        onConfirm={() => {
          setConfirmClear(false);
          if (channel) clear.mutate({ channelId: channel.id, waId });
        }}
      >
        The simulator forgets the messages of {waId}. Runs and the conversation history in Parley stay.
      </ConfirmDialog>
    </main>
  );
}
