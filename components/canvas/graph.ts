// Conversions between Parley's FlowGraph and React Flow's nodes and edges, and the
// definition-driven facts the canvas shows for a node (ports, summary).
import type { Edge, Node } from "@xyflow/react";
import type { FlowGraph, FlowNote } from "@/flows/schema";
import type { PortDefinition } from "@/flows/define-node";
import { nodeDefinition, parseConfig, upgradeNode } from "@/flows/registry";

export interface FlowNodeData extends Record<string, unknown> {
  type: string;
  version: number;
  label?: string;
  config: Record<string, unknown>;
}

export type CanvasNode = Node<FlowNodeData, "flow">;
export type CanvasEdge = Edge;

export interface NoteData extends Record<string, unknown> {
  text: string;
}
/** A sticky note: a canvas element kept in the flow document's `notes`, never run. */
export type NoteNode = Node<NoteData, "note">;
/** Everything the editor's canvas holds: flow nodes and notes. */
export type EditorNode = CanvasNode | NoteNode;

export const isNote = (node: EditorNode): node is NoteNode => node.type === "note";
export const isFlowNode = (node: EditorNode): node is CanvasNode => node.type !== "note";

export function toCanvas(graph: FlowGraph): { nodes: CanvasNode[]; edges: CanvasEdge[]; notes: NoteNode[] } {
  return {
    // Configs saved with an older node type version are migrated before editing.
    nodes: graph.nodes.map(upgradeNode).map((node) => ({
      id: node.id,
      type: "flow",
      position: { ...node.position },
      data: { type: node.type, version: node.version, label: node.label, config: node.config },
    })),
    edges: graph.edges.map((edge) => ({ id: edge.id, source: edge.from, sourceHandle: edge.port, target: edge.to })),
    notes: (graph.notes ?? []).map(toNoteNode),
  };
}

export function toNoteNode(note: FlowNote): NoteNode {
  return {
    id: note.id,
    type: "note",
    position: { ...note.position },
    data: { text: note.text },
    // Behind the flow's nodes, so a note never hides one.
    zIndex: -1,
    ...(note.size ? { width: note.size.width, height: note.size.height } : {}),
  };
}

/** The flow document of what the canvas shows. `notes` is left out when there are none, so a flow without notes reads as before. */
export function toGraph(nodes: EditorNode[], edges: CanvasEdge[]): FlowGraph {
  const notes: FlowNote[] = nodes.filter(isNote).map((note) => ({
    id: note.id,
    text: note.data.text,
    position: { x: Math.round(note.position.x), y: Math.round(note.position.y) },
    ...(note.width && note.height ? { size: { width: Math.round(note.width), height: Math.round(note.height) } } : {}),
  }));
  return {
    nodes: nodes.filter(isFlowNode).map((node) => ({
      id: node.id,
      type: node.data.type,
      version: node.data.version,
      ...(node.data.label?.trim() ? { label: node.data.label.trim() } : {}),
      config: node.data.config,
      position: { x: Math.round(node.position.x), y: Math.round(node.position.y) },
    })),
    edges: edges.map((edge) => ({ id: edge.id, from: edge.source, port: edge.sourceHandle ?? "next", to: edge.target })),
    ...(notes.length > 0 ? { notes } : {}),
  };
}

// A node's ports and summary are read whenever its card is drawn, and a large flow draws
// cards again as they scroll into view: keep them per config object (a config is replaced,
// never changed in place, when the node is edited).
const described = new WeakMap<object, { type: string; ports?: PortDefinition[]; summary?: string }>();

function description(type: string, config: Record<string, unknown>) {
  let entry = described.get(config);
  if (!entry || entry.type !== type) {
    entry = { type };
    described.set(config, entry);
  }
  return entry;
}

/** Output ports of a node: from its (valid) config, else from what it holds, else its defaults. */
export function nodePorts(type: string, config: Record<string, unknown>): PortDefinition[] {
  const entry = description(type, config);
  entry.ports ??= computePorts(type, config);
  return entry.ports;
}

function computePorts(type: string, config: Record<string, unknown>): PortDefinition[] {
  const definition = nodeDefinition(type);
  if (!definition) return [];
  const check = parseConfig(definition, config);
  const attempts = [check.ok ? check.config : (config as never), definition.defaultConfig];
  for (const attempt of attempts) {
    try {
      return definition.ports(attempt);
    } catch {
      // try the next
    }
  }
  return [];
}

export function nodeSummary(type: string, config: Record<string, unknown>): string {
  const entry = description(type, config);
  entry.summary ??= computeSummary(type, config);
  return entry.summary;
}

function computeSummary(type: string, config: Record<string, unknown>): string {
  const definition = nodeDefinition(type);
  if (!definition) return "";
  const check = parseConfig(definition, config);
  try {
    return definition.summary(check.ok ? check.config : (config as never));
  } catch {
    return "";
  }
}

/** A fresh node id for a new node of `type`: `<type>_<n>`, unique in the graph. */
export function newNodeId(type: string, taken: Set<string>): string {
  const base = type.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 50) || "node";
  for (let n = 1; ; n++) {
    const id = `${base}_${n}`;
    if (!taken.has(id)) return id;
  }
}

/** A fresh note id, unique among `taken`. */
export function newNoteId(taken: Set<string>): string {
  for (let n = 1; ; n++) {
    const id = `note:${n}`;
    if (!taken.has(id)) return id;
  }
}

export function edgeId(source: string, port: string, target: string): string {
  return `${source}-${port}-${target}`.slice(0, 160);
}
