// `npm run new-node` and the tutorial in docs/custom-nodes.md, followed on a throwaway copy of
// Parley's flows/: the scaffold creates built-in and package nodes whose generated tests pass
// as generated; the tutorial's files (taken from the doc) replace its node's and their tests
// pass; and the registry (what the palette, validator and compiler read) has every new type
// once the packages are listed in PARLEY_NODE_PACKAGES.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { nodeTypeName, scaffoldNode } from "./new-node";
import { writeNodePackages } from "./node-packages.mjs";

const repo = path.resolve(import.meta.dirname, "..");
const tutorial = readFileSync(path.join(repo, "docs/custom-nodes.md"), "utf8");
let root: string;
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "parley-tutorial-"));
  cpSync(path.join(repo, "flows"), path.join(root, "flows"), { recursive: true, filter: (source) => !source.endsWith(".test.ts") });
  symlinkSync(path.join(repo, "node_modules"), path.join(root, "node_modules"), "dir");
  writeFileSync(path.join(root, "package.json"), '{"name":"parley-copy","private":true,"type":"module"}');
  writeFileSync(
    path.join(root, "vitest.config.mjs"),
    `export default { resolve: { alias: { "@": ${JSON.stringify(root)} } }, test: { include: ["**/*.test.ts"], exclude: ["node_modules/**"] } };\n`,
  );
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("npm run new-node", () => {
  test("a built-in node: its folder, and its line in flows/nodes/index.ts", async () => {
    const result = await scaffoldNode({ name: "Welcome back", root });
    expect(result).toEqual({ type: "welcome_back", files: ["flows/nodes/welcome_back/index.ts", "flows/nodes/welcome_back/welcome_back.test.ts", "flows/nodes/index.ts"] });
    expect(read("flows/nodes/index.ts")).toContain('import welcomeBack from "./welcome_back";');
    expect(read("flows/nodes/index.ts")).toMatch(/export const builtinNodes = \[[^\]]*, welcomeBack\]/);
    expect(read("flows/nodes/welcome_back/index.ts")).toContain('import { defineNode, NEXT_PORT } from "../../define-node";');
  });

  test("a node in a new package folder, then a second one added to the same package", async () => {
    const first = await scaffoldNode({ name: "parcel-eta", packageDir: "node-packages/my-nodes", root });
    expect(first).toEqual({ type: "parcel_eta", packageDir: "node-packages/my-nodes", files: ["node-packages/my-nodes/parcel_eta/index.ts", "node-packages/my-nodes/parcel_eta/parcel_eta.test.ts", "node-packages/my-nodes/index.ts"] });
    await scaffoldNode({ name: "stock_alert", packageDir: "node-packages/my-nodes", root });
    expect(read("node-packages/my-nodes/index.ts")).toContain("export default nodePackage(parcelEta, stockAlert);");
    expect(read("node-packages/my-nodes/parcel_eta/index.ts")).toContain('from "@/flows/define-node";');
  });

  test("names that cannot work are refused with what to do", async () => {
    await expect(scaffoldNode({ name: "reply", root })).rejects.toThrow("A node type “reply” already exists: pick another name.");
    await expect(scaffoldNode({ name: "9 lives", root })).rejects.toThrow(/not a usable node type name/);
    await expect(scaffoldNode({ name: "brand_new", root, taken: () => false, packageDir: "../elsewhere" })).rejects.toThrow(/outside the Parley directory/);
    await expect(scaffoldNode({ name: "welcome_back", root, taken: () => false })).rejects.toThrow("flows/nodes/welcome_back already exists.");
    expect(nodeTypeName("OrderLookup")).toBe("order_lookup");
  });

  test("the tutorial: its command scaffolds the node, then the doc's files replace the generated ones", async () => {
    const command = /npm run new-node (\S+) (\S+)/.exec(tutorial);
    expect(command?.slice(1)).toEqual(["loyalty_points", "node-packages/my-shop"]);
    const result = await scaffoldNode({ name: command![1]!, packageDir: command![2]!, root });
    const files = [...tutorial.matchAll(/<!-- tutorial-file: (\S+) -->\n```ts\n([\s\S]*?)```/g)].map(([, file, code]) => ({ file: file!, code: code! }));
    expect(files.map((entry) => entry.file)).toEqual(result.files.slice(0, 2));
    for (const { file, code } of files) writeFileSync(path.join(root, file), code);
  });

  test("the generated tests and the tutorial's pass, and every new type reaches the registry once its package is listed", () => {
    const listed = writeNodePackages({ root, env: { PARLEY_NODE_PACKAGES: "node-packages/my-nodes,node-packages/my-shop" } });
    expect(listed.entries).toEqual(["node-packages/my-nodes", "node-packages/my-shop"]);
    // What the palette lists: the registry's definitions, built-in and from packages.
    writeFileSync(
      path.join(root, "registry-check.test.ts"),
      `import { expect, test } from "vitest";
import { nodeDefinitions, nodeSource } from "@/flows/registry";
import { validateFlow } from "@/flows/validator";

test("the new types are registered and usable in a flow", () => {
  const types = nodeDefinitions().map((definition) => definition.type);
  expect(types).toEqual(expect.arrayContaining(["welcome_back", "parcel_eta", "stock_alert", "loyalty_points", "reply"]));
  expect(nodeSource("parcel_eta")).toBe("node-packages/my-nodes");
  expect(nodeSource("loyalty_points")).toBe("node-packages/my-shop");
  const at = { x: 0, y: 0 };
  const graph = {
    nodes: [
      { id: "start", type: "trigger", version: 1, config: { match: "any", keywords: [] }, position: at },
      { id: "welcome", type: "welcome_back", version: 1, config: { text: "Hi {{contact.name}}" }, position: at },
      { id: "points", type: "loyalty_points", version: 1, config: { apiUrl: "https://loyalty.example.com" }, position: at },
      { id: "balance", type: "parcel_eta", version: 1, config: { text: "You have {{nodes.points.points}} points ({{nodes.points.tier}} member)." }, position: at },
      { id: "sorry", type: "parcel_eta", version: 1, config: { text: "{{nodes.welcome.text}}: no points yet." }, position: at },
    ],
    edges: [
      { id: "1", from: "start", port: "next", to: "welcome" },
      { id: "2", from: "welcome", port: "next", to: "points" },
      { id: "3", from: "points", port: "next", to: "balance" },
      { id: "4", from: "points", port: "not_found", to: "sorry" },
      { id: "5", from: "points", port: "error", to: "sorry" },
    ],
  };
  expect(validateFlow(graph)).toEqual([]);
  graph.nodes[3]!.config.text = "{{nodes.points.pionts}}";
  expect(validateFlow(graph).map((d) => d.message)).toEqual(["text: {{nodes.points.pionts}}: “Loyalty points” outputs no field “pionts”, so it renders empty"]);
});
`,
    );
    const run = spawnSync(process.execPath, [path.join(repo, "node_modules/vitest/vitest.mjs"), "run", "--config", path.join(root, "vitest.config.mjs"), "--root", root, "--reporter", "json"], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, NODE_ENV: "test", NO_COLOR: "1" },
    });
    const report = JSON.parse(run.stdout) as { testResults: { name: string; assertionResults: { title: string; status: string }[] }[] };
    const outcomes = Object.fromEntries(report.testResults.map((file) => [path.relative(root, file.name), file.assertionResults.map((result) => result.status)]));
    expect(outcomes, run.stderr).toEqual({
      "flows/nodes/welcome_back/welcome_back.test.ts": ["passed", "passed"],
      "node-packages/my-shop/loyalty_points/loyalty_points.test.ts": ["passed", "passed", "passed", "passed"],
      "node-packages/my-nodes/parcel_eta/parcel_eta.test.ts": ["passed", "passed"],
      "node-packages/my-nodes/stock_alert/stock_alert.test.ts": ["passed", "passed"],
      "registry-check.test.ts": ["passed"],
    });
    expect(run.status).toBe(0);
  }, 60_000);
});
