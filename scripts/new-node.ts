// `npm run new-node <name> [package folder]`: a new node type's folder with its definition,
// zod config, typed outputs, runner and a test using the harness, registered in
// flows/nodes/index.ts, or in the node package's index.ts when a package folder is given
// (created if new: then list it in PARLEY_NODE_PACKAGES). docs/custom-nodes.md walks through it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

export interface Scaffolded {
  type: string;
  /** Every file written or changed, relative to the root. */
  files: string[];
  /** The package folder relative to the root, when the node went into one. */
  packageDir?: string;
}

/** "Loyalty points", "loyalty-points" → "loyalty_points"; null when no valid type name comes out. */
export function nodeTypeName(name: string): string | null {
  const type = name
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
  return /^[a-z][a-z0-9_]{1,39}$/.test(type) ? type : null;
}

/**
 * Writes the node's folder and registers it. `root` is the Parley directory (a copy in tests);
 * `taken` says whether a type name is already in use (the registry's types by default).
 */
export async function scaffoldNode(options: { name: string; packageDir?: string; root?: string; taken?: (type: string) => boolean }): Promise<Scaffolded> {
  const root = options.root ?? repoRoot;
  const type = nodeTypeName(options.name);
  if (!type) throw new Error(`“${options.name}” is not a usable node type name: use 2–40 letters, digits, '_' or '-', starting with a letter (e.g. loyalty_points).`);
  const taken = options.taken ?? (await registeredTypes());
  if (taken(type)) throw new Error(`A node type “${type}” already exists: pick another name.`);

  const packageDir = options.packageDir === undefined ? undefined : path.relative(root, path.resolve(root, options.packageDir));
  if (packageDir !== undefined && (packageDir.startsWith("..") || path.isAbsolute(packageDir))) {
    throw new Error(`The package folder “${options.packageDir}” is outside the Parley directory; Parley builds node packages from inside it (e.g. node-packages/my-nodes).`);
  }
  const parent = packageDir === undefined ? path.join(root, "flows/nodes") : path.join(root, packageDir);
  const folder = path.join(parent, type);
  if (existsSync(folder)) throw new Error(`${path.relative(root, folder)} already exists.`);

  // Built-in types import the SDK relatively, like their neighbours; packages through the "@/" alias.
  const sdk = packageDir === undefined ? "../.." : "@/flows";
  const files: string[] = [];
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    files.push(path.relative(root, file).split(path.sep).join("/"));
  };
  const identifier = type.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
  write(path.join(folder, "index.ts"), definitionSource(type, identifier, sdk));
  write(path.join(folder, `${type}.test.ts`), testSource(type, identifier, sdk));

  if (packageDir === undefined) {
    const index = path.join(parent, "index.ts");
    write(index, registerBuiltin(readFileSync(index, "utf8"), type, identifier));
  } else {
    const index = path.join(parent, "index.ts");
    write(index, existsSync(index) ? registerInPackage(readFileSync(index, "utf8"), type, identifier, index) : packageIndexSource(type, identifier));
  }
  return { type, files, ...(packageDir === undefined ? {} : { packageDir: packageDir.split(path.sep).join("/") }) };
}

async function registeredTypes(): Promise<(type: string) => boolean> {
  const { nodeDefinition } = await import("@/flows/registry");
  return (type) => nodeDefinition(type) !== undefined;
}

