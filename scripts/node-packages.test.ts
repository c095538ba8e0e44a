// PARLEY_NODE_PACKAGES → flows/packages.generated.ts, on a throwaway Parley directory: what an
// operator who lists a folder or an npm package gets, and the errors for the usual mistakes.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { nodeDefinition, nodeSource, registerNode } from "@/flows/registry";
import reply from "@/flows/nodes/reply";
import { writeNodePackages } from "./node-packages.mjs";

let root: string;
const generated = () => readFileSync(path.join(root, "flows/packages.generated.ts"), "utf8");
const write = (file: string, text: string) => {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
};

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "parley-packages-"));
  write("package.json", '{"name":"parley-copy","private":true}');
  write("flows/define-node.ts", "");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("PARLEY_NODE_PACKAGES", () => {
  test("a folder and an installed npm package become static imports, in the order listed", () => {
    write("node-packages/commerce/index.ts", "export default [];");
    write("node_modules/@acme/parley-nodes/package.json", '{"name":"@acme/parley-nodes","main":"index.js"}');
    write("node_modules/@acme/parley-nodes/index.js", "module.exports = [];");
    const result = writeNodePackages({ root, env: { PARLEY_NODE_PACKAGES: " node-packages/commerce , @acme/parley-nodes,node-packages/commerce" } });
    expect(result).toMatchObject({ changed: true, entries: ["node-packages/commerce", "@acme/parley-nodes"], folders: ["node-packages/commerce"] });
    expect(generated()).toContain('import package0 from "../node-packages/commerce";');
    expect(generated()).toContain('import package1 from "@acme/parley-nodes";');
    expect(generated()).toContain('{ source: "node-packages/commerce", nodes: package0 },\n  { source: "@acme/parley-nodes", nodes: package1 },');
  });

  test("unset lists no packages", () => {
    writeNodePackages({ root, env: {} });
    expect(generated()).toContain("export const nodePackages: NodePackage[] = [];");
  });

  test("an unchanged list leaves the file untouched (no rebuild); onlyIfMissing never overwrites", () => {
    write("node-packages/commerce/index.ts", "export default [];");
    const env = { PARLEY_NODE_PACKAGES: "node-packages/commerce" };
    writeNodePackages({ root, env });
    const written = statSync(path.join(root, "flows/packages.generated.ts")).mtimeMs;
    expect(writeNodePackages({ root, env }).changed).toBe(false);
    expect(statSync(path.join(root, "flows/packages.generated.ts")).mtimeMs).toBe(written);
    expect(writeNodePackages({ root, env: {}, onlyIfMissing: true }).changed).toBe(false);
    expect(generated()).toContain("node-packages/commerce");
  });

  test("mistakes are refused with what to fix, and the previous list is kept", () => {
    writeNodePackages({ root, env: {} });
    write("node-packages/empty/README.md", "nothing here");
    const attempt = (value: string) => () => writeNodePackages({ root, env: { PARLEY_NODE_PACKAGES: value } });
    expect(attempt("parley-nodes-missing")).toThrow(/not a folder .* and not an installed npm package: run `npm install parley-nodes-missing`/);
    expect(attempt("node-packages/empty")).toThrow(/“node-packages\/empty” has no index\.ts/);
    expect(attempt(tmpdir())).toThrow(/outside the Parley directory/);
    expect(attempt("Not A Name!")).toThrow(/neither a folder .* nor an npm package name/);
    expect(generated()).toContain("export const nodePackages: NodePackage[] = [];");
  });
});

describe("registering a package's node types", () => {
  test("a type name already taken is refused naming both sources; a non-definition is refused", () => {
    expect(() => registerNode(reply as never, "node-packages/commerce")).toThrow(
      "Node type “reply” from node-packages/commerce is already registered (built in): give it another type name.",
    );
    expect(() => registerNode({ type: "x" } as never, "node-packages/commerce")).toThrow(/node-packages\/commerce exports something that is not a node definition/);
    const parcel = { ...(reply as object), type: "parcel_reply" } as never;
    registerNode(parcel, "node-packages/commerce");
    expect(nodeDefinition("parcel_reply")).toBe(parcel);
    expect(nodeSource("parcel_reply")).toBe("node-packages/commerce");
    expect(() => registerNode(parcel, "@acme/parley-nodes")).toThrow("Node type “parcel_reply” from @acme/parley-nodes is already registered (node-packages/commerce): give it another type name.");
  });
});
