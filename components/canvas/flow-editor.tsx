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
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from "react";
import { nodeDefinition, nodeDefinitions } from "@/flows/registry";
import { exportFlow } from "@/flows/exchange";
import type { FlowGraph } from "@/flows/schema";
import { validateFlow, type Diagnostic } from "@/flows/validator";
import { useTRPC } from "@/components/trpc/client";
import { errorCode, errorMessage } from "@/components/trpc/errors";
import { TestPanel } from "@/components/chat/test-panel";
import { Inspector } from "@/components/inspector/inspector";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import { ErrorNote } from "@/components/ui/notice";
import { Skeleton, Spinner } from "@/components/ui/spinner";
import { CanvasActionsContext, RunHighlightContext, type CanvasActions, type RunHighlight } from "./canvas-context";
import { copySelection, isEmpty, pasteClipboard, readClipboard, writeClipboard } from "./clipboard";
import { DiagnosticsPanel } from "./diagnostics-panel";
import { NodeIssuesContext, type NodeIssues } from "./flow-node";
import {
  edgeId,
  isFlowNode,
  isNote,
  newNodeId,
  newNoteId,
  nodePorts,
  toCanvas,
  toGraph,
  toNoteNode,
  type CanvasEdge,
  type CanvasNode,
  type EditorNode,
  type FlowNodeData,
} from "./graph";
import { layoutNodes } from "./layout";
import { NODE_TYPES } from "./node-types";
import type { PaletteEntry } from "./palette";
import { NOTE_ENTRY, PALETTE_DRAG_TYPE, PalettePanel } from "./palette-panel";
import { PortPicker } from "./port-picker";
import { ShortcutsHelp } from "./shortcuts-help";
import { useGraphHistory } from "./use-graph-history";
import { VersionsPanel } from "./versions-panel";

const NODE_SIZE = { width: 240, height: 90 };
const CLIPBOARD_KEY = "parley.canvas.clipboard";
/** Above this many elements the canvas draws only what is in view. */
const LARGE_FLOW = 150;
/** The draft saves itself this long after the last change. */
const AUTOSAVE_MS = 1_500;
/** How often the editor asks whether someone else saved the flow. */
const DRAFT_STATUS_POLL_MS = 15_000;
const NO_RUN: RunHighlight = { current: null, visited: new Set() };

type SidePanel = "inspector" | "test" | "versions";
const PANEL_TITLES: Record<SidePanel, string> = { inspector: "Inspector", test: "▶ Test", versions: "Versions" };

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
      {/* A reload (after someone else's save) opens a fresh editor on their version. */}
      <FlowEditor key={`${flow.data.id}:${flow.dataUpdatedAt}`} flow={flow.data} canEdit={canEdit} onReload={() => void flow.refetch()} />
    </ReactFlowProvider>
  );
}

interface LoadedFlow {
  id: string;
  name: string;
  graph: FlowGraph;
  revision: number;
  publishedVersion: number | null;
  channels: { id: string; name: string }[];
  diagnostics: Diagnostic[];
  savedBy: DraftSaver | null;
}

interface DraftSaver {
  name: string;
  at: Date;
  isViewer: boolean;
}

/** Someone saved the flow after the revision this editor holds: autosave stops until the user chooses. */
interface Conflict {
  savedBy: DraftSaver | null;
  revision: number;
}

function stripPositions(graph: FlowGraph) {
  return { nodes: graph.nodes.map(({ position: _position, ...node }) => node), edges: graph.edges };
}

/** Keys typed into a form field belong to the field, not to the canvas. */
function typingInField(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  return Boolean(element && (element.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(element.tagName)));
}

function canvasElements(graph: FlowGraph): EditorNode[] {
  const canvas = toCanvas(graph);
  return [...canvas.nodes, ...canvas.notes];
}

