"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { formatRelative } from "@/components/ui/format";
import { EmptyState, ErrorNote } from "@/components/ui/notice";
import { TableSkeleton } from "@/components/ui/spinner";

interface SecretAddress {
  nodeType: string;
  name: string;
  label: string;
}

/** The secrets installed node types declare (API keys of their integrations): store, replace or remove; never shown again. */
export function NodeSecrets() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const secrets = useQuery(trpc.nodeSecrets.list.queryOptions());
  const [removing, setRemoving] = useState<SecretAddress | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.nodeSecrets.list.queryKey() });
  const remove = useMutation(trpc.nodeSecrets.remove.mutationOptions({ onSuccess: () => void refresh() }));

  return (
    <section className="space-y-6">
      <p className="max-w-2xl text-sm text-slate-600">
        Some node types call other services (a shop, a spreadsheet) and need a key for them. Values are stored encrypted and used only while a flow
        runs: nobody can read them back here, only replace or remove them.
      </p>
      {secrets.isPending ? (
        <TableSkeleton label="Loading node secrets" />
      ) : secrets.isError ? (
        <ErrorNote>Could not load the node secrets: {errorMessage(secrets.error)}</ErrorNote>
      ) : secrets.data.length === 0 ? (
        <div className="rounded-xl border border-slate-200 bg-white">
          <EmptyState title="No installed node type needs a secret" icon="🔐">
            Node types that call other services (from a node package, for example) list the keys they need here.
          </EmptyState>
        </div>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white shadow-sm">
          {secrets.data.map((secret) => (
            <li key={`${secret.nodeType}.${secret.name}`} className="space-y-2 px-4 py-3" data-testid="node-secret-row">
              <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
                <span className="font-medium text-slate-900">{secret.label}</span>
                <span className="text-xs text-slate-500">
                  <span aria-hidden>{secret.nodeIcon}</span> {secret.nodeTitle}
                </span>
                <span className="ml-auto text-xs" data-testid="node-secret-status">
                  {secret.stored ? (
                    <span className="text-emerald-700">
                      stored{secret.stored.last4 ? ` (…${secret.stored.last4})` : ""}, updated {formatRelative(secret.stored.updatedAt)}
                    </span>
                  ) : (
                    <span className="text-amber-700">not set: nodes that need it take their error output</span>
                  )}
                </span>
              </div>
              {secret.description ? <p className="text-xs text-slate-500">{secret.description}</p> : null}
              <SecretForm
                address={secret}
                stored={secret.stored !== null}
                onSaved={() => void refresh()}
                onRemove={() => setRemoving({ nodeType: secret.nodeType, name: secret.name, label: secret.label })}
              />
            </li>
          ))}
        </ul>
      )}
      {remove.isError ? <ErrorNote>{errorMessage(remove.error)}</ErrorNote> : null}
      <ConfirmDialog
        open={removing !== null}
        title={`Remove “${removing?.label}”?`}
        confirmLabel="Remove secret"
        danger
        onCancel={() => setRemoving(null)}
        onConfirm={() => {
          if (removing) remove.mutate({ nodeType: removing.nodeType, name: removing.name });
          setRemoving(null);
        }}
      >
        Nodes that use it take their error output until a new value is stored.
      </ConfirmDialog>
    </section>
  );
}

function SecretForm({ address, stored, onSaved, onRemove }: { address: SecretAddress; stored: boolean; onSaved: () => void; onRemove: () => void }) {
  const trpc = useTRPC();
  const [value, setValue] = useState("");
  const save = useMutation(
    trpc.nodeSecrets.set.mutationOptions({
      onSuccess: () => {
        setValue("");
        onSaved();
      },
    }),
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate({ nodeType: address.nodeType, name: address.name, value });
  }
  const inputId = `secret-${address.nodeType}-${address.name}`;
  return (
    <form onSubmit={submit} className="flex max-w-2xl flex-wrap items-center gap-2">
      <label htmlFor={inputId} className="sr-only">
        {stored ? `New value for ${address.label}` : address.label}
      </label>
      <input
        id={inputId}
        type="password"
        autoComplete="off"
        spellCheck={false}
        value={value}
        onChange={(event) => setValue(event.target.value)}
        placeholder={stored ? "Paste a new value to replace it" : "Paste the value"}
        className="min-w-0 flex-1 rounded-md border border-slate-300 px-3 py-1.5 font-mono text-sm focus:border-brand-600 focus:outline-none"
      />
      <Button type="submit" variant="primary" disabled={save.isPending || value.trim() === ""}>
        {save.isPending ? "Saving…" : stored ? "Replace" : "Save"}
      </Button>
      {stored ? (
        <Button variant="ghost" className="text-red-700 hover:bg-red-50" onClick={onRemove}>
          Remove
        </Button>
      ) : null}
      {save.isError ? <ErrorNote className="w-full">{errorMessage(save.error)}</ErrorNote> : null}
    </form>
  );
}
