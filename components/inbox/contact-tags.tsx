"use client";
// The contact's tags under its name: editors add one by typing and Enter, and remove one
// with its ×. Broadcasts choose their audience by these tags.
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";

export function ContactTags({ contactId, tags, canEdit, onSaved }: { contactId: string; tags: string[]; canEdit: boolean; onSaved: () => void }) {
  const trpc = useTRPC();
  const [draft, setDraft] = useState("");
  const save = useMutation(trpc.conversations.setContactTags.mutationOptions({ onSuccess: onSaved }));
  const saveTags = (next: string[]) => save.mutate({ contactId, tags: next });
  if (!canEdit && tags.length === 0) return null;
  return (
    <div className="mt-1 flex flex-wrap items-center gap-1" aria-label="Contact tags" data-testid="contact-tags">
      {tags.map((tag) => (
        <span key={tag} className="inline-flex items-center gap-0.5 rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-700">
          {tag}
          {canEdit ? (
            <button type="button" aria-label={`Remove tag ${tag}`} className="ml-0.5 text-slate-400 hover:text-slate-800" onClick={() => saveTags(tags.filter((other) => other !== tag))} disabled={save.isPending}>
              ×
            </button>
          ) : null}
        </span>
      ))}
      {canEdit ? (
        <input
          className="w-24 rounded border border-transparent px-1 py-0.5 text-xs placeholder:text-slate-400 hover:border-slate-200 focus:border-slate-300 focus:outline-none"
          placeholder="+ add tag"
          aria-label="Add a tag"
          value={draft}
          maxLength={40}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={(event) => {
            if (event.key !== "Enter" || !draft.trim()) return;
            event.preventDefault();
            saveTags([...tags, draft.trim()]);
            setDraft("");
          }}
        />
      ) : null}
      {save.isError ? <span role="alert" className="text-xs text-red-700">{errorMessage(save.error)}</span> : null}
    </div>
  );
}
