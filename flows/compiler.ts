// Turns a flow document into what the runtime executes: nodes resolved against the
// registry with parsed configs, edges indexed by (node, port), and the Inngest function
// settings every flow shares. Refuses a graph the validator finds errors in.
import type { NodeDefinition, ScheduleAudience } from "./define-node";
import type { FlowGraph, FlowNode } from "./schema";
import { checkFlow, templateStrings, type Diagnostic } from "./validator";
import { templateVariables } from "./template";

export interface CompiledNode {
  node: FlowNode;
  definition: NodeDefinition<never>;
  config: never;
}

export interface CompiledFlow {
  triggerId: string;
  nodes: Map<string, CompiledNode>;
  /** Target node by `${from}\u0000${port}`. */
  edges: Map<string, string>;
}

export class FlowCompileError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(`The flow has ${diagnostics.length} error(s): ${diagnostics.map((d) => d.message).join("; ")}`);
    this.name = "FlowCompileError";
  }
}

export function compileFlow(graph: FlowGraph): CompiledFlow {
  const checked = checkFlow(graph);
  const errors = checked.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new FlowCompileError(errors);
  const nodes = new Map<string, CompiledNode>();
  let triggerId: string | undefined;
  for (const node of graph.nodes) {
    const { definition, config } = checked.nodes.get(node.id)!;
    nodes.set(node.id, { node, definition, config });
    if (definition.trigger) triggerId = node.id;
  }
  const edges = new Map(graph.edges.map((edge) => [edgeKey(edge.from, edge.port), edge.to]));
  return { triggerId: triggerId!, nodes, edges };
}

/**
 * The fields of its trigger data a flow reads (`{{trigger.data.<field>}}` in its nodes'
 * templates), in order of appearance: what a caller passing data to it should fill in.
 */
export function flowInputs(flow: CompiledFlow): string[] {
  const fields = new Set<string>();
  for (const { definition, config } of flow.nodes.values()) {
    for (const field of definition.templateFields ?? []) {
      for (const source of templateStrings((config as Record<string, unknown>)[field])) {
        for (const path of templateVariables(source)) {
          const [root, data, name] = path.split(".");
          if (root === "trigger" && data === "data" && name) fields.add(name);
        }
      }
    }
  }
  return [...fields];
}

/** How a compiled flow starts, read from its trigger node's type. */
export type FlowStart =
  | { kind: "message" }
  | { kind: "schedule"; cron: string; timezone: string; audience: ScheduleAudience }
  | { kind: "event"; name: string; priority: number };

export function flowStart(flow: CompiledFlow): FlowStart {
  const { definition, config } = flow.nodes.get(flow.triggerId)!;
  const trigger = definition.trigger!;
  if (trigger.kind === "schedule") return { kind: "schedule", ...trigger.schedule(config) };
  if (trigger.kind === "event") return { kind: "event", ...trigger.event(config) };
  return { kind: "message" };
}

export function edgeKey(from: string, port: string): string {
  return `${from}\u0000${port}`;
}

/** The event that starts a run of one flow, sent by the conversation router. */
export function flowRunEventName(flowId: string): string {
  return `parley/flow.${flowId}.run`;
}

/** Inngest function id of a flow: one function per flow, runs pinned to their version. */
export function flowFunctionId(flowId: string): string {
  return `flow-${flowId}`;
}

/** Inngest function id of a scheduled flow's timer, which asks for one run per recipient. */
export function scheduleFunctionId(flowId: string): string {
  return `flow-${flowId}-schedule`;
}

/** The doorbell a waiting run listens for; the message itself is read from the database. */
export const CONVERSATION_MESSAGE_EVENT = "parley/conversation.message";
