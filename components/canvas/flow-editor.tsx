"use client";
import "@xyflow/react/dist/style.css";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  addEdge,
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useEdgesState,
  useNodesState,
  useReactFlow,
  type Connection,
  type OnBeforeDelete,
} from "@xyflow/react";
import Link from "next/link";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { nodeDefinition, nodeDefinitions } from "@/flows/registry";
import { exportFlow } from "@/flows/exchange";
import type { FlowGraph } from "@/flows/schema";
import { validateFlow, type Diagnostic } from "@/flows/validator";
import { useTRPC } from "@/components/trpc/client";
import { errorCode, errorMessage } from "@/components/trpc/errors";
import { Inspector } from "@/components/inspector/inspector";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { ErrorNote } from "@/components/ui/notice";
import { Skeleton, Spinner } from "@/components/ui/spinner";
import { DiagnosticsPanel } from "./diagnostics-panel";
import { FlowNodeComponent, NodeIssuesContext, type NodeIssues } from "./flow-node";
import { edgeId, newNodeId, toCanvas, toGraph, type CanvasEdge, type CanvasNode, type FlowNodeData } from "./graph";

const NODE_TYPES = { flow: FlowNodeComponent };
const CATEGORY_ORDER = ["trigger", "message", "logic", "ai", "data"];