function title(type: string): string {
  const words = type.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function definitionSource(type: string, identifier: string, sdk: string): string {
  const configType = `${identifier.charAt(0).toUpperCase()}${identifier.slice(1)}Config`;
  return `// ${title(type)}: say here what the node does and why a flow needs it.
import { z } from "zod";
import { defineNode, NEXT_PORT } from "${sdk}/define-node";

// The inspector draws its form from this schema: each field's .describe() is its help text.
const config = z.object({
  text: z.string().trim().min(1, "write the message").max(4096, "WhatsApp texts hold at most 4096 characters").describe("What to send; {{contact.name}} and {{vars.…}} are filled in."),
  variable: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,39}$/i, "use letters, digits and '_' (not starting with a digit)")
    .default("${type}_text")
    .describe("The variable that keeps what was sent, as {{vars.<name>}}."),
});
type ${configType} = z.infer<typeof config>;

// What run() returns as output: later nodes read it as {{nodes.<this node's id>.text}}.
const outputs = z.object({ text: z.string() });

export default defineNode<${configType}>({
  type: "${type}",
  version: 1,
  title: "${title(type)}",
  description: "One sentence for the palette: what this node does.",
  category: "message",
  icon: "🧩",
  config,
  outputs,
  defaultConfig: { text: "Hello {{contact.name}}!", variable: "${type}_text" },
  ports: () => [NEXT_PORT],
  summary: (c) => c.text,
  templateFields: ["text"],
  setsVariables: (c) => [c.variable],
  async run(ctx) {
    const text = ctx.render(ctx.config.text);
    await ctx.send({ type: "text", text });
    ctx.setVar(ctx.config.variable, text);
    return { port: "next", output: { text } };
  },
});
`;
}

function testSource(type: string, identifier: string, sdk: string): string {
  return `import { expect, test } from "vitest";
import { testNode } from "${sdk}/testing";
import ${identifier} from "./index";

test("sends the text with the contact's name and variables filled in, and keeps it in a variable", async () => {
  const result = await testNode(${identifier}, {
    config: { text: "Hi {{contact.name}}, you have {{vars.points}} points" },
    contact: { name: "Ana" },
    vars: { points: 120 },
  });
  expect(result.sent).toEqual([{ type: "text", text: "Hi Ana, you have 120 points" }]);
  expect(result.stored).toEqual({ ${type}_text: "Hi Ana, you have 120 points" });
  expect(result.port).toBe("next");
  expect(result.output).toEqual({ text: "Hi Ana, you have 120 points" });
});

test("an empty text is refused before anything is sent", async () => {
  await expect(testNode(${identifier}, { config: { text: "" } })).rejects.toThrow(/write the message/);
});
`;
}

function packageIndexSource(type: string, identifier: string): string {
  return `// A node package: Parley loads these node types when PARLEY_NODE_PACKAGES names this folder.
import { nodePackage } from "@/flows/define-node";
import ${identifier} from "./${type}";

export default nodePackage(${identifier});
`;
}

/** flows/nodes/index.ts with the new type imported and appended to builtinNodes. */
function registerBuiltin(source: string, type: string, identifier: string): string {
  const list = /(export const builtinNodes = \[)([^\]]*)(\])/.exec(source);
  const lastImport = [...source.matchAll(/^import .*;$/gm)].at(-1);
  if (!list || !lastImport) throw new Error("flows/nodes/index.ts no longer has its import list and builtinNodes array: register the node there by hand.");
  const withEntry = source.replace(list[0], () => `${list[1]}${list[2]!.trimEnd()}, ${identifier}${list[3]}`);
  const at = withEntry.indexOf(lastImport[0]) + lastImport[0].length;
  return `${withEntry.slice(0, at)}\nimport ${identifier} from "./${type}";${withEntry.slice(at)}`;
}

/** A package's index.ts with the new type imported and added to its nodePackage(…) call. */
function registerInPackage(source: string, type: string, identifier: string, file: string): string {
  const call = /nodePackage\(([^)]*)\)/.exec(source);
  const lastImport = [...source.matchAll(/^import .*;$/gm)].at(-1);
  if (!call || !lastImport) throw new Error(`${file} has no nodePackage(…) call: add the node to its default export by hand.`);
  const args = call[1]!.trim();
  const withEntry = source.replace(call[0], () => `nodePackage(${args === "" ? identifier : `${args}, ${identifier}`})`);
  const at = withEntry.indexOf(lastImport[0]) + lastImport[0].length;
  return `${withEntry.slice(0, at)}\nimport ${identifier} from "./${type}";${withEntry.slice(at)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [name, packageDir] = process.argv.slice(2);
  if (!name) {
    console.error("Usage: npm run new-node <name> [package folder]\n  e.g. npm run new-node loyalty_points\n       npm run new-node parcel_eta node-packages/my-nodes");
    process.exit(1);
  }
  try {
    const result = await scaffoldNode({ name, packageDir });
    for (const file of result.files) console.log(`  wrote ${file}`);
    const testFile = result.files.find((file) => file.endsWith(".test.ts"));
    console.log(`\nNode type “${result.type}” created. Next:\n  npx vitest run --project unit ${testFile}`);
    if (result.packageDir) {
      console.log(`  PARLEY_NODE_PACKAGES=${result.packageDir} npm start   (add it to the list if you already have packages)`);
    } else {
      console.log("  npm start   (it appears in the palette)");
    }
    console.log("Then edit the folder: docs/custom-nodes.md explains each part.");
  } catch (error) {
    console.error(`new-node: ${(error as Error).message}`);
    process.exit(1);
  }
}
