// Node packages: node types that live outside flows/nodes/, named in PARLEY_NODE_PACKAGES
// (comma-separated: folders inside the Parley directory, or installed npm packages). The
// canvas reads the registry in the browser and Next bundles at build time, so the list
// becomes a static import list, flows/packages.generated.ts, that flows/registry.ts reads.
// `npm start` rewrites it before building; `npm install` and vitest write it when missing.
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const GENERATED = "flows/packages.generated.ts";
const ENTRY_FILES = ["index.ts", "index.tsx", "index.js", "index.mjs"];
const NPM_NAME = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;

/** The entries of PARLEY_NODE_PACKAGES, trimmed, in order, each once. */
export function nodePackageEntries(value = process.env.PARLEY_NODE_PACKAGES ?? "") {
  return [...new Set(value.split(",").map((entry) => entry.trim()).filter(Boolean))];
}

/**
 * Where one entry's definitions are imported from: a folder (with an index file) inside the
 * Parley directory, else an installed npm package. Throws a sentence saying what to fix.
 */
export function resolveNodePackage(entry, root = repoRoot) {
  const dir = path.resolve(root, entry);
  if (existsSync(dir) && statSync(dir).isDirectory()) {
    const relative = path.relative(root, dir);
    if (relative.startsWith("..") || path.isAbsolute(relative)) {
      throw new Error(`PARLEY_NODE_PACKAGES: the folder “${entry}” is outside the Parley directory (${root}); the app is built from that directory only. Move the folder inside it, or publish it as an npm package.`);
    }
    if (!ENTRY_FILES.some((file) => existsSync(path.join(dir, file)))) {
      throw new Error(`PARLEY_NODE_PACKAGES: the folder “${entry}” has no index.ts; it should default-export nodePackage(…) with its node definitions.`);
    }
    const specifier = path.relative(path.join(root, "flows"), dir).split(path.sep).join("/");
    return { entry, kind: "folder", dir: relative.split(path.sep).join("/"), specifier };
  }
  if (!NPM_NAME.test(entry)) {
    throw new Error(`PARLEY_NODE_PACKAGES: “${entry}” is neither a folder in ${root} nor an npm package name.`);
  }
  try {
    createRequire(path.join(root, "package.json")).resolve(entry);
  } catch {
    throw new Error(`PARLEY_NODE_PACKAGES names “${entry}”, which is not a folder in ${root} and not an installed npm package: run \`npm install ${entry}\` or fix the path.`);
  }
  return { entry, kind: "npm", specifier: entry };
}

/** The text of flows/packages.generated.ts for these resolved packages. */
export function generatedNodePackages(packages) {
  return [
    "// Generated from PARLEY_NODE_PACKAGES by scripts/node-packages.mjs: do not edit (`npm start` rewrites it).",
    'import type { NodePackage } from "./define-node";',
    ...packages.map((found, index) => `import package${index} from ${JSON.stringify(found.specifier)};`),
    "",
    `export const nodePackages: NodePackage[] = [${packages.map((found, index) => `\n  { source: ${JSON.stringify(found.entry)}, nodes: package${index} },`).join("")}${packages.length > 0 ? "\n" : ""}];`,
    "",
  ].join("\n");
}

/**
 * Writes flows/packages.generated.ts from PARLEY_NODE_PACKAGES (only when missing with
 * `onlyIfMissing`), touching it only when its text changes so an unchanged list does not
 * trigger a rebuild. Returns the entries written and the package folders, whose changes
 * need a rebuild too.
 */
export function writeNodePackages({ onlyIfMissing = false, root = repoRoot, env = process.env } = {}) {
  const file = path.join(root, GENERATED);
  if (onlyIfMissing && existsSync(file)) return { file, changed: false, entries: [], folders: [] };
  const packages = nodePackageEntries(env.PARLEY_NODE_PACKAGES ?? "").map((entry) => resolveNodePackage(entry, root));
  const text = generatedNodePackages(packages);
  const changed = !existsSync(file) || readFileSync(file, "utf8") !== text;
  if (changed) writeFileSync(file, text);
  return { file, changed, entries: packages.map((found) => found.entry), folders: packages.flatMap((found) => (found.kind === "folder" ? [found.dir] : [])) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { file, entries } = writeNodePackages();
  console.log(`[parley] ${path.relative(repoRoot, file)}: ${entries.length > 0 ? entries.join(", ") : "no node packages"}`);
}
