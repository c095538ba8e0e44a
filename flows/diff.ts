// What changed between two versions of a flow, node by node: for the studio's visual diff.
// Positions are not changes (moving a node changes nothing a contact sees); notes are ignored.
import type { FlowEdge, FlowGraph, FlowNode } from "./schema";

export interface NodeChange {
  id: string;
  before: FlowNode;
  after: FlowNode;
  /** What differs: "type", "label", and the config fields ("text", "choices"…) by name. */
  fields: string[];
}

export interface FlowDiff {
  added: FlowNode[];
  removed: FlowNode[];
  changed: NodeChange[];
  addedEdges: FlowEdge[];
  removedEdges: FlowEdge[];
}

/** JSON with object keys sorted, so two equal values always read the same. */
function stable(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

function changedFields(before: FlowNode, after: FlowNode): string[] {
  const fields: string[] = [];
  if (before.type !== after.type) fields.push("type");
  if ((before.label ?? "") !== (after.label ?? "")) fields.push("label");
  const keys = [...new Set([...Object.keys(before.config), ...Object.keys(after.config)])].sort();
  for (const key of keys) {
    if (stable(before.config[key]) !== stable(after.config[key])) fields.push(key);
  }
  return fields;
}

const edgeKey = (edge: FlowEdge) => `${edge.from}\u0000${edge.port}\u0000${edge.to}`;

export function diffFlows(before: FlowGraph, after: FlowGraph): FlowDiff {
  const old = new Map(before.nodes.map((node) => [node.id, node]));
  const now = new Map(after.nodes.map((node) => [node.id, node]));
  const changed: NodeChange[] = [];
  for (const node of after.nodes) {
    const previous = old.get(node.id);
    if (!previous) continue;
    const fields = changedFields(previous, node);
    if (fields.length > 0) changed.push({ id: node.id, before: previous, after: node, fields });
  }
  const oldEdges = new Set(before.edges.map(edgeKey));
  const newEdges = new Set(after.edges.map(edgeKey));
  return {
    added: after.nodes.filter((node) => !old.has(node.id)),
    removed: before.nodes.filter((node) => !now.has(node.id)),
    changed,
    addedEdges: after.edges.filter((edge) => !oldEdges.has(edgeKey(edge))),
    removedEdges: before.edges.filter((edge) => !newEdges.has(edgeKey(edge))),
  };
}

export function isUnchanged(diff: FlowDiff): boolean {
  return diff.added.length + diff.removed.length + diff.changed.length + diff.addedEdges.length + diff.removedEdges.length === 0;
}
