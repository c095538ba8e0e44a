"use client";
// One WhatsApp-like chat bubble, shared by the simulator page and the canvas's test panel.
import { formatTime } from "@/components/ui/format";
import type { CustomerMessage } from "@/server/simulator/phone";
import { viewMessage, type ChatButton } from "./message-view";

/** What the customer's phone shows for a message it is sending. */
export function pendingBody(message: CustomerMessage) {
  if (message.kind === "text") return { type: "text", text: { body: message.text } };
  if (message.kind === "media") return { type: "document", document: { filename: message.fileName, caption: message.caption } };
  if (message.kind === "template") return { type: "button", button: { payload: message.id, text: message.title } };
  const reply = { id: message.id, title: message.title };
  return { type: "interactive", interactive: message.kind === "list" ? { type: "list_reply", list_reply: reply } : { type: "button_reply", button_reply: reply } };
}

export function Bubble({
  mine,
  body,
  at,
  pending = false,
  disabled = true,
  onButton,
}: {
  mine: boolean;
  body: unknown;
  at?: Date | string;
  pending?: boolean;
  disabled?: boolean;
  onButton?: (button: ChatButton) => void;
}) {
  const view = viewMessage(body);
  return (
    <div className={`flex ${mine ? "justify-end" : "justify-start"}`}>
      <div
        data-testid={mine ? "chat-message-customer" : "chat-message-business"}
        className={`max-w-[80%] rounded-lg px-2.5 pb-1 pt-1.5 text-sm text-slate-900 shadow-sm ${mine ? "rounded-tr-none bg-chat-out" : "rounded-tl-none bg-white"} ${pending ? "opacity-70" : ""}`}
      >
        {view.header ? <div className="mb-0.5 font-semibold">{view.header}</div> : null}
        {view.link ? (
          <a href={view.link.url} target="_blank" rel="noreferrer" className="block break-all text-[#027eb5] underline" data-testid="chat-media-link">
            {view.link.label}
          </a>
        ) : null}
        {view.text !== null ? <div className="whitespace-pre-wrap break-words">{view.text}</div> : null}
        {view.note ? <div className="italic text-slate-500">{view.note}</div> : null}
        {view.footer ? <div className="mt-0.5 text-xs text-slate-500">{view.footer}</div> : null}
        <div className="mt-0.5 text-right text-[10px] text-slate-500">{pending ? "sending…" : at ? formatTime(at) : ""}</div>
        {view.buttons.length > 0 ? (
          <div className="-mx-2.5 mt-1 divide-y divide-slate-200 border-t border-slate-200">
            {view.buttons.map((button) => (
              <button
                key={button.id}
                type="button"
                data-testid="chat-button"
                disabled={disabled}
                onClick={() => onButton?.(button)}
                className="block w-full px-2 py-1.5 text-center text-sm font-medium text-[#027eb5] hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-[#027eb5] disabled:text-slate-400"
              >
                {button.title}
              </button>
            ))}
          </div>
        ) : null}
      </div>
    </div>
  );
}

export function TypingBubble() {
  return (
    <div className="flex justify-start" data-testid="chat-typing">
      <div className="rounded-lg rounded-tl-none bg-white px-3 py-2 text-sm text-slate-500 shadow-sm">
        <span className="inline-flex gap-1" aria-label="The bot is typing">
          <span className="size-1.5 animate-bounce rounded-full bg-slate-400" />
          <span className="size-1.5 animate-bounce rounded-full bg-slate-400 [animation-delay:150ms]" />
          <span className="size-1.5 animate-bounce rounded-full bg-slate-400 [animation-delay:300ms]" />
        </span>
      </div>
    </div>
  );
}
