// Typed outputs: a node type's `outputs` zod schema read as the `{{nodes.<id>.…}}` paths it
// offers, so the validator can flag a field the node never outputs and the inspector can
// list the ones it does. Schemas are read through zod 4's `def`, like the inspector's forms.
import type { z } from "zod";
import { nodeDefinition, parseConfig } from "./registry";
import type { FlowGraph } from "./schema";

interface Introspectable {
  def: { type: string; innerType?: Introspectable; element?: Introspectable; shape?: Record<string, Introspectable> };
}

/** Unwraps optional, nullable, default… down to the schema that says what the value is. */
function unwrap(schema: Introspectable): Introspectable {
  let current = schema;
  while (current.def.innerType && ["optional", "nullable", "default", "prefault", "readonly", "catch", "nonoptional"].includes(current.def.type)) {
    current = current.def.innerType;
  }
  return current;
}

/**
 * Whether `path` (the segments after `nodes.<id>`, e.g. ["tracking", "number"] or
 * ["items", "0", "title"]) can exist in an output of `schema`. Only object fields are
 * checked: below a record, a union or `unknown` anything goes.
 */
export function checkOutputPath(schema: z.ZodType, path: string[]): { ok: true } | { ok: false; field: string; known: string[] } {
  let current = unwrap(schema as unknown as Introspectable);
  for (const segment of path) {
    if (current.def.type === "object" && current.def.shape) {
      const next = current.def.shape[segment];
      if (!next) return { ok: false, field: segment, known: Object.keys(current.def.shape) };
      current = unwrap(next);
    } else if (current.def.type === "array" && current.def.element && /^\d+$/.test(segment)) {
      current = unwrap(current.def.element);
    } else {
      return { ok: true };
    }
  }
  return { ok: true };
}

/** The paths an output offers, nested objects included ("status", "tracking.number"), in declaration order. */
export function outputPaths(schema: z.ZodType): string[] {
  const paths: string[] = [];
  const visit = (current: Introspectable, prefix: string, depth: number) => {
    if (current.def.type !== "object" || !current.def.shape || depth > 3) return;
    for (const [key, field] of Object.entries(current.def.shape)) {
      paths.push(`${prefix}${key}`);
      visit(unwrap(field), `${prefix}${key}.`, depth + 1);
    }
  };
  visit(unwrap(schema as unknown as Introspectable), "", 0);
  return paths;
}

/**
 * What a template in node `nodeId` can use, for the inspector's hints: the contact and the
 * message, every `{{vars.…}}` the flow sets, and the typed outputs of the flow's other nodes.
 */
export function availableVariables(graph: FlowGraph, nodeId: string): string[] {
  const variables = new Set<string>();
  const outputs: string[] = [];
  for (const node of graph.nodes) {
    const definition = nodeDefinition(node.type);
    if (!definition) continue;
    const parsed = parseConfig(definition, node.config, node.version);
    if (parsed.ok) for (const name of definition.setsVariables?.(parsed.config) ?? []) variables.add(`vars.${name}`);
    if (definition.outputs && node.id !== nodeId) outputs.push(...outputPaths(definition.outputs).map((path) => `nodes.${node.id}.${path}`));
  }
  return ["contact.name", "contact.waId", "message.text", ...[...variables].sort(), ...outputs];
}
