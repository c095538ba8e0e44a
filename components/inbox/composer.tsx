"use client";
// Writing to the contact by hand. Each message carries a key chosen here, so sending it
// again after an error (or a double press) never reaches the contact twice.
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { Button } from "@/components/ui/button";
import { ErrorNote } from "@/components/ui/notice";

export function Composer({ conversationId, windowOpen, onSent }: { conversationId: string; windowOpen: boolean; onSent: () => void }) {
  const trpc = useTRPC();
  const [text, setText] = useState("");
  const [clientKey, setClientKey] = useState(() => crypto.randomUUID());
  const send = useMutation(
    trpc.conversations.send.mutationOptions({
      onSuccess: () => {
        setText("");
        setClientKey(crypto.randomUUID());
        onSent();
      },
    }),
  );
  if (!windowOpen) {
    return (
      <p className="border-t border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900" data-testid="composer-window-closed">
        The contact last wrote more than 24 hours ago: WhatsApp only delivers approved templates now. You can write again once they reply.
      </p>
    );
  }
  const submit = () => {
    if (text.trim() && !send.isPending) send.mutate({ conversationId, message: { text, clientKey } });
  };
  return (
    <form
      className="border-t border-slate-200 bg-white p-3"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      {send.isError ? <ErrorNote className="mb-2">{errorMessage(send.error)}</ErrorNote> : null}
      <div className="flex items-end gap-2">
        <textarea
          className="field min-h-10 flex-1 resize-y"
          rows={2}
          maxLength={4096}
          placeholder="Write to the contact (Enter sends, Shift+Enter for a new line)"
          aria-label="Message to the contact"
          data-testid="composer-text"
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            // A changed text is a new message: it gets a key of its own.
            if (send.isError) {
              send.reset();
              setClientKey(crypto.randomUUID());
            }
          }}
          onKeyDown={(event) => {
            if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
              event.preventDefault();
              submit();
            }
          }}
        />
        <Button type="submit" variant="primary" disabled={!text.trim() || send.isPending} data-testid="composer-send">
          {send.isPending ? "Sending…" : "Send"}
        </Button>
      </div>
    </form>
  );
}
