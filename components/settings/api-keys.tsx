"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import { EmptyState, ErrorNote } from "@/components/ui/notice";
import { TableSkeleton } from "@/components/ui/spinner";

/** Keys other systems use to post events that start flows (POST /api/events). */
export function ApiKeys() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.apiKeys.list.queryOptions());
  const [name, setName] = useState("");
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [revoking, setRevoking] = useState<{ id: string; name: string } | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: (result) => {
        setCreated({ name, key: result.key });
        setName("");
        void refresh();
      },
    }),
  );
  const revoke = useMutation(trpc.apiKeys.revoke.mutationOptions({ onSuccess: () => void refresh() }));

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ name });
  }

  return (
    <section className="space-y-6">
      <p className="max-w-2xl text-sm text-slate-600">
        Other systems (your shop, your booking tool) start flows that begin with <strong>When an event arrives</strong> by posting to{" "}
        <code className="rounded bg-slate-100 px-1">/api/events</code> with one of these keys.
      </p>

      <form onSubmit={submit} className="flex max-w-xl items-end gap-2">
        <label className="flex-1 text-sm">
          <span className="mb-1 block font-medium text-slate-700">New key for</span>
          <input
            value={name}
            onChange={(event) => setName(event.target.value)}
            placeholder="e.g. Shop backend"
            maxLength={80}
            className="w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm focus:border-brand-600 focus:outline-none"
          />
        </label>
        <Button type="submit" variant="primary" disabled={create.isPending || name.trim() === ""}>
          {create.isPending ? "Creating…" : "Create key"}
        </Button>
      </form>
      {create.isError ? <ErrorNote>{errorMessage(create.error)}</ErrorNote> : null}

      {created ? (
        <div role="status" className="max-w-2xl rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm" data-testid="new-api-key">
          <p className="font-medium text-amber-900">Copy the key for “{created.name}” now: Parley keeps only its fingerprint and cannot show it again.</p>
          <div className="mt-2 flex items-center gap-2">
            <code className="flex-1 overflow-x-auto rounded bg-white px-2 py-1 font-mono text-xs">{created.key}</code>
            <Button onClick={() => void navigator.clipboard.writeText(created.key)}>Copy</Button>
            <Button variant="ghost" onClick={() => setCreated(null)}>
              Done
            </Button>
          </div>
          <pre className="mt-3 overflow-x-auto rounded bg-slate-900 p-3 text-xs text-slate-100">{`curl -X POST ${typeof window === "undefined" ? "" : window.location.origin}/api/events \\
  -H "Authorization: Bearer ${created.key}" \\
  -H "Content-Type: application/json" \\
  -d '{"event": "order.shipped", "to": "+34600000001", "data": {"order_id": "A1001"}}'`}</pre>
        </div>
      ) : null}

      {keys.isPending ? (
        <TableSkeleton label="Loading API keys" />
      ) : keys.isError ? (
        <ErrorNote>Could not load the keys: {errorMessage(keys.error)}</ErrorNote>
      ) : keys.data.length === 0 ? (
        <div className="rounded-xl border border-slate-200 bg-white">
          <EmptyState title="No API keys yet" icon="🔑">
            Create one for each system that posts events, so you can revoke one without touching the others.
          </EmptyState>
        </div>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
          <table className="w-full text-left text-sm">
            <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">Name</th>
                <th scope="col" className="px-4 py-2 font-medium">Key</th>
                <th scope="col" className="px-4 py-2 font-medium">Created</th>
                <th scope="col" className="px-4 py-2 font-medium">Last used</th>
                <th scope="col" className="px-4 py-2" />
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {keys.data.map((key) => (
                <tr key={key.id} data-testid="api-key-row" className={key.revokedAt ? "text-slate-400" : ""}>
                  <td className="px-4 py-2.5 font-medium">{key.name}</td>
                  <td className="px-4 py-2.5 font-mono text-xs">{key.prefix}…</td>
                  <td className="px-4 py-2.5">{formatDateTime(key.createdAt)}</td>
                  <td className="px-4 py-2.5">{key.lastUsedAt ? formatRelative(key.lastUsedAt) : "never"}</td>
                  <td className="px-4 py-2.5 text-right">
                    {key.revokedAt ? (
                      <span className="text-xs">revoked {formatRelative(key.revokedAt)}</span>
                    ) : (
                      <Button variant="ghost" onClick={() => setRevoking({ id: key.id, name: key.name })}>
                        Revoke
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {revoke.isError ? <ErrorNote>{errorMessage(revoke.error)}</ErrorNote> : null}

      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke “${revoking?.name}”?`}
        confirmLabel="Revoke key"
        danger
        onCancel={() => setRevoking(null)}
        onConfirm={() => {
          if (revoking) revoke.mutate({ id: revoking.id });
          setRevoking(null);
        }}
      >
        Systems using this key get “401 Unauthorized” from now on. This cannot be undone.
      </ConfirmDialog>
    </section>
  );
}
