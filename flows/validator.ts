// Design-time checks shared by the canvas and publish: publish refuses any "error".
import type { FlowGraph } from "./schema";
import { nodeDefinition, parseConfig } from "./registry";
import { templateError, templateVariables } from "./template";

export interface Diagnostic {
  severity: "error" | "warning";
  nodeId?: string;
  port?: string;
  message: string;
}

const VARIABLE_ROOTS = new Set(["contact", "message", "vars", "nodes"]);

export function validateFlow(graph: FlowGraph): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const nodes = new Map(graph.nodes.map((node) => [node.id, node]));
  if (nodes.size !== graph.nodes.length) diagnostics.push({ severity: "error", message: "Two nodes share one id." });

  const triggers = graph.nodes.filter((node) => nodeDefinition(node.type)?.trigger);
  if (triggers.length === 0) diagnostics.push({ severity: "error", message: "The flow has no trigger: add a “When a message arrives” node." });
  if (triggers.length > 1) {
    for (const extra of triggers.slice(1)) diagnostics.push({ severity: "error", nodeId: extra.id, message: "A flow has one trigger." });
  }

  const portsByNode = new Map<string, Set<string>>();
  for (const node of graph.nodes) {
    const definition = nodeDefinition(node.type);
    if (!definition) {
      diagnostics.push({ severity: "error", nodeId: node.id, message: `Unknown node type “${node.type}”.` });
      continue;
    }
    const check = parseConfig(definition, node.config);
    if (!check.ok) {
      for (const issue of check.issues) {
        diagnostics.push({ severity: "error", nodeId: node.id, message: issue.path ? `${issue.path}: ${issue.message}` : issue.message });
      }
      continue;
    }
    portsByNode.set(node.id, new Set(definition.ports(check.config).map((port) => port.id)));
    for (const field of definition.templateFields ?? []) {
      const source = (check.config as Record<string, unknown>)[field];
      if (typeof source !== "string") continue;
      const error = templateError(source);
      if (error) {
        diagnostics.push({ severity: "error", nodeId: node.id, message: `${field}: ${error}` });
        continue;
      }
      for (const variable of templateVariables(source)) {
        const root = variable.split(/[.[]/)[0] ?? "";
        if (!VARIABLE_ROOTS.has(root)) {
          diagnostics.push({
            severity: "error",
            nodeId: node.id,
            message: `${field}: unknown variable {{${variable}}} (use contact.…, message.…, vars.… or nodes.<id>.…)`,
          });
        }
      }
    }
  }

  const outgoing = new Map<string, string[]>();
  for (const edge of graph.edges) {
    if (!nodes.has(edge.from) || !nodes.has(edge.to)) {
      diagnostics.push({ severity: "error", nodeId: nodes.has(edge.from) ? edge.from : undefined, message: "A connection points to a node that does not exist." });
      continue;
    }
    const ports = portsByNode.get(edge.from);
    if (ports && !ports.has(edge.port)) {
      diagnostics.push({ severity: "error", nodeId: edge.from, port: edge.port, message: `No output “${edge.port}” on this node.` });
    }
    if (graph.edges.some((other) => other !== edge && other.from === edge.from && other.port === edge.port)) {
      diagnostics.push({ severity: "error", nodeId: edge.from, port: edge.port, message: `Output “${edge.port}” is connected twice.` });
    }
    outgoing.set(edge.from, [...(outgoing.get(edge.from) ?? []), edge.to]);
  }

  const reachable = new Set<string>();
  const queue = triggers.slice(0, 1).map((node) => node.id);
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (reachable.has(id)) continue;
    reachable.add(id);
    queue.push(...(outgoing.get(id) ?? []));
  }
  if (triggers.length > 0) {
    for (const node of graph.nodes) {
      if (!reachable.has(node.id)) diagnostics.push({ severity: "warning", nodeId: node.id, message: "Nothing leads to this node: it never runs." });
    }
  }
  return dedupe(diagnostics);
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.severity}|${d.nodeId}|${d.port}|${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
