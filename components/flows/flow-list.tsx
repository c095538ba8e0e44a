"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import { EmptyState, ErrorNote } from "@/components/ui/notice";
import { TableSkeleton } from "@/components/ui/spinner";

interface ListedFlow {
  id: string;
  name: string;
  updatedAt: Date;
  archivedAt: Date | null;
  publishedVersion: number | null;
  draftChanged: boolean;
  channels: { id: string; name: string }[];
  lastRunAt: Date | null;
  runs24h: number;
}

export function FlowList({ canEdit }: { canEdit: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [archived, setArchived] = useState(false);
  const flows = useQuery(trpc.flows.list.queryOptions({ archived }));
  const [renaming, setRenaming] = useState<ListedFlow | null>(null);
  const [archiving, setArchiving] = useState<ListedFlow | null>(null);
  const [editingChannels, setEditingChannels] = useState<ListedFlow | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.flows.list.queryKey() });

  const duplicate = useMutation(trpc.flows.duplicate.mutationOptions({ onSuccess: ({ id }) => router.push(`/flows/${id}`) }));
  const archive = useMutation(trpc.flows.archive.mutationOptions({ onSuccess: refresh }));
  const failure = duplicate.error ?? archive.error;

  const toggle = (
    <label className="mb-2 flex items-center justify-end gap-2 text-sm text-slate-600">
      <input type="checkbox" checked={archived} onChange={(event) => setArchived(event.target.checked)} data-testid="show-archived" />
      Show archived flows
    </label>
  );

  if (flows.isPending) return <TableSkeleton label="Loading flows" />;
  if (flows.isError) return <ErrorNote>Could not load the flows: {errorMessage(flows.error)}</ErrorNote>;
  if (flows.data.length === 0) {
    return (
      <>
        {toggle}
        <div className="rounded-xl border border-slate-200 bg-white">
          <EmptyState title={archived ? "No archived flows" : "No flows yet"} icon="🧭">
            {archived ? "Flows you archive appear here; unarchive one to edit and publish it again." : "Flows are the conversations your bot holds. Create one with New flow."}
          </EmptyState>
        </div>
      </>
    );
  }
  return (
    <>
      {toggle}
      {failure ? <ErrorNote className="mb-2">{errorMessage(failure)}</ErrorNote> : null}
      <div className="overflow-visible rounded-xl border border-slate-200 bg-white shadow-sm">
        <table className="w-full text-left text-sm">
          <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" className="px-4 py-2 font-medium">Name</th>
              <th scope="col" className="px-4 py-2 font-medium">Status</th>
              <th scope="col" className="px-4 py-2 font-medium">Listens on</th>
              <th scope="col" className="px-4 py-2 font-medium">Last run</th>
              <th scope="col" className="px-4 py-2 text-right font-medium">Runs (24 h)</th>
              <th scope="col" className="px-4 py-2 font-medium">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {flows.data.map((flow) => (
              <tr key={flow.id} data-testid="flow-row" data-flow-id={flow.id} className="cursor-pointer hover:bg-slate-50" onClick={() => router.push(`/flows/${flow.id}`)}>
                <td className="px-4 py-2.5 font-medium">
                  <Link href={`/flows/${flow.id}`} className="text-slate-900 hover:text-brand-700 focus-visible:outline-2 focus-visible:outline-brand-600">
                    {flow.name}
                  </Link>
                  <div className="text-xs font-normal text-slate-400" title={formatDateTime(flow.updatedAt)}>
                    edited {formatRelative(flow.updatedAt)}
                  </div>
                </td>
                <td className="px-4 py-2.5" data-testid="flow-status">
                  <FlowStatus flow={flow} />
                </td>
                <td className="px-4 py-2.5 text-slate-600">
                  <div className="flex flex-wrap items-center gap-1">
                    {flow.channels.length > 0 ? flow.channels.map((channel) => channel.name).join(", ") : <span className="text-slate-400">no number</span>}
                    {canEdit && !flow.archivedAt ? (
                      <button
                        type="button"
                        className="rounded px-1 text-xs text-brand-700 underline hover:bg-brand-50"
                        data-testid="edit-channels"
                        onClick={(event) => {
                          event.stopPropagation();
                          setEditingChannels(flow);
                        }}
                      >
                        change
                      </button>
                    ) : null}
                  </div>
                </td>
                <td className="px-4 py-2.5 text-slate-500" title={flow.lastRunAt ? formatDateTime(flow.lastRunAt) : undefined}>
                  {flow.lastRunAt ? formatRelative(flow.lastRunAt) : <span className="text-slate-400">never</span>}
                </td>
                <td className="px-4 py-2.5 text-right tabular-nums text-slate-600">{flow.runs24h}</td>
                <td className="px-2 py-2.5 text-right" onClick={(event) => event.stopPropagation()}>
                  {canEdit ? (
                    <RowMenu
                      archived={flow.archivedAt !== null}
                      onRename={() => setRenaming(flow)}
                      onDuplicate={() => duplicate.mutate({ id: flow.id })}
                      onArchive={() => (flow.archivedAt ? archive.mutate({ id: flow.id, archived: false }) : setArchiving(flow))}
                      name={flow.name}
                    />
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {renaming ? <RenameDialog flow={renaming} onClose={() => setRenaming(null)} onRenamed={refresh} /> : null}
      {editingChannels ? <ChannelsDialog flow={editingChannels} onClose={() => setEditingChannels(null)} onSaved={refresh} /> : null}
      <ConfirmDialog
        open={archiving !== null}
        danger
        title={`Archive “${archiving?.name ?? ""}”?`}
        confirmLabel="Archive"
        onCancel={() => setArchiving(null)}
        onConfirm={() => {
          if (archiving) archive.mutate({ id: archiving.id, archived: true });
          setArchiving(null);
        }}
      >
        It stops answering: no new conversation starts on it and its schedule stops. Conversations already running finish. You can unarchive it later and
        publish it again.
      </ConfirmDialog>
    </>
  );
}

function FlowStatus({ flow }: { flow: ListedFlow }) {
  if (flow.archivedAt) return <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-600">archived</span>;
  if (flow.publishedVersion === null) return <span className="text-xs text-slate-400">draft only</span>;
  return (
    <span className="flex flex-wrap items-center gap-1">
      <span className="rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-medium text-emerald-700 ring-1 ring-emerald-200">published v{flow.publishedVersion}</span>
      {flow.draftChanged ? (
        <span className="rounded-full bg-amber-50 px-2 py-0.5 text-xs text-amber-800 ring-1 ring-amber-200" title="The draft has changes that are not published yet">
          draft changes
        </span>
      ) : null}
    </span>
  );
}

function RowMenu({ name, archived, onRename, onDuplicate, onArchive }: { name: string; archived: boolean; onRename: () => void; onDuplicate: () => void; onArchive: () => void }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const away = (event: PointerEvent) => {
      if (ref.current && !ref.current.contains(event.target as Node)) setOpen(false);
    };
    window.addEventListener("pointerdown", away, true);
    return () => window.removeEventListener("pointerdown", away, true);
  }, [open]);
  const item = "block w-full px-3 py-1.5 text-left text-sm hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-brand-600";
  const choose = (action: () => void) => () => {
    setOpen(false);
    action();
  };
  return (
    <div ref={ref} className="relative inline-block">
      <button
        type="button"
        aria-label={`Actions for ${name}`}
        aria-expanded={open}
        data-testid="flow-actions"
        onClick={() => setOpen((value) => !value)}
        className="rounded px-2 py-0.5 text-lg leading-none text-slate-500 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-brand-600"
      >
        ⋯
      </button>
      {open ? (
        <div role="menu" className="absolute right-0 z-20 mt-1 w-40 rounded-md border border-slate-200 bg-white py-1 shadow-lg">
          {archived ? null : (
            <>
              <button role="menuitem" type="button" className={item} onClick={choose(onRename)}>
                Rename…
              </button>
              <button role="menuitem" type="button" className={item} onClick={choose(onDuplicate)}>
                Duplicate
              </button>
            </>
          )}
          <button role="menuitem" type="button" className={`${item} ${archived ? "" : "text-red-700"}`} onClick={choose(onArchive)}>
            {archived ? "Unarchive" : "Archive…"}
          </button>
        </div>
      ) : null}
    </div>
  );
}

function useModal(onClose: () => void) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return {
    ref,
    onCancel: (event: { preventDefault(): void }) => {
      event.preventDefault();
      onClose();
    },
    className: "m-auto w-full max-w-sm rounded-lg bg-white p-0 shadow-xl backdrop:bg-slate-900/40",
  };
}

function RenameDialog({ flow, onClose, onRenamed }: { flow: ListedFlow; onClose: () => void; onRenamed: () => void }) {
  const trpc = useTRPC();
  const [name, setName] = useState(flow.name);
  const modal = useModal(onClose);
  const rename = useMutation(
    trpc.flows.rename.mutationOptions({
      onSuccess: () => {
        onRenamed();
        onClose();
      },
    }),
  );
  return (
    <dialog {...modal} aria-labelledby="rename-title">
      <form
        className="space-y-4 p-5"
        onSubmit={(event) => {
          event.preventDefault();
          rename.mutate({ id: flow.id, name });
        }}
      >
        <h2 id="rename-title" className="text-base font-semibold text-slate-900">
          Rename “{flow.name}”
        </h2>
        <label className="block space-y-1 text-sm">
          <span className="font-medium text-slate-700">Name</span>
          <input className="field" value={name} maxLength={80} autoFocus required onChange={(event) => setName(event.target.value)} />
        </label>
        {rename.error ? <ErrorNote>{errorMessage(rename.error)}</ErrorNote> : null}
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={rename.isPending || name.trim() === ""}>
            {rename.isPending ? "Renaming…" : "Rename"}
          </Button>
        </div>
      </form>
    </dialog>
  );
}

/** Which WhatsApp numbers the flow listens on: a multi-select of the workspace's channels. */
function ChannelsDialog({ flow, onClose, onSaved }: { flow: ListedFlow; onClose: () => void; onSaved: () => void }) {
  const trpc = useTRPC();
  const options = useQuery(trpc.flows.channelOptions.queryOptions());
  const [chosen, setChosen] = useState(() => new Set(flow.channels.map((channel) => channel.id)));
  const modal = useModal(onClose);
  const save = useMutation(
    trpc.flows.setChannels.mutationOptions({
      onSuccess: () => {
        onSaved();
        onClose();
      },
    }),
  );
  return (
    <dialog {...modal} aria-labelledby="channels-title">
      <form
        className="space-y-4 p-5"
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate({ id: flow.id, channelIds: [...chosen] });
        }}
      >
        <h2 id="channels-title" className="text-base font-semibold text-slate-900">
          Numbers “{flow.name}” listens on
        </h2>
        <p className="text-sm text-slate-600">Messages to these WhatsApp numbers can start this flow once it is published.</p>
        {options.isPending ? <p className="text-sm text-slate-500">Loading numbers…</p> : null}
        {options.isError ? <ErrorNote>Could not load the numbers: {errorMessage(options.error)}</ErrorNote> : null}
        <fieldset className="space-y-1.5">
          <legend className="sr-only">Numbers</legend>
          {options.data?.map((channel) => (
            <label key={channel.id} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                checked={chosen.has(channel.id)}
                onChange={(event) => {
                  const next = new Set(chosen);
                  if (event.target.checked) next.add(channel.id);
                  else next.delete(channel.id);
                  setChosen(next);
                }}
              />
              <span>
                {channel.name}
                {channel.displayPhoneNumber ? <span className="ml-1 text-slate-500">{channel.displayPhoneNumber}</span> : null}
                {channel.simulator ? <span className="ml-1 text-xs text-slate-400">(simulator)</span> : null}
              </span>
            </label>
          ))}
        </fieldset>
        {save.error ? <ErrorNote>{errorMessage(save.error)}</ErrorNote> : null}
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={save.isPending || options.isPending}>
            {save.isPending ? "Saving…" : "Save"}
          </Button>
        </div>
      </form>
    </dialog>
  );
}
