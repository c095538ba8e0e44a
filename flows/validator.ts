// Design-time checks shared by the canvas and publish: publish refuses any "error".
import type { z } from "zod";
import { startsWithoutMessage, type NodeDefinition } from "./define-node";
import { WINDOW_CLOSED_PORT } from "./message";
import { checkOutputPath } from "./outputs";
import { nodeDefinition, parseConfig } from "./registry";
import type { FlowGraph } from "./schema";
import { analyseTemplate } from "./template";

export interface Diagnostic {
  severity: "error" | "warning";
  nodeId?: string;
  port?: string;
  message: string;
  /** What to do about it, when there is an obvious fix. */
  hint?: string;
}

const VARIABLE_ROOTS = new Set(["contact", "message", "trigger", "vars", "nodes"]);

export interface CheckedNode {
  definition: NodeDefinition<never>;
  /** The node's config, migrated and parsed by its type's schema. */
  config: never;
  ports: Set<string>;
  links: string[];
}

export function validateFlow(graph: FlowGraph): Diagnostic[] {
  return checkFlow(graph).diagnostics;
}

/** The diagnostics, and each node whose config is valid with its parsed config (the compiler's input). */
export function checkFlow(graph: FlowGraph): { diagnostics: Diagnostic[]; nodes: Map<string, CheckedNode> } {
  const diagnostics: Diagnostic[] = [];
  const ids = new Set(graph.nodes.map((node) => node.id));
  if (ids.size !== graph.nodes.length) diagnostics.push({ severity: "error", message: "Two nodes share one id." });

  const triggers = graph.nodes.filter((node) => nodeDefinition(node.type)?.trigger);
  if (triggers.length === 0) {
    diagnostics.push({ severity: "error", message: "The flow has no trigger.", hint: "Add a “When a message arrives” node and connect it to the first step." });
  }
  for (const extra of triggers.slice(1)) {
    diagnostics.push({ severity: "error", nodeId: extra.id, message: "A flow has one trigger.", hint: "Delete this trigger or move it to a flow of its own." });
  }

  const checked = new Map<string, CheckedNode>();
  const templates: { nodeId: string; field: string; source: string }[] = [];
  const setVariables = new Set<string>();
  for (const node of graph.nodes) {
    const definition = nodeDefinition(node.type);
    if (!definition) {
      diagnostics.push({ severity: "error", nodeId: node.id, message: `Unknown node type “${node.type}”.`, hint: "Delete the node, or install the node type it needs." });
      continue;
    }
    const check = parseConfig(definition, node.config, node.version);
    if (!check.ok) {
      for (const issue of check.issues) {
        diagnostics.push({ severity: "error", nodeId: node.id, message: issue.path ? `${issue.path}: ${issue.message}` : issue.message });
      }
      continue;
    }
    const links = definition.links?.(check.config) ?? [];
    for (const target of links) {
      if (!ids.has(target)) diagnostics.push({ severity: "error", nodeId: node.id, message: `Goes to “${target}”, which is not in this flow.`, hint: "Pick an existing node." });
    }
    checked.set(node.id, { definition, config: check.config, ports: new Set(definition.ports(check.config).map((port) => port.id)), links });
    for (const name of definition.setsVariables?.(check.config) ?? []) setVariables.add(name);
    for (const field of definition.templateFields ?? []) {
      for (const source of templateStrings((check.config as Record<string, unknown>)[field])) templates.push({ nodeId: node.id, field, source });
    }
  }
  // Nodes whose type declares its outputs, so `{{nodes.<id>.<field>}}` can be checked.
  const typedOutputs = new Map<string, { title: string; schema: z.ZodType }>();
  for (const node of graph.nodes) {
    const definition = nodeDefinition(node.type);
    if (definition?.outputs) typedOutputs.set(node.id, { title: definition.title, schema: definition.outputs });
  }
  for (const { nodeId, field, source } of templates) diagnostics.push(...checkTemplate(nodeId, field, source, ids, setVariables, typedOutputs));

  const next = new Map<string, string[]>();
  const follow = (from: string, to: string) => {
    const targets = next.get(from);
    if (targets) targets.push(to);
    else next.set(from, [to]);
  };
  const connectedPorts = new Map<string, number>();
  for (const edge of graph.edges) {
    const key = `${edge.from}\u0000${edge.port}`;
    connectedPorts.set(key, (connectedPorts.get(key) ?? 0) + 1);
  }
  for (const edge of graph.edges) {
    if (!ids.has(edge.from) || !ids.has(edge.to)) {
      diagnostics.push({ severity: "error", nodeId: ids.has(edge.from) ? edge.from : undefined, message: "A connection points to a node that does not exist." });
      continue;
    }
    const node = checked.get(edge.from);
    if (node && !node.ports.has(edge.port)) {
      diagnostics.push({ severity: "error", nodeId: edge.from, port: edge.port, message: `No output “${edge.port}” on this node.`, hint: "Delete the connection." });
    }
    if ((connectedPorts.get(`${edge.from}\u0000${edge.port}`) ?? 0) > 1) {
      diagnostics.push({ severity: "error", nodeId: edge.from, port: edge.port, message: `Output “${edge.port}” is connected twice.`, hint: "Keep one connection per output." });
    }
    follow(edge.from, edge.to);
  }
  for (const [id, node] of checked) for (const target of node.links) if (ids.has(target)) follow(id, target);

  for (const node of graph.nodes) {
    const definition = checked.get(node.id)?.definition;
    const config = checked.get(node.id)?.config;
    if (!definition || config === undefined) continue;
    for (const port of definition.ports(config)) {
      if (port.failure && (connectedPorts.get(`${node.id}\u0000${port.id}`) ?? 0) === 0) {
        diagnostics.push({
          severity: "warning",
          nodeId: node.id,
          port: port.id,
          message: `Nothing handles “${port.label}”: when it happens the run ends without a word to the contact.`,
          hint: "Connect it to a message that says what went wrong, or to another way forward.",
        });
      }
    }
  }

  const reachable = new Set<string>();
  const queue = triggers.slice(0, 1).map((node) => node.id);
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (reachable.has(id)) continue;
    reachable.add(id);
    queue.push(...(next.get(id) ?? []));
  }
  if (triggers.length > 0) {
    for (const node of graph.nodes) {
      if (!reachable.has(node.id)) {
        diagnostics.push({ severity: "warning", nodeId: node.id, message: "Nothing leads to this node: it never runs.", hint: "Connect an output to it, or delete it." });
      }
    }
  }

  const trigger = triggers[0] && checked.get(triggers[0].id);
  if (trigger?.definition.trigger && startsWithoutMessage(trigger.definition.trigger)) {
    // A send whose "window closed" output is connected has its fallback (a template): WhatsApp's refusal is handled.
    const fallsBack = new Set(graph.edges.filter((edge) => edge.port === WINDOW_CLOSED_PORT.id).map((edge) => edge.from));
    diagnostics.push(...freeFormBeforeAnswer(triggers[0]!.id, trigger.definition.trigger.kind, next, checked, fallsBack));
  }

  for (const loop of loopsWithoutWaiting(graph.nodes.map((node) => node.id), next, checked)) {
    diagnostics.push({
      severity: "error",
      nodeId: loop[0],
      message: `These nodes loop without ever waiting for the contact: ${loop.join(" → ")}. The run would send messages without end.`,
      hint: "Put a question (“Ask”) inside the loop, or give it an exit.",
    });
  }
  return { diagnostics: dedupe(diagnostics), nodes: checked };
}