function FlowEditor({ flow, canEdit, onReload }: { flow: LoadedFlow; canEdit: boolean; onReload: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const reactFlow = useReactFlow<EditorNode, CanvasEdge>();
  const initial = useMemo(() => toCanvas(flow.graph), [flow.graph]);
  const [nodes, setNodes, onNodesChange] = useNodesState<EditorNode>([...initial.nodes, ...initial.notes]);
  const [edges, setEdges, onEdgesChange] = useEdgesState<CanvasEdge>(initial.edges);
  const [revision, setRevision] = useState(flow.revision);
  const [savedJson, setSavedJson] = useState(() => JSON.stringify(toGraph([...initial.nodes, ...initial.notes], initial.edges)));
  const [publishedVersion, setPublishedVersion] = useState(flow.publishedVersion);
  const [notice, setNotice] = useState<{ kind: "error" | "success"; text: string } | null>(null);
  const [confirmPublish, setConfirmPublish] = useState(false);
  const [publishNote, setPublishNote] = useState("");
  const [pendingDelete, setPendingDelete] = useState<{ nodes: number; resolve: (ok: boolean) => void } | null>(null);
  const [portPicker, setPortPicker] = useState<{ nodeId: string; portId: string; label: string; anchor: { x: number; y: number } } | null>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [panel, setPanel] = useState<SidePanel>("inspector");
  const [runHighlight, setRunHighlight] = useState<RunHighlight | null>(null);
  /** The graph of the last save that failed (not a conflict): autosave waits for the next change. */
  const [failedJson, setFailedJson] = useState<string | null>(null);
  const [lastSavedAt, setLastSavedAt] = useState<Date | null>(flow.savedBy?.at ?? null);
  const lastSaveEnded = useRef(Date.now());
  const canvasRef = useRef<HTMLDivElement>(null);

  const graph = useMemo(() => toGraph(nodes, edges), [nodes, edges]);
  const graphJson = useMemo(() => JSON.stringify(graph), [graph]);
  const dirty = graphJson !== savedJson;
  // Positions never change the checks: validate only when something else changed.
  const shapeJson = useMemo(() => JSON.stringify(stripPositions(graph)), [graph]);
  const diagnostics = useMemo(() => validateFlow(JSON.parse(shapeJson) as FlowGraph), [shapeJson]);
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
  // Stable between renders: a new function would redraw every minimap node on each drag step.
  const minimapColour = useCallback((node: EditorNode) => (isNote(node) ? "#fcd34d" : issues.get(node.id)?.errors.length ? "#f87171" : "#10b981"), [issues]);

  const selectedElements = nodes.filter((node) => node.selected);
  const selectedFlowNodes = selectedElements.filter(isFlowNode);
  const selected = selectedElements.length === 1 ? selectedFlowNodes[0] : undefined;

  const restore = useCallback(
    (json: string) => {
      const snapshot = JSON.parse(json) as FlowGraph;
      setNodes(canvasElements(snapshot));
      setEdges(toCanvas(snapshot).edges);
    },
    [setNodes, setEdges],
  );
  const history = useGraphHistory(graphJson, restore);

  const draftStatus = useQuery({
    ...trpc.flows.draftStatus.queryOptions({ id: flow.id }),
    enabled: canEdit,
    refetchInterval: DRAFT_STATUS_POLL_MS,
  });
  const save = useMutation(
    trpc.flows.saveDraft.mutationOptions({
      onSuccess: (result, input) => {
        setRevision(result.revision);
        setSavedJson(JSON.stringify(input.graph));
        setLastSavedAt(result.savedAt);
        setFailedJson(null);
        setConflict(null);
        setNotice(null);
        void queryClient.invalidateQueries({ queryKey: trpc.flows.list.queryKey() });
      },
      onError: async (error, input) => {
        if (errorCode(error) === "CONFLICT") {
          const latest = await draftStatus.refetch();
          if (latest.data) setConflict({ savedBy: latest.data.savedBy, revision: latest.data.revision });
          return;
        }
        setFailedJson(JSON.stringify(input.graph));
        setNotice({ kind: "error", text: `Not saved: ${errorMessage(error)}` });
      },
      onSettled: () => {
        lastSaveEnded.current = Date.now();
      },
    }),
  );

  // Someone saved since this editor's revision: warn now rather than at the next save.
  useEffect(() => {
    const status = draftStatus.data;
    if (!status || save.isPending || draftStatus.dataUpdatedAt < lastSaveEnded.current) return;
    if (status.revision > revision) setConflict({ savedBy: status.savedBy, revision: status.revision });
  }, [draftStatus.data, draftStatus.dataUpdatedAt, revision, save.isPending]);
  const publish = useMutation(
    trpc.flows.publish.mutationOptions({
      onSuccess: (result) => {
        setPublishedVersion(result.number);
        setPublishNote("");
        void queryClient.invalidateQueries({ queryKey: trpc.flows.versions.queryKey({ id: flow.id }) });
        setNotice({ kind: "success", text: `Published version ${result.number}. New conversations use it now; running ones finish on their own version.` });
        void queryClient.invalidateQueries({ queryKey: trpc.flows.list.queryKey() });
      },
      onError: (error) => setNotice({ kind: "error", text: `Not published: ${errorMessage(error)}` }),
    }),
  );

  const saveNow = useCallback(
    async (options: { overwrite?: boolean } = {}) => {
      if (!canEdit || save.isPending) return false;
      if (conflict && !options.overwrite) return false;
      try {
        await save.mutateAsync({ id: flow.id, revision: options.overwrite && conflict ? conflict.revision : revision, graph });
        return true;
      } catch {
        return false;
      }
    },
    [canEdit, save, flow.id, revision, graph, conflict],
  );

  // Autosave: once the canvas has been still for a moment.
  useEffect(() => {
    if (!canEdit || !dirty || conflict || save.isPending || failedJson === graphJson) return;
    const timer = setTimeout(() => void saveNow(), AUTOSAVE_MS);
    return () => clearTimeout(timer);
  }, [canEdit, dirty, conflict, save.isPending, failedJson, graphJson, saveNow]);

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

  // Deleting one unconnected node (or a note, or edges) is undone with Ctrl+Z; more asks first.
  const onBeforeDelete: OnBeforeDelete<EditorNode, CanvasEdge> = useCallback(
    async ({ nodes: doomed, edges: doomedEdges }) => {
      if (!canEdit) return false;
      const doomedIds = new Set(doomed.map((node) => node.id));
      const connected = doomedEdges.some((edge) => doomedIds.has(edge.source) || doomedIds.has(edge.target));
      if (doomed.length <= 1 && !connected) return true;
      return new Promise<boolean>((resolve) => setPendingDelete({ nodes: doomed.length, resolve }));
    },
    [canEdit],
  );

  const updateNode = useCallback(
    (id: string, data: Partial<FlowNodeData>) => {
      setNodes((current) => current.map((node) => (node.id === id && isFlowNode(node) ? { ...node, data: { ...node.data, ...data } } : node)));
    },
    [setNodes],
  );

  const selectNode = useCallback(
    (id: string) => {
      setNodes((current) => current.map((node) => ({ ...node, selected: node.id === id })));
      const node = reactFlow.getNode(id);
      if (node) {
        const width = node.measured?.width ?? NODE_SIZE.width;
        const height = node.measured?.height ?? NODE_SIZE.height;
        void reactFlow.setCenter(node.position.x + width / 2, node.position.y + height / 2, { duration: 300, zoom: Math.max(reactFlow.getZoom(), 1) });
      }
    },
    [reactFlow, setNodes],
  );

  /** A free spot for a new node at `position` (its top-left), moved right until it covers nothing. */
  const freeSpot = useCallback(
    (position: { x: number; y: number }) => {
      const spot = { ...position };
      const others = reactFlow.getNodes();
      const overlaps = () => others.some((other) => Math.abs(other.position.x - spot.x) < 260 && Math.abs(other.position.y - spot.y) < 110);
      for (let tries = 0; tries < 50 && overlaps(); tries++) spot.x += 280;
      return spot;
    },
    [reactFlow],
  );

  const viewportCentre = useCallback(() => {
    const bounds = canvasRef.current?.getBoundingClientRect();
    return bounds ? reactFlow.screenToFlowPosition({ x: bounds.left + bounds.width / 2, y: bounds.top + bounds.height / 2 }) : { x: 0, y: 0 };
  }, [reactFlow]);

  /** Adds a node of `type` (or a note) centred on `at` (flow coordinates; the view's centre by default), selected. */
  const addElement = useCallback(
    (type: string, at?: { x: number; y: number }) => {
      const centre = at ?? viewportCentre();
      const taken = new Set(reactFlow.getNodes().map((node) => node.id));
      let element: EditorNode;
      if (type === NOTE_ENTRY) {
        const position = at ? { x: centre.x - 100, y: centre.y - 50 } : freeSpot({ x: centre.x - 100, y: centre.y - 50 });
        element = { ...toNoteNode({ id: newNoteId(taken), text: "", position, size: { width: 220, height: 120 } }), selected: true };
      } else {
        const definition = nodeDefinition(type);
        if (!definition) return;
        const position = at ? { x: centre.x - NODE_SIZE.width / 2, y: centre.y - 40 } : freeSpot({ x: centre.x - NODE_SIZE.width / 2, y: centre.y - 40 });
        element = {
          id: newNodeId(type, taken),
          type: "flow",
          position,
          data: { type: definition.type, version: definition.version, config: structuredClone(definition.defaultConfig) as Record<string, unknown> },
          selected: true,
        };
      }
      setNodes((current) => [...current.map((n) => ({ ...n, selected: false })), element]);
    },
    [reactFlow, setNodes, freeSpot, viewportCentre],
  );

  /** Adds a node of `type` below `nodeId`, fed by its output `portId`; a node already there moves after the new one. */
  const addAfterPort = useCallback(
    (nodeId: string, portId: string, type: string) => {
      const source = reactFlow.getNode(nodeId);
      const definition = nodeDefinition(type);
      if (!source || !isFlowNode(source) || !definition) return;
      const ports = nodePorts(source.data.type, source.data.config);
      const index = Math.max(0, ports.findIndex((port) => port.id === portId));
      const id = newNodeId(type, new Set(reactFlow.getNodes().map((node) => node.id)));
      const position = freeSpot({
        x: source.position.x + (index - (ports.length - 1) / 2) * 280,
        y: source.position.y + (source.measured?.height ?? NODE_SIZE.height) + 90,
      });
      const config = structuredClone(definition.defaultConfig) as Record<string, unknown>;
      const node: CanvasNode = { id, type: "flow", position, data: { type, version: definition.version, config }, selected: true };
      const firstPort = definition.trigger ? undefined : nodePorts(type, config)[0];
      setNodes((current) => [...current.map((n) => ({ ...n, selected: false })), node]);
      setEdges((current) => {
        const previous = current.find((edge) => edge.source === nodeId && (edge.sourceHandle ?? "next") === portId);
        const kept = current.filter((edge) => edge !== previous);
        const added: CanvasEdge[] = [{ id: edgeId(nodeId, portId, id), source: nodeId, sourceHandle: portId, target: id }];
        if (previous && firstPort) added.push({ id: edgeId(id, firstPort.id, previous.target), source: id, sourceHandle: firstPort.id, target: previous.target });
        return [...kept, ...added];
      });
      setPortPicker(null);
    },
    [reactFlow, setNodes, setEdges, freeSpot],
  );

  const updateNote = useCallback(
    (id: string, text: string) => setNodes((current) => current.map((node) => (node.id === id && isNote(node) ? { ...node, data: { text } } : node))),
    [setNodes],
  );

  const actions: CanvasActions = useMemo(
    () => ({
      readOnly: !canEdit,
      updateNote,
      addAfterPort: (nodeId, portId, anchor) => {
        const source = reactFlow.getNode(nodeId);
        const label = source && isFlowNode(source) ? (nodePorts(source.data.type, source.data.config).find((p) => p.id === portId)?.label ?? portId) : portId;
        setPortPicker({ nodeId, portId, label, anchor });
      },
    }),
    [canEdit, updateNote, reactFlow],
  );

  const copy = useCallback(() => {
    const ids = new Set(reactFlow.getNodes().filter((node) => node.selected).map((node) => node.id));
    if (ids.size === 0) return false;
    const clipboard = copySelection(graph, ids);
    if (isEmpty(clipboard)) return false;
    window.localStorage.setItem(CLIPBOARD_KEY, writeClipboard(clipboard));
    return true;
  }, [reactFlow, graph]);

  const pasteCount = useRef(0);
  const paste = useCallback(() => {
    const clipboard = readClipboard(window.localStorage.getItem(CLIPBOARD_KEY));
    if (!clipboard || isEmpty(clipboard)) return;
    // Centred in the view, each further paste a little lower and to the right.
    const positions = [...clipboard.nodes, ...clipboard.notes].map((element) => element.position);
    const minX = Math.min(...positions.map((p) => p.x));
    const minY = Math.min(...positions.map((p) => p.y));
    const centre = viewportCentre();
    const step = 30 * (pasteCount.current++ % 8);
    const offset = { x: Math.round(centre.x - NODE_SIZE.width / 2 - minX + step), y: Math.round(centre.y - NODE_SIZE.height / 2 - minY + step) };
    const pasted = pasteClipboard(clipboard, new Set(reactFlow.getNodes().map((node) => node.id)), offset);
    const pieces = toCanvas({ nodes: pasted.nodes, edges: pasted.edges, notes: pasted.notes });
    setNodes((current) => [...current.map((n) => ({ ...n, selected: false })), ...[...pieces.nodes, ...pieces.notes].map((n) => ({ ...n, selected: true }))]);
    setEdges((current) => [...current, ...pieces.edges]);
  }, [reactFlow, setNodes, setEdges, viewportCentre]);

  const tidyUp = useCallback(() => {
    const flowNodes = reactFlow.getNodes().filter(isFlowNode);
    const positions = layoutNodes(
      flowNodes.map((node) => ({ id: node.id, width: node.measured?.width ?? NODE_SIZE.width, height: node.measured?.height ?? NODE_SIZE.height })),
      reactFlow.getEdges(),
    );
    setNodes((current) => current.map((node) => (positions.has(node.id) ? { ...node, position: positions.get(node.id)! } : node)));
    window.requestAnimationFrame(() => void reactFlow.fitView({ padding: 0.2, duration: 300, maxZoom: 1.2 }));
  }, [reactFlow, setNodes]);

  const fitView = useCallback(() => void reactFlow.fitView({ padding: 0.2, duration: 300, maxZoom: 1.2 }), [reactFlow]);

  const shortcuts = useRef<(event: KeyboardEvent) => void>(() => {});
  shortcuts.current = (event: KeyboardEvent) => {
    const mod = event.ctrlKey || event.metaKey;
    const key = event.key.toLowerCase();
    if (mod && key === "s") {
      event.preventDefault();
      void saveNow();
      return;
    }
    if (typingInField(event.target) || document.querySelector("dialog[open]")) return;
    if (event.key === "?") {
      event.preventDefault();
      setHelpOpen((open) => !open);
      return;
    }
    if (event.shiftKey && !mod && key === "f") {
      event.preventDefault();
      fitView();
      return;
    }
    if (!canEdit) return;
    if (mod && key === "z") {
      event.preventDefault();
      if (event.shiftKey) history.redo();
      else history.undo();
    } else if (mod && key === "y") {
      event.preventDefault();
      history.redo();
    } else if (mod && key === "c") {
      if (copy()) event.preventDefault();
    } else if (mod && key === "x") {
      if (copy()) {
        event.preventDefault();
        void reactFlow.deleteElements({ nodes: reactFlow.getNodes().filter((node) => node.selected) });
      }
    } else if (mod && key === "v") {
      event.preventDefault();
      paste();
    } else if (mod && key === "a") {
      event.preventDefault();
      setNodes((current) => current.map((node) => ({ ...node, selected: true })));
    } else if (event.shiftKey && !mod && key === "l") {
      event.preventDefault();
      tidyUp();
    } else if (!event.shiftKey && !mod && !event.altKey && key === "n") {
      event.preventDefault();
      addElement(NOTE_ENTRY);
    }
  };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => shortcuts.current(event);
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(PALETTE_DRAG_TYPE)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  }, []);
  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(PALETTE_DRAG_TYPE);
      if (!type || !canEdit) return;
      event.preventDefault();
      addElement(type, reactFlow.screenToFlowPosition({ x: event.clientX, y: event.clientY }));
    },
    [addElement, canEdit, reactFlow],
  );

  const paletteEntries: PaletteEntry[] = useMemo(() => nodeDefinitions(), []);
  const followerEntries = useMemo(() => paletteEntries.filter((entry) => !nodeDefinition(entry.type)?.trigger), [paletteEntries]);

  const saveState = conflict ? "conflict" : save.isPending ? "saving" : dirty ? (failedJson === graphJson ? "failed" : "unsaved") : "saved";
  const SAVE_STATE_TEXT = {
    conflict: "⚠ not saved: changed elsewhere",
    saving: "saving…",
    failed: "● not saved",
    unsaved: "● unsaved changes",
    saved: "✓ saved",
  } as const;

  return (
    <div className="relative flex h-full flex-col">
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
          data-state={saveState}
          aria-live="polite"
          title={lastSavedAt ? `Last saved ${formatDateTime(lastSavedAt)}` : undefined}
          className={`text-xs ${saveState === "saved" ? "text-emerald-700" : saveState === "saving" ? "text-slate-500" : saveState === "unsaved" ? "text-amber-700" : "text-red-700"}`}
        >
          {SAVE_STATE_TEXT[saveState]}
        </span>
        <div className="ml-auto flex items-center gap-1.5">
          {canEdit ? (
            <>
              <Button variant="ghost" onClick={history.undo} disabled={!history.canUndo} aria-label="Undo" title="Undo (Ctrl+Z)">
                ↶
              </Button>
              <Button variant="ghost" onClick={history.redo} disabled={!history.canRedo} aria-label="Redo" title="Redo (Ctrl+Shift+Z)">
                ↷
              </Button>
              <Button variant="ghost" onClick={tidyUp} title="Lay the flow out automatically (Shift+L)">
                Tidy up
              </Button>
            </>
          ) : null}
          <Button variant="ghost" onClick={fitView} title="Zoom to fit the whole flow (Shift+F)">
            Fit
          </Button>
          <Button variant="ghost" data-shortcuts-toggle aria-label="Keyboard shortcuts" aria-expanded={helpOpen} onClick={() => setHelpOpen((open) => !open)} title="Keyboard shortcuts (?)">
            ?
          </Button>
          <Button onClick={() => downloadFlow(flow.name, graph)} title="Download this draft as a .json file, to import elsewhere">
            Export
          </Button>
          {canEdit ? (
            <>
              <Button onClick={() => void saveNow()} disabled={!dirty || save.isPending || conflict !== null} title="Save the draft now (Ctrl+S); it also saves by itself">
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
      <ShortcutsHelp open={helpOpen} onClose={() => setHelpOpen(false)} />
      {conflict ? (
        <div role="alert" data-testid="conflict-banner" className="flex flex-wrap items-center gap-3 border-b border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-900">
          <span className="flex-1">
            <strong>{conflict.savedBy ? (conflict.savedBy.isViewer ? "You (in another window)" : conflict.savedBy.name) : "Someone"}</strong> changed this flow{" "}
            {conflict.savedBy ? <span title={formatDateTime(conflict.savedBy.at)}>{formatRelative(conflict.savedBy.at)}</span> : "since you opened it"}. Your changes are
            not saved: reload to see theirs, or overwrite them with yours.
          </span>
          <Button onClick={onReload} title="Open their version; your unsaved changes are dropped">
            Reload
          </Button>
          <Button variant="danger" onClick={() => void saveNow({ overwrite: true })} disabled={save.isPending} title="Save your version over theirs">
            Overwrite
          </Button>
        </div>
      ) : null}
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
        {canEdit ? <PalettePanel entries={paletteEntries} onAdd={(type) => addElement(type)} /> : null}
        <div
          ref={canvasRef}
          className="min-w-0 flex-1"
          aria-label="Flow canvas"
          onDragOver={onDragOver}
          onDrop={onDrop}
        >
          <CanvasActionsContext.Provider value={actions}>
            <RunHighlightContext.Provider value={runHighlight ?? NO_RUN}>
            <NodeIssuesContext.Provider value={issues}>
              <ReactFlow<EditorNode, CanvasEdge>
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
                selectionKeyCode="Shift"
                multiSelectionKeyCode={["Shift", "Meta", "Control"]}
                onlyRenderVisibleElements={nodes.length > LARGE_FLOW}
                defaultEdgeOptions={{ type: "smoothstep" }}
                fitView
                fitViewOptions={{ padding: 0.3, maxZoom: 1.2 }}
                minZoom={0.1}
              >
                <Background gap={20} color="#cbd5e1" />
                <Controls showInteractive={false} />
                <MiniMap
                  pannable
                  zoomable
                  ariaLabel="Minimap"
                  nodeColor={minimapColour}
                />
              </ReactFlow>
            </NodeIssuesContext.Provider>
            </RunHighlightContext.Provider>
          </CanvasActionsContext.Provider>
        </div>
        <aside className={`flex ${panel === "test" ? "w-96" : "w-80"} shrink-0 flex-col border-l border-slate-200 bg-white`} aria-label="Side panel">
          <div role="tablist" aria-label="Side panel" className="flex shrink-0 border-b border-slate-200 text-sm">
            {(canEdit ? (["inspector", "test", "versions"] as const) : (["inspector", "versions"] as const)).map((tab) => (
              <button
                key={tab}
                type="button"
                role="tab"
                aria-selected={panel === tab}
                data-testid={`tab-${tab}`}
                onClick={() => setPanel(tab)}
                className={`flex-1 px-3 py-2 font-medium ${panel === tab ? "border-b-2 border-brand-600 text-slate-900" : "text-slate-500 hover:text-slate-800"}`}
              >
                {PANEL_TITLES[tab]}
              </button>
            ))}
          </div>
          {panel === "test" ? (
            <TestPanel flowId={flow.id} graph={graph} errorCount={errorCount} onHighlight={setRunHighlight} onSelectNode={selectNode} />
          ) : panel === "versions" ? (
            <VersionsPanel flowId={flow.id} draft={graph} canEdit={canEdit} draftDirty={dirty} onRolledBack={onReload} />
          ) : (
            <div className="flex min-h-0 flex-1 flex-col overflow-y-auto" role="tabpanel" aria-label="Inspector">
              {selected ? (
                <Inspector
                  node={selected}
                  graph={graph}
                  readOnly={!canEdit}
                  onChange={(data) => updateNode(selected.id, data)}
                  onDelete={() => void reactFlow.deleteElements({ nodes: [{ id: selected.id }] })}
                />
              ) : (
                <p className="p-4 text-sm text-slate-500" data-testid="selection-summary">
                  {selectedElements.length > 1
                    ? `${selectedElements.length} elements selected: drag one to move them together, Ctrl+C to copy, Delete to remove.`
                    : selectedElements.length === 1
                      ? "A sticky note: type in it on the canvas. Notes are for your team; the flow never sends them."
                      : "Select a node to edit it. Drag from an output to another node to connect them, or click an output's + to add the next step."}
                </p>
              )}
              <div className="mt-auto border-t border-slate-200">
                <DiagnosticsPanel diagnostics={diagnostics} onSelectNode={selectNode} />
              </div>
            </div>
          )}
        </aside>
      </div>
      {portPicker ? (
        <PortPicker
          entries={followerEntries}
          anchor={portPicker.anchor}
          portLabel={portPicker.label}
          onPick={(type) => addAfterPort(portPicker.nodeId, portPicker.portId, type)}
          onClose={() => setPortPicker(null)}
        />
      ) : null}
      <ConfirmDialog
        open={confirmPublish}
        title={`Publish “${flow.name}”?`}
        confirmLabel={dirty ? "Save and publish" : "Publish"}
        onCancel={() => setConfirmPublish(false)}
        onConfirm={async () => {
          setConfirmPublish(false);
          if (dirty && !(await saveNow())) return;
          publish.mutate({ id: flow.id, note: publishNote.trim() || undefined });
        }}
      >
        <p>
          New conversations will start on the new version{publishedVersion ? ` (v${publishedVersion + 1})` : ""}. Conversations already running finish on the version they
          started on.
          {dirty ? " Your unsaved changes are saved first." : ""}
        </p>
        <label className="mt-3 block space-y-1">
          <span className="text-xs font-medium text-slate-700">
            What changed? <span className="font-normal text-slate-400">(optional, shown in the version history)</span>
          </span>
          <textarea
            className="field"
            rows={2}
            maxLength={500}
            data-testid="publish-note"
            value={publishNote}
            onChange={(event) => setPublishNote(event.target.value)}
            placeholder="e.g. Friendlier greeting"
          />
        </label>
      </ConfirmDialog>
      <ConfirmDialog
        open={pendingDelete !== null}
        danger
        title={pendingDelete && pendingDelete.nodes > 1 ? `Delete ${pendingDelete.nodes} elements?` : "Delete this node and its connections?"}
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
        Their connections are removed too. Ctrl+Z brings them back.
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
