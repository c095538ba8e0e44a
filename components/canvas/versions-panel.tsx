"use client";
// Version history beside the canvas: who published what and when, with their notes; view a
// version read-only, compare two (nodes added, removed, changed with the fields that
// changed), and roll back by publishing a copy of an old version.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Edge } from "@xyflow/react";
import { useEffect, useMemo, useRef, useState } from "react";
import { diffFlows } from "@/flows/diff";
import { nodeDefinition } from "@/flows/registry";
import type { FlowGraph } from "@/flows/schema";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "@/components/trpc/errors";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import { ErrorNote } from "@/components/ui/notice";
import { Spinner } from "@/components/ui/spinner";
import { NodeDiffContext, type NodeDiffState } from "./canvas-context";
import { toCanvas, type EditorNode } from "./graph";
import { ReadOnlyCanvas } from "./read-only-canvas";

/** What a version is compared with: another version's number, or the current draft. */
type Base = number | "draft" | null;

export function VersionsPanel({
  flowId,
  draft,
  canEdit,
  draftDirty,
  onRolledBack,
}: {
  flowId: string;
  draft: FlowGraph;
  canEdit: boolean;
  draftDirty: boolean;
  onRolledBack: (number: number) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const versions = useQuery(trpc.flows.versions.queryOptions({ id: flowId }));
  const [viewing, setViewing] = useState<{ number: number; base: Base } | null>(null);
  const [rollingBack, setRollingBack] = useState<number | null>(null);
  const rollback = useMutation(
    trpc.flows.rollback.mutationOptions({
      onSuccess: (result) => {
        void queryClient.invalidateQueries({ queryKey: trpc.flows.versions.queryKey({ id: flowId }) });
        void queryClient.invalidateQueries({ queryKey: trpc.flows.list.queryKey() });
        onRolledBack(result.number);
      },
    }),
  );

  if (versions.isPending) return <Spinner label="Loading versions" />;
  if (versions.isError) return <ErrorNote className="m-3">Could not load the versions: {errorMessage(versions.error)}</ErrorNote>;
  return (
    <section aria-label="Versions" data-testid="versions-panel" className="flex min-h-0 flex-1 flex-col overflow-y-auto p-3">
      {versions.data.length === 0 ? (
        <p className="text-sm text-slate-500">Not published yet. Each time you publish, a version appears here with your note, so you can compare and roll back.</p>
      ) : null}
      {rollback.error ? <ErrorNote className="mb-2">{errorMessage(rollback.error)}</ErrorNote> : null}
      <ol className="space-y-2">
        {versions.data.map((version, index) => {
          const previous = versions.data[index + 1]?.number ?? null;
          return (
            <li key={version.number} data-testid="version-row" data-version={version.number} className="rounded-md border border-slate-200 p-2.5 text-sm">
              <div className="flex items-center gap-2">
                <span className="font-semibold text-slate-900">v{version.number}</span>
                {version.live ? <span className="rounded-full bg-emerald-50 px-1.5 text-[11px] font-medium text-emerald-700 ring-1 ring-emerald-200">live</span> : null}
                <span className="ml-auto text-xs text-slate-500" title={formatDateTime(version.publishedAt)}>
                  {formatRelative(version.publishedAt)}
                </span>
              </div>
              <div className="text-xs text-slate-500">by {version.publishedBy}</div>
              {version.note ? <p className="mt-1 whitespace-pre-wrap text-slate-700">{version.note}</p> : null}
              <div className="mt-2 flex flex-wrap gap-1.5">
                <Button variant="secondary" className="px-2 py-0.5 text-xs" onClick={() => setViewing({ number: version.number, base: null })}>
                  View
                </Button>
                <Button
                  variant="secondary"
                  className="px-2 py-0.5 text-xs"
                  onClick={() => setViewing({ number: version.number, base: previous ?? "draft" })}
                  title={previous ? `What changed since v${previous}` : "Compare with the draft"}
                >
                  {previous ? `Changes since v${previous}` : "Compare with draft"}
                </Button>
                {canEdit && !version.live ? (
                  <Button variant="ghost" className="px-2 py-0.5 text-xs text-red-700" onClick={() => setRollingBack(version.number)} disabled={rollback.isPending}>
                    Roll back…
                  </Button>
                ) : null}
              </div>
            </li>
          );
        })}
      </ol>
      {viewing ? (
        <VersionViewer
          flowId={flowId}
          number={viewing.number}
          base={viewing.base}
          draft={draft}
          choices={versions.data.map((v) => v.number)}
          onBase={(base) => setViewing({ ...viewing, base })}
          onClose={() => setViewing(null)}
        />
      ) : null}
      <ConfirmDialog
        open={rollingBack !== null}
        danger
        title={`Roll back to v${rollingBack ?? ""}?`}
        confirmLabel="Roll back"
        onCancel={() => setRollingBack(null)}
        onConfirm={() => {
          if (rollingBack !== null) rollback.mutate({ id: flowId, number: rollingBack });
          setRollingBack(null);
        }}
      >
        A copy of v{rollingBack} is published as a new version, and becomes the draft. New conversations use it at once; conversations already running finish on
        their version.
        {draftDirty ? " Your unsaved changes on the canvas are dropped." : " Draft changes that were not published are replaced."}
      </ConfirmDialog>
    </section>
  );
}

/** A version on a read-only canvas, optionally compared with another version or the draft. */
function VersionViewer({
  flowId,
  number,
  base,
  draft,
  choices,
  onBase,
  onClose,
}: {
  flowId: string;
  number: number;
  base: Base;
  draft: FlowGraph;
  choices: number[];
  onBase: (base: Base) => void;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const ref = useRef<HTMLDialogElement>(null);
  const version = useQuery(trpc.flows.version.queryOptions({ id: flowId, number }));
  const baseVersion = useQuery({ ...trpc.flows.version.queryOptions({ id: flowId, number: typeof base === "number" ? base : 1 }), enabled: typeof base === "number" });
  const baseGraph = base === "draft" ? draft : typeof base === "number" ? baseVersion.data?.graph : undefined;

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  const shown = useMemo(() => {
    const graph = version.data?.graph;
    if (!graph) return null;
    if (!baseGraph) {
      const canvas = toCanvas(graph);
      return { nodes: [...canvas.nodes, ...canvas.notes] as EditorNode[], edges: canvas.edges as Edge[], states: new Map<string, NodeDiffState>(), diff: null };
    }
    // Comparing: the newer side is this version, unless it is compared with the draft.
    const [before, after] = base === "draft" ? [graph, baseGraph] : [baseGraph, graph];
    const diff = diffFlows(before, after);
    const canvas = toCanvas({ ...after, nodes: [...after.nodes, ...diff.removed], edges: after.edges });
    const removedEdges: Edge[] = diff.removedEdges.map((edge) => ({
      id: `removed:${edge.id}`,
      source: edge.from,
      sourceHandle: edge.port,
      target: edge.to,
      style: { stroke: "#f87171", strokeDasharray: "6 4" },
    }));
    const added = new Set(diff.addedEdges.map((edge) => edge.id));
    const edges: Edge[] = [...canvas.edges.map((edge) => (added.has(edge.id) ? { ...edge, style: { stroke: "#10b981", strokeWidth: 2 } } : edge)), ...removedEdges];
    const states = new Map<string, NodeDiffState>([
      ...diff.added.map((node) => [node.id, "added"] as const),
      ...diff.removed.map((node) => [node.id, "removed"] as const),
      ...diff.changed.map((change) => [change.id, "changed"] as const),
    ]);
    return { nodes: [...canvas.nodes, ...canvas.notes] as EditorNode[], edges, states, diff };
  }, [version.data, baseGraph, base]);

  const title = base === null ? `Version ${number}` : base === "draft" ? `Version ${number} → the draft` : `v${base} → v${number}`;
  return (
    <dialog
      ref={ref}
      aria-label={title}
      data-testid="version-viewer"
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      className="m-auto h-[90vh] w-[92vw] max-w-none rounded-lg bg-white p-0 shadow-xl backdrop:bg-slate-900/40"
    >
      <div className="flex h-full flex-col">
        <header className="flex flex-wrap items-center gap-3 border-b border-slate-200 px-4 py-2">
          <h2 className="text-base font-semibold text-slate-900">{title}</h2>
          <span className="text-xs text-slate-500">read only</span>
          {version.data?.note ? <span className="truncate text-sm text-slate-600">“{version.data.note}”</span> : null}
          <label className="ml-auto flex items-center gap-2 text-sm text-slate-600">
            Compare with
            <select
              className="field w-auto py-1"
              data-testid="compare-with"
              value={base === null ? "" : String(base)}
              onChange={(event) => onBase(event.target.value === "" ? null : event.target.value === "draft" ? "draft" : Number(event.target.value))}
            >
              <option value="">nothing</option>
              <option value="draft">the draft</option>
              {choices
                .filter((choice) => choice !== number)
                .map((choice) => (
                  <option key={choice} value={choice}>
                    v{choice}
                  </option>
                ))}
            </select>
          </label>
          <Button onClick={onClose}>Close</Button>
        </header>
        <div className="flex min-h-0 flex-1">
          <div className="min-w-0 flex-1">
            {version.isError ? <ErrorNote className="m-4">Could not load v{number}: {errorMessage(version.error)}</ErrorNote> : null}
            {shown ? (
              <NodeDiffContext.Provider value={shown.states}>
                <ReadOnlyCanvas nodes={shown.nodes} edges={shown.edges} />
              </NodeDiffContext.Provider>
            ) : (
              <div className="flex h-full items-center justify-center">
                <Spinner label="Loading the version" />
              </div>
            )}
          </div>
          {shown?.diff ? (
            <aside className="w-72 shrink-0 overflow-y-auto border-l border-slate-200 p-3 text-sm" data-testid="version-diff" aria-label="Changes">
              <h3 className="mb-2 font-semibold text-slate-900">Changes</h3>
              {shown.diff.added.length + shown.diff.removed.length + shown.diff.changed.length + shown.diff.addedEdges.length + shown.diff.removedEdges.length === 0 ? (
                <p className="text-slate-500">No difference (moved nodes and notes aside).</p>
              ) : null}
              <ul className="space-y-1.5">
                {shown.diff.added.map((node) => (
                  <li key={`a-${node.id}`} data-testid="diff-added" className="text-emerald-800">
                    + <span className="font-mono text-xs">{node.id}</span> {nodeDefinition(node.type)?.title ?? node.type} added
                  </li>
                ))}
                {shown.diff.removed.map((node) => (
                  <li key={`r-${node.id}`} data-testid="diff-removed" className="text-red-800">
                    − <span className="font-mono text-xs">{node.id}</span> {nodeDefinition(node.type)?.title ?? node.type} removed
                  </li>
                ))}
                {shown.diff.changed.map((change) => (
                  <li key={`c-${change.id}`} data-testid="diff-changed" className="text-amber-900">
                    ~ <span className="font-mono text-xs">{change.id}</span> changed: {change.fields.join(", ")}
                  </li>
                ))}
                {shown.diff.addedEdges.length + shown.diff.removedEdges.length > 0 ? (
                  <li className="text-slate-600">
                    {shown.diff.addedEdges.length} connection(s) added, {shown.diff.removedEdges.length} removed
                  </li>
                ) : null}
              </ul>
            </aside>
          ) : null}
        </div>
      </div>
    </dialog>
  );
}
