import type { NodeDefinition } from "./define-node";
import { builtinNodes } from "./nodes";
import { nodePackages } from "./packages.generated";

// Config types differ per node; the registry is read through parseConfig, which checks them.
type AnyNodeDefinition = NodeDefinition<never>;

const byType = new Map<string, AnyNodeDefinition>(builtinNodes.map((node) => [node.type, node]));
/** Where each node type not built in came from (its PARLEY_NODE_PACKAGES entry). */
const sources = new Map<string, string>();

/** Adds a node type from outside flows/nodes/ (a node package); a type name is registered once. */
export function registerNode(definition: AnyNodeDefinition, source = "a node package"): void {
  const shaped = definition && typeof definition.type === "string" && typeof definition.run === "function" && typeof definition.config?.safeParse === "function";
  if (!shaped) throw new Error(`${source} exports something that is not a node definition: build each one with defineNode({ type, config, run, … }).`);
  if (byType.has(definition.type)) {
    throw new Error(`Node type “${definition.type}” from ${source} is already registered (${sources.get(definition.type) ?? "built in"}): give it another type name.`);
  }
  byType.set(definition.type, definition);
  sources.set(definition.type, source);
}

for (const { source, nodes } of nodePackages) for (const node of nodes) registerNode(node, source);

/** The node package a type came from, or undefined for a built-in type. */
export function nodeSource(type: string): string | undefined {
  return sources.get(type);
}

export function nodeDefinition(type: string): AnyNodeDefinition | undefined {
  return byType.get(type);
}

export function nodeDefinitions(): AnyNodeDefinition[] {
  return [...byType.values()];
}

export type ConfigCheck =
  | { ok: true; config: never }
  | { ok: false; issues: { path: string; message: string }[] };

/**
 * Parses a node's saved config with its type's schema, first upgrading it from the type
 * version it was saved with (`savedVersion`, default: the current one) through the type's
 * migrations.
 */
export function parseConfig(definition: AnyNodeDefinition, raw: unknown, savedVersion = definition.version): ConfigCheck {
  const upgraded = upgradeConfig(definition, raw, savedVersion);
  if (!upgraded.ok) return upgraded;
  const result = definition.config.safeParse(upgraded.config);
  if (result.success) return { ok: true, config: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
  };
}

/**
 * A node brought to its type's current version (for editing: the canvas edits current
 * configs). Unknown types, and configs whose migration fails, are returned unchanged so
 * the validator can say what is wrong.
 */
export function upgradeNode<Node extends { type: string; version: number; config: Record<string, unknown> }>(node: Node): Node {
  const definition = nodeDefinition(node.type);
  if (!definition || node.version >= definition.version) return node;
  const upgraded = upgradeConfig(definition, node.config, node.version);
  if (!upgraded.ok) return node;
  return { ...node, version: definition.version, config: upgraded.config as Record<string, unknown> };
}

function upgradeConfig(
  definition: AnyNodeDefinition,
  raw: unknown,
  savedVersion: number,
): { ok: true; config: unknown } | { ok: false; issues: { path: string; message: string }[] } {
  const fail = (message: string) => ({ ok: false as const, issues: [{ path: "", message }] });
  if (savedVersion > definition.version) {
    return fail(`saved by a newer Parley (version ${savedVersion} of “${definition.type}”; this one knows ${definition.version})`);
  }
  let config = raw;
  for (let version = savedVersion; version < definition.version; version++) {
    const migrate = definition.migrations?.[version];
    if (!migrate) return fail(`no migration from version ${version} of “${definition.type}”`);
    if (typeof config !== "object" || config === null || Array.isArray(config)) return fail("the saved config is not an object");
    try {
      config = migrate(config as Record<string, unknown>);
    } catch (error) {
      return fail(`upgrading from version ${version} failed: ${(error as Error).message}`);
    }
  }
  return { ok: true, config };
}
