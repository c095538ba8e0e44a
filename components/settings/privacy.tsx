"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { formatDateTime } from "@/components/ui/format";
import { EmptyState, ErrorNote } from "@/components/ui/notice";

/** Retention period, and a contact's data on request: export as JSON, delete or anonymise. */
export function Privacy() {
  return (
    <div className="space-y-10">
      <RetentionSetting />
      <ContactRequests />
    </div>
  );
}

function RetentionSetting() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.privacy.settings.queryOptions());
  const [days, setDays] = useState("");
  useEffect(() => {
    if (settings.data) setDays(settings.data.retentionDays?.toString() ?? "");
  }, [settings.data]);
  const save = useMutation(trpc.privacy.setRetention.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.privacy.settings.queryKey() }) }));

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate({ retentionDays: days.trim() === "" ? null : Number(days) });
  }

  return (
    <section className="space-y-3">
      <h2 className="text-base font-semibold">Retention</h2>
      <p className="max-w-2xl text-sm text-slate-600">
        Conversations whose last message is older than this are deleted every night at 03:30 UTC, with their messages and runs. Leave empty to keep
        everything.
      </p>
      <form onSubmit={submit} className="flex items-end gap-2">
        <label className="text-sm">
          <span className="mb-1 block font-medium text-slate-700">Keep conversations for (days)</span>
          <input type="number" min={1} max={3650} value={days} onChange={(event) => setDays(event.target.value)} placeholder="forever" className="field w-40" />
        </label>
        <Button type="submit" variant="primary" disabled={save.isPending || settings.isPending}>
          {save.isPending ? "Saving…" : "Save"}
        </Button>
        {save.isSuccess ? <span className="pb-1.5 text-sm text-emerald-700">Saved.</span> : null}
      </form>
      {settings.isError ? <ErrorNote>{errorMessage(settings.error)}</ErrorNote> : null}
      {save.isError ? <ErrorNote>{errorMessage(save.error)}</ErrorNote> : null}
    </section>
  );
}

function ContactRequests() {
  const trpc = useTRPC();
  const [query, setQuery] = useState("");
  const [submitted, setSubmitted] = useState("");
  const [erasing, setErasing] = useState<{ id: string; label: string; mode: "delete" | "anonymise" } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const contacts = useQuery({ ...trpc.privacy.findContacts.queryOptions({ query: submitted }), enabled: submitted.length >= 2 });
  const exportContact = useMutation(
    trpc.privacy.exportContact.mutationOptions({
      onSuccess: (data) => {
        const link = document.createElement("a");
        link.href = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
        link.download = `contact-${data.contact.whatsappId ?? data.contact.id}.json`;
        link.click();
        URL.revokeObjectURL(link.href);
      },
    }),
  );
  const erase = useMutation(
    trpc.privacy.eraseContact.mutationOptions({
      onSuccess: (_, variables) => {
        setDone(variables.mode === "delete" ? "The contact and everything about them is deleted." : "The contact is anonymised.");
        void contacts.refetch();
      },
    }),
  );

  return (
    <section className="space-y-3">
      <h2 className="text-base font-semibold">A contact&apos;s data</h2>
      <p className="max-w-2xl text-sm text-slate-600">When someone asks what you hold about them, or to be forgotten: find them by number or name.</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setDone(null);
          setSubmitted(query.trim());
        }}
        className="flex max-w-xl gap-2"
      >
        <input value={query} onChange={(event) => setQuery(event.target.value)} placeholder="+34 600 000 001 or a name" aria-label="Find a contact" className="field flex-1" />
        <Button type="submit">Find</Button>
      </form>
      {done ? (
        <p role="status" className="text-sm text-emerald-700">
          {done}
        </p>
      ) : null}
      {contacts.isError ? <ErrorNote>{errorMessage(contacts.error)}</ErrorNote> : null}
      {exportContact.isError ? <ErrorNote>{errorMessage(exportContact.error)}</ErrorNote> : null}
      {erase.isError ? <ErrorNote>{errorMessage(erase.error)}</ErrorNote> : null}
      {contacts.data && contacts.data.length === 0 ? (
        <div className="rounded-xl border border-slate-200 bg-white">
          <EmptyState title="No contact matches" icon="🔎">
            Try the number with its country code, without spaces.
          </EmptyState>
        </div>
      ) : null}
      {contacts.data && contacts.data.length > 0 ? (
        <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white">
          {contacts.data.map((contact) => {
            const label = contact.name ?? (contact.waId ? `+${contact.waId}` : contact.bsuid ?? contact.id);
            return (
              <li key={contact.id} className="flex flex-wrap items-center gap-3 px-4 py-3 text-sm" data-testid="privacy-contact">
                <span className="min-w-0 flex-1">
                  <span className="font-medium">{label}</span>
                  {contact.waId && contact.name ? <span className="ml-2 text-slate-500">+{contact.waId}</span> : null}
                  <span className="ml-2 text-xs text-slate-400">
                    {contact._count.conversations} conversation{contact._count.conversations === 1 ? "" : "s"} · since {formatDateTime(contact.createdAt)}
                  </span>
                </span>
                <Button onClick={() => exportContact.mutate({ contactId: contact.id })} disabled={exportContact.isPending}>
                  Export JSON
                </Button>
                <Button onClick={() => setErasing({ id: contact.id, label, mode: "anonymise" })}>Anonymise</Button>
                <Button variant="danger" onClick={() => setErasing({ id: contact.id, label, mode: "delete" })}>
                  Delete
                </Button>
              </li>
            );
          })}
        </ul>
      ) : null}
      <ConfirmDialog
        open={erasing !== null}
        title={erasing?.mode === "delete" ? `Delete ${erasing.label} and everything about them?` : `Anonymise ${erasing?.label}?`}
        confirmLabel={erasing?.mode === "delete" ? "Delete for good" : "Anonymise"}
        danger
        onCancel={() => setErasing(null)}
        onConfirm={() => {
          if (erasing) erase.mutate({ contactId: erasing.id, mode: erasing.mode });
          setErasing(null);
        }}
      >
        {erasing?.mode === "delete"
          ? "Their conversations, messages and runs are deleted. This cannot be undone."
          : "Their name, number, messages' text, variables and step details are removed; counts and run paths stay for analytics. This cannot be undone."}
      </ConfirmDialog>
    </section>
  );
}
