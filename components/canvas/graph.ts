// Conversions between Parley's FlowGraph and React Flow's nodes and edges, and the
// definition-driven facts the canvas shows for a node (ports, summary).
import type { Edge, Node } from "@xyflow/react";
import type { FlowGraph } from "@/flows/schema";
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

export function toCanvas(graph: FlowGraph): { nodes: CanvasNode[]; edges: CanvasEdge[] } {
  return {
    // Configs saved with an older node type version are migrated before editing.
    nodes: graph.nodes.map(upgradeNode).map((node) => ({
      id: node.id,
      type: "flow",
      position: { ...node.position },
      data: { type: node.type, version: node.version, label: node.label, config: node.config },
    })),
    edges: graph.edges.map((edge) => ({ id: edge.id, source: edge.from, sourceHandle: edge.port, target: edge.to })),
  };
}

export function toGraph(nodes: CanvasNode[], edges: CanvasEdge[]): FlowGraph {
  return {
    nodes: nodes.map((node) => ({
      id: node.id,
      type: node.data.type,
      version: node.data.version,
      ...(node.data.label?.trim() ? { label: node.data.label.trim() } : {}),
      config: node.data.config,
      position: { x: Math.round(node.position.x), y: Math.round(node.position.y) },
    })),
    edges: edges.map((edge) => ({ id: edge.id, from: edge.source, port: edge.sourceHandle ?? "next", to: edge.target })),
  };
}

/** Output ports of a node: from its (valid) config, else from what it holds, else its defaults. */
export function nodePorts(type: string, config: Record<string, unknown>): PortDefinition[] {
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

export function edgeId(source: string, port: string, target: string): string {
  return `${source}-${port}-${target}`.slice(0, 160);
}
