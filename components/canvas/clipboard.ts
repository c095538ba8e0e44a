// Copy and paste on the canvas. What is copied is a piece of flow document (the selected
// nodes and notes, and the edges between them); pasting gives every piece a fresh id and
// rewires the edges to the new ids, so a paste never touches what is already there.
import { z } from "zod";
import { flowEdgeSchema, flowNodeSchema, flowNoteSchema, type FlowEdge, type FlowGraph, type FlowNode, type FlowNote } from "@/flows/schema";
import { edgeId, newNodeId, newNoteId } from "./graph";

const CLIPBOARD_FORMAT = "parley.clipboard";

const clipboardSchema = z.object({
  format: z.literal(CLIPBOARD_FORMAT),
  nodes: z.array(flowNodeSchema).max(5_000),
  edges: z.array(flowEdgeSchema).max(20_000),
  notes: z.array(flowNoteSchema).max(500),
});

export type Clipboard = z.infer<typeof clipboardSchema>;

/** The selected nodes and notes with the edges whose two ends are both selected. */
export function copySelection(graph: FlowGraph, selected: ReadonlySet<string>): Clipboard {
  return {
    format: CLIPBOARD_FORMAT,
    nodes: graph.nodes.filter((node) => selected.has(node.id)),
    edges: graph.edges.filter((edge) => selected.has(edge.from) && selected.has(edge.to)),
    notes: (graph.notes ?? []).filter((note) => selected.has(note.id)),
  };
}

export function isEmpty(clipboard: Clipboard): boolean {
  return clipboard.nodes.length === 0 && clipboard.notes.length === 0;
}

/** Text for the system clipboard or storage; `readClipboard` reads it back. */
export function writeClipboard(clipboard: Clipboard): string {
  return JSON.stringify(clipboard);
}

/** A clipboard from text, or null when the text is not something Parley copied. */
export function readClipboard(text: string | null): Clipboard | null {
  if (!text) return null;
  try {
    const parsed = clipboardSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export interface Pasted {
  nodes: FlowNode[];
  edges: FlowEdge[];
  notes: FlowNote[];
  /** Old id → new id, for every pasted node and note. */
  ids: Map<string, string>;
}

/**
 * The clipboard's pieces with new ids not in `taken`, moved by `offset`. Edges keep
 * their ports and follow their nodes to the new ids.
 */
export function pasteClipboard(clipboard: Clipboard, taken: ReadonlySet<string>, offset: { x: number; y: number }): Pasted {
  const used = new Set(taken);
  const ids = new Map<string, string>();
  const move = (position: { x: number; y: number }) => ({ x: position.x + offset.x, y: position.y + offset.y });
  const nodes = clipboard.nodes.map((node) => {
    const id = newNodeId(node.type, used);
    used.add(id);
    ids.set(node.id, id);
    return { ...structuredClone(node), id, position: move(node.position) };
  });
  const notes = clipboard.notes.map((note) => {
    const id = newNoteId(used);
    used.add(id);
    ids.set(note.id, id);
    return { ...structuredClone(note), id, position: move(note.position) };
  });
  const edges = clipboard.edges.flatMap((edge) => {
    const from = ids.get(edge.from);
    const to = ids.get(edge.to);
    if (from === undefined || to === undefined) return [];
    return [{ id: edgeId(from, edge.port, to), from, port: edge.port, to }];
  });
  return { nodes, edges, notes, ids };
}
