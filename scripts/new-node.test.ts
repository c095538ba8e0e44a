// The tutorial in docs/custom-nodes.md, followed on a throwaway copy of Parley's flows/:
// `npm run new-node` creates a built-in node and a node in a new package, the generated
// tests pass as generated, and the registry (what the palette, validator and compiler read)
// has both types once the package is listed in PARLEY_NODE_PACKAGES.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { nodeTypeName, scaffoldNode } from "./new-node";
import { writeNodePackages } from "./node-packages.mjs";

const repo = path.resolve(import.meta.dirname, "..");
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
    const result = await scaffoldNode({ name: "Loyalty points", root });
    expect(result).toEqual({ type: "loyalty_points", files: ["flows/nodes/loyalty_points/index.ts", "flows/nodes/loyalty_points/loyalty_points.test.ts", "flows/nodes/index.ts"] });
    expect(read("flows/nodes/index.ts")).toContain('import loyaltyPoints from "./loyalty_points";');
    expect(read("flows/nodes/index.ts")).toMatch(/export const builtinNodes = \[[^\]]*, loyaltyPoints\]/);
    expect(read("flows/nodes/loyalty_points/index.ts")).toContain('import { defineNode, NEXT_PORT } from "../../define-node";');
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
    await expect(scaffoldNode({ name: "loyalty_points", root, taken: () => false })).rejects.toThrow("flows/nodes/loyalty_points already exists.");
    expect(nodeTypeName("OrderLookup")).toBe("order_lookup");
  });

  test("the generated tests pass, and the package's types reach the registry once it is listed", () => {
    const listed = writeNodePackages({ root, env: { PARLEY_NODE_PACKAGES: "node-packages/my-nodes" } });
    expect(listed.entries).toEqual(["node-packages/my-nodes"]);
    // What the palette lists: the registry's definitions, built-in and from packages.
    writeFileSync(
      path.join(root, "registry-check.test.ts"),
      `import { expect, test } from "vitest";
import { nodeDefinitions, nodeSource } from "@/flows/registry";
import { validateFlow } from "@/flows/validator";

test("the new types are registered and usable in a flow", () => {
  const types = nodeDefinitions().map((definition) => definition.type);
  expect(types).toEqual(expect.arrayContaining(["loyalty_points", "parcel_eta", "stock_alert", "reply"]));
  expect(nodeSource("parcel_eta")).toBe("node-packages/my-nodes");
  const at = { x: 0, y: 0 };
  const graph = {
    nodes: [
      { id: "start", type: "trigger", version: 1, config: { match: "any", keywords: [] }, position: at },
      { id: "points", type: "loyalty_points", version: 1, config: { text: "Hi {{contact.name}}" }, position: at },
      { id: "eta", type: "parcel_eta", version: 1, config: { text: "You said {{nodes.points.text}}" }, position: at },
    ],
    edges: [{ id: "1", from: "start", port: "next", to: "points" }, { id: "2", from: "points", port: "next", to: "eta" }],
  };
  expect(validateFlow(graph)).toEqual([]);
  graph.nodes[2]!.config.text = "{{nodes.points.txt}}";
  expect(validateFlow(graph).map((d) => d.message)).toEqual(["text: {{nodes.points.txt}}: “Loyalty points” outputs no field “txt”, so it renders empty"]);
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
      "flows/nodes/loyalty_points/loyalty_points.test.ts": ["passed", "passed"],
      "node-packages/my-nodes/parcel_eta/parcel_eta.test.ts": ["passed", "passed"],
      "node-packages/my-nodes/stock_alert/stock_alert.test.ts": ["passed", "passed"],
      "registry-check.test.ts": ["passed"],
    });
    expect(run.status).toBe(0);
  }, 60_000);
});
