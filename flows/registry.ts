import type { NodeDefinition } from "./define-node";
import { builtinNodes } from "./nodes";

// Config types differ per node; the registry is read through parseConfig, which checks them.
type AnyNodeDefinition = NodeDefinition<never>;

const byType = new Map<string, AnyNodeDefinition>(builtinNodes.map((node) => [node.type, node]));

export function nodeDefinition(type: string): AnyNodeDefinition | undefined {
  return byType.get(type);
}

export function nodeDefinitions(): AnyNodeDefinition[] {
  return [...byType.values()];
}

export type ConfigCheck =
  | { ok: true; config: never }
  | { ok: false; issues: { path: string; message: string }[] };

export function parseConfig(definition: AnyNodeDefinition, raw: unknown): ConfigCheck {
  const result = definition.config.safeParse(raw);
  if (result.success) return { ok: true, config: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
  };
}