/** Every string in a config value: a template field may hold a string or lists/objects of them. */
/** Every string in a template field's value (a text, or lists and records of texts). */
export function templateStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(templateStrings);
  if (value && typeof value === "object") return Object.values(value).flatMap(templateStrings);
  return [];
}

function checkTemplate(
  nodeId: string,
  field: string,
  source: string,
  nodeIds: Set<string>,
  setVariables: Set<string>,
  typedOutputs: Map<string, { title: string; schema: z.ZodType }>,
): Diagnostic[] {
  const analysis = analyseTemplate(source);
  if (!analysis.ok) return [{ severity: "error", nodeId, message: `${field}: ${analysis.error}`, hint: "Close every {{ with }}." }];
  const diagnostics: Diagnostic[] = [];
  for (const variable of analysis.variables) {
    const [root = "", name, ...path] = variable.split(/[.[\]'"]+/).filter(Boolean);
    if (!VARIABLE_ROOTS.has(root)) {
      diagnostics.push({
        severity: "error",
        nodeId,
        message: `${field}: unknown variable {{${variable}}}`,
        hint: "Use contact.name, message.text, vars.<name> or nodes.<node id>.<field>.",
      });
    } else if (root === "nodes" && name && !nodeIds.has(name)) {
      diagnostics.push({ severity: "error", nodeId, message: `${field}: {{${variable}}} names no node of this flow`, hint: "Use the id of an earlier node." });
    } else if (root === "nodes" && name && typedOutputs.has(name)) {
      const { title, schema } = typedOutputs.get(name)!;
      const check = checkOutputPath(schema, path);
      if (!check.ok) {
        diagnostics.push({
          severity: "error",
          nodeId,
          message: `${field}: {{${variable}}}: “${title}” outputs no field “${check.field}”, so it renders empty`,
          hint: `Its fields there: ${check.known.join(", ")}.`,
        });
      }
    } else if (root === "vars" && name && !setVariables.has(name)) {
      diagnostics.push({
        severity: "warning",
        nodeId,
        message: `${field}: nothing in this flow sets {{vars.${name}}}, so it renders empty`,
        hint: "Store it with an “Ask” or “Set variables” node first, or use | default: '…'.",
      });
    }
  }
  return diagnostics;
}

/**
 * Free-form messages a run started by a schedule or an event sends before the contact has
 * answered anything: WhatsApp refuses them unless the contact wrote in the last 24 hours.
 * A scheduled run usually reaches people who have not, so there it is an error; an event
 * may concern someone who just wrote, so there it is a warning.
 */
function freeFormBeforeAnswer(
  triggerId: string,
  kind: string,
  next: Map<string, string[]>,
  checked: Map<string, CheckedNode>,
  fallsBack: ReadonlySet<string>,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const queue = [...(next.get(triggerId) ?? [])];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const node = checked.get(id);
    if (!node) continue;
    if (node.definition.sendsFreeForm?.(node.config) && !fallsBack.has(id)) {
      diagnostics.push({
        severity: kind === "schedule" ? "error" : "warning",
        nodeId: id,
        message:
          kind === "schedule"
            ? "This message goes out before the contact has written: WhatsApp refuses free-form messages outside the 24-hour window."
            : "This message may go out to a contact who has not written in 24 hours: WhatsApp would refuse it.",
        hint: "Open with an approved template (a Send message node of kind “template”), then wait for the answer — or connect this node's “window closed” output to one.",
      });
    }
    // Once the contact has answered, the window is open for what follows.
    if (!node.definition.waitsForContact) queue.push(...(next.get(id) ?? []));
  }
  return diagnostics;
}

/**
 * Strongly connected groups of nodes (Tarjan) that form a cycle and contain no node that
 * waits for the contact: a run entering one never stops on its own.
 */
function loopsWithoutWaiting(ids: string[], next: Map<string, string[]>, checked: Map<string, CheckedNode>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const loops: string[][] = [];
  let counter = 0;
  const visit = (id: string) => {
    index.set(id, counter);
    low.set(id, counter++);
    stack.push(id);
    onStack.add(id);
    for (const to of next.get(id) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(id, Math.min(low.get(id)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(id, Math.min(low.get(id)!, index.get(to)!));
      }
    }
    if (low.get(id) !== index.get(id)) return;
    const group: string[] = [];
    for (let member = stack.pop()!; ; member = stack.pop()!) {
      onStack.delete(member);
      group.push(member);
      if (member === id) break;
    }
    const cycle = group.length > 1 || (next.get(id) ?? []).includes(id);
    if (cycle && !group.some((member) => checked.get(member)?.definition.waitsForContact)) loops.push(group.reverse());
  };
  for (const id of ids) if (!index.has(id)) visit(id);
  return loops;
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