/** Loads a flow and opens the editor on it. */
export function FlowEditorPage({ flowId, canEdit }: { flowId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  // The editor owns the draft once loaded: never refetch it from under the user.
  const flow = useQuery({ ...trpc.flows.get.queryOptions({ id: flowId }), staleTime: Infinity, refetchOnWindowFocus: false, refetchOnReconnect: false });
  if (flow.isPending) {
    return (
      <div className="flex h-full flex-col">
        <div className="flex h-12 items-center gap-3 border-b border-slate-200 bg-white px-4">
          <Skeleton className="h-5 w-48" />
        </div>
        <div className="flex flex-1 items-center justify-center">
          <Spinner label="Loading the flow" />
        </div>
      </div>
    );
  }
  if (flow.isError) {
    return (
      <div className="mx-auto max-w-xl p-6">
        <ErrorNote>Could not open this flow: {errorMessage(flow.error)}</ErrorNote>
        <Link href="/flows" className="mt-4 inline-block text-sm text-brand-700 underline">
          Back to the flows
        </Link>
      </div>
    );
  }
  return (
    <ReactFlowProvider>
      <FlowEditor key={flow.data.id} flow={flow.data} canEdit={canEdit} />
    </ReactFlowProvider>
  );
}

interface LoadedFlow {
  id: string;
  name: string;
  graph: Parameters<typeof toCanvas>[0];
  revision: number;
  publishedVersion: number | null;
  channels: { id: string; name: string }[];
  diagnostics: Diagnostic[];
}

function stripPositions(graph: ReturnType<typeof toGraph>) {
  return { nodes: graph.nodes.map(({ position: _position, ...node }) => node), edges: graph.edges };
}

function FlowEditor({ flow, canEdit }: { flow: LoadedFlow; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const reactFlow = useReactFlow<CanvasNode, CanvasEdge>();
  const initial = useMemo(() => toCanvas(flow.graph), [flow.graph]);
  const [nodes, setNodes, onNodesChange] = useNodesState<CanvasNode>(initial.nodes);
  const [edges, setEdges, onEdgesChange] = useEdgesState<CanvasEdge>(initial.edges);
  const [revision, setRevision] = useState(flow.revision);
  const [savedJson, setSavedJson] = useState(() => JSON.stringify(toGraph(initial.nodes, initial.edges)));
  const [publishedVersion, setPublishedVersion] = useState(flow.publishedVersion);
  const [notice, setNotice] = useState<{ kind: "error" | "success"; text: string } | null>(null);
  const [confirmPublish, setConfirmPublish] = useState(false);
  const [pendingDelete, setPendingDelete] = useState<{ nodes: number; resolve: (ok: boolean) => void } | null>(null);

  const graph = useMemo(() => toGraph(nodes, edges), [nodes, edges]);
  const graphJson = useMemo(() => JSON.stringify(graph), [graph]);
  const dirty = graphJson !== savedJson;
  // Positions never change the checks: validate only when something else changed.
  const shapeJson = useMemo(() => JSON.stringify(stripPositions(graph)), [graph]);
  const diagnostics = useMemo(() => validateFlow(JSON.parse(shapeJson) as typeof graph), [shapeJson]); // eslint-disable-line react-hooks/exhaustive-deps
  const issues = useMemo(() => {
    const byNode = new Map<string, NodeIssues>();
    for (const d of diagnostics) {
      if (!d.nodeId) continue;
      const entry = byNode.get(d.nodeId) ?? { errors: [], warnings: [] };
      (d.severity === "error" ? entry.errors : entry.warnings).push(d.message);
      byNode.set(d.nodeId, entry);
    }
    return byNode;
  }, [diagnostics]);
  const errorCount = diagnostics.filter((d) => d.severity === "error").length;

  const selectedNodes = nodes.filter((node) => node.selected);
  const selected = selectedNodes.length === 1 ? selectedNodes[0] : undefined;

  const save = useMutation(
    trpc.flows.saveDraft.mutationOptions({
      onSuccess: (result, input) => {
        setRevision(result.revision);
        setSavedJson(JSON.stringify(input.graph));
        setNotice(null);
        void queryClient.invalidateQueries({ queryKey: trpc.flows.list.queryKey() });
      },
      onError: (error) => {
        setNotice({
          kind: "error",
          text: errorCode(error) === "CONFLICT" ? errorMessage(error) : `Not saved: ${errorMessage(error)}`,
        });
      },
    }),
  );
  const publish = useMutation(
    trpc.flows.publish.mutationOptions({
      onSuccess: (result) => {
        setPublishedVersion(result.number);
        setNotice({ kind: "success", text: `Published version ${result.number}. New conversations use it now; running ones finish on their own version.` });
        void queryClient.invalidateQueries({ queryKey: trpc.flows.list.queryKey() });
      },
      onError: (error) => setNotice({ kind: "error", text: `Not published: ${errorMessage(error)}` }),
    }),
  );

  const saveNow = useCallback(async () => {
    if (!canEdit || save.isPending) return false;
    try {
      await save.mutateAsync({ id: flow.id, revision, graph });
      return true;
    } catch {
      return false;
    }
  }, [canEdit, save, flow.id, revision, graph]);

  const saveRef = useRef(saveNow);
  saveRef.current = saveNow;
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
        event.preventDefault();
        void saveRef.current();
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  const onConnect = useCallback(
    (connection: Connection) => {
      const port = connection.sourceHandle ?? "next";
      setEdges((current) =>
        addEdge(
          { ...connection, sourceHandle: port, id: edgeId(connection.source, port, connection.target) },
          // One connection per output: a new one replaces the old.
          current.filter((edge) => !(edge.source === connection.source && (edge.sourceHandle ?? "next") === port)),
        ),
      );
    },
    [setEdges],
  );

  const onBeforeDelete: OnBeforeDelete<CanvasNode, CanvasEdge> = useCallback(
    async ({ nodes: doomed }) => {
      if (!canEdit) return false;
      if (doomed.length === 0) return true;
      return new Promise<boolean>((resolve) => setPendingDelete({ nodes: doomed.length, resolve }));
    },
    [canEdit],
  );

  function updateNode(id: string, data: Partial<FlowNodeData>) {
    setNodes((current) => current.map((node) => (node.id === id ? { ...node, data: { ...node.data, ...data } } : node)));
  }

  const selectNode = useCallback(
    (id: string) => {
      setNodes((current) => current.map((node) => ({ ...node, selected: node.id === id })));
      const node = reactFlow.getNode(id);
      if (node) {
        const width = node.measured?.width ?? 240;
        const height = node.measured?.height ?? 80;
        void reactFlow.setCenter(node.position.x + width / 2, node.position.y + height / 2, { duration: 300, zoom: Math.max(reactFlow.getZoom(), 1) });
      }
    },
    [reactFlow, setNodes],
  );

  function addNode(type: string) {
    const definition = nodeDefinition(type);
    if (!definition) return;
    const bounds = document.querySelector(".react-flow")?.getBoundingClientRect();
    const center = bounds
      ? reactFlow.screenToFlowPosition({ x: bounds.left + bounds.width / 2, y: bounds.top + bounds.height / 2 })
      : { x: 0, y: 0 };
    const id = newNodeId(type, new Set(nodes.map((node) => node.id)));
    // At the middle of the view, moved right until it covers no other node.
    const position = { x: center.x - 120, y: center.y - 40 };
    const overlaps = () => nodes.some((other) => Math.abs(other.position.x - position.x) < 260 && Math.abs(other.position.y - position.y) < 130);
    for (let tries = 0; tries < 50 && overlaps(); tries++) position.x += 280;
    const node: CanvasNode = {
      id,
      type: "flow",
      position,
      data: { type: definition.type, version: definition.version, config: structuredClone(definition.defaultConfig) as Record<string, unknown> },
      selected: true,
    };
    setNodes((current) => [...current.map((n) => ({ ...n, selected: false })), node]);
  }

  const definitions = useMemo(
    () => [...nodeDefinitions()].sort((a, b) => CATEGORY_ORDER.indexOf(a.category) - CATEGORY_ORDER.indexOf(b.category) || a.title.localeCompare(b.title)),
    [],
  );

  const saveState = save.isPending ? "saving" : dirty ? "unsaved" : "saved";

  return (
    <div className="flex h-full flex-col">
      <div className="flex min-h-12 flex-wrap items-center gap-3 border-b border-slate-200 bg-white px-4 py-1.5">
        <Link href="/flows" className="text-sm text-slate-500 hover:text-slate-800" aria-label="Back to the flows">
          ← Flows
        </Link>
        <h1 className="truncate text-base font-semibold">{flow.name}</h1>
        <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-600" data-testid="published-version">
          {publishedVersion ? `published v${publishedVersion}` : "not published"}
        </span>
        <span
          data-testid="save-state"
          aria-live="polite"
          className={`text-xs ${saveState === "saved" ? "text-emerald-700" : saveState === "unsaved" ? "text-amber-700" : "text-slate-500"}`}
        >
          {saveState === "saved" ? "✓ saved" : saveState === "unsaved" ? "● unsaved changes" : "saving…"}
        </span>
        <div className="ml-auto flex items-center gap-2">
          {canEdit ? (
            <>
              <label htmlFor="add-node" className="sr-only">
                Add a node
              </label>
              <select
                id="add-node"
                className="field w-auto py-1"
                value=""
                onChange={(event) => {
                  if (event.target.value) addNode(event.target.value);
                }}
              >
                <option value="">+ Add node…</option>
                {definitions.map((definition) => (
                  <option key={definition.type} value={definition.type}>
                    {definition.icon} {definition.title}
                  </option>
                ))}
              </select>
              <Button onClick={() => downloadFlow(flow.name, graph)} title="Download this draft as a .json file, to import elsewhere">
                Export
              </Button>
              <Button onClick={() => void saveNow()} disabled={!dirty || save.isPending} title="Save the draft (Ctrl+S)">
                {save.isPending ? "Saving…" : "Save"}
              </Button>
              <Button variant="primary" onClick={() => setConfirmPublish(true)} disabled={publish.isPending || errorCount > 0} title={errorCount > 0 ? "Fix the errors first" : "Publish this draft"}>
                {publish.isPending ? "Publishing…" : "Publish"}
              </Button>
            </>
          ) : (
            <span className="text-xs text-slate-500">Read only: your role cannot edit flows.</span>
          )}
        </div>
      </div>
      {notice ? (
        <div
          role={notice.kind === "error" ? "alert" : "status"}
          data-testid="editor-notice"
          className={`flex items-center gap-3 border-b px-4 py-2 text-sm ${notice.kind === "error" ? "border-red-200 bg-red-50 text-red-800" : "border-emerald-200 bg-emerald-50 text-emerald-800"}`}
        >
          <span className="flex-1">{notice.text}</span>
          <button type="button" className="text-xs underline" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </div>
      ) : null}
      <div className="flex min-h-0 flex-1">
        <div className="min-w-0 flex-1" aria-label="Flow canvas">
          <NodeIssuesContext.Provider value={issues}>
            <ReactFlow<CanvasNode, CanvasEdge>
              nodes={nodes}
              edges={edges}
              nodeTypes={NODE_TYPES}
              onNodesChange={onNodesChange}
              onEdgesChange={onEdgesChange}
              onConnect={onConnect}
              onBeforeDelete={onBeforeDelete}
              nodesDraggable={canEdit}
              nodesConnectable={canEdit}
              deleteKeyCode={canEdit ? ["Delete", "Backspace"] : null}
              defaultEdgeOptions={{ type: "smoothstep" }}
              fitView
              fitViewOptions={{ padding: 0.3, maxZoom: 1.2 }}
              minZoom={0.2}
            >
              <Background gap={20} color="#cbd5e1" />
              <Controls />
              <MiniMap pannable zoomable nodeColor={(node) => (issues.get(node.id)?.errors.length ? "#f87171" : "#10b981")} />
            </ReactFlow>
          </NodeIssuesContext.Provider>
        </div>
        <aside className="flex w-80 shrink-0 flex-col overflow-y-auto border-l border-slate-200 bg-white" aria-label="Inspector">
          {selected ? (
            <Inspector
              node={selected}
              readOnly={!canEdit}
              onChange={(data) => updateNode(selected.id, data)}
              onDelete={() => void reactFlow.deleteElements({ nodes: [{ id: selected.id }] })}
            />
          ) : (
            <p className="p-4 text-sm text-slate-500">
              {selectedNodes.length > 1 ? `${selectedNodes.length} nodes selected.` : "Select a node to edit it. Drag from an output to another node to connect them."}
            </p>
          )}
          <div className="mt-auto border-t border-slate-200">
            <DiagnosticsPanel diagnostics={diagnostics} onSelectNode={selectNode} />
          </div>
        </aside>
      </div>
      <ConfirmDialog
        open={confirmPublish}
        title={`Publish “${flow.name}”?`}
        confirmLabel={dirty ? "Save and publish" : "Publish"}
        onCancel={() => setConfirmPublish(false)}
        onConfirm={async () => {
          setConfirmPublish(false);
          if (dirty && !(await saveNow())) return;
          publish.mutate({ id: flow.id });
        }}
      >
        New conversations will start on the new version{publishedVersion ? ` (v${publishedVersion + 1})` : ""}. Conversations already running finish on the version they started on.
        {dirty ? " Your unsaved changes are saved first." : ""}
      </ConfirmDialog>
      <ConfirmDialog
        open={pendingDelete !== null}
        danger
        title={pendingDelete && pendingDelete.nodes > 1 ? `Delete ${pendingDelete.nodes} nodes?` : "Delete this node?"}
        confirmLabel="Delete"
        onCancel={() => {
          pendingDelete?.resolve(false);
          setPendingDelete(null);
        }}
        onConfirm={() => {
          pendingDelete?.resolve(true);
          setPendingDelete(null);
        }}
      >
        Its connections are removed too. You can still leave without saving to undo.
      </ConfirmDialog>
    </div>
  );
}

function downloadFlow(name: string, graph: FlowGraph) {
  const blob = new Blob([JSON.stringify(exportFlow(name, graph), null, 2)], { type: "application/json" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = `${name.replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-|-$/g, "").toLowerCase() || "flow"}.parley.json`;
  link.click();
  URL.revokeObjectURL(link.href);
}
