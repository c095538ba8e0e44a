import { describe, expect, it } from "vitest";
import { diffFlows, isUnchanged } from "./diff";
import type { FlowGraph } from "./schema";

const v1: FlowGraph = {
  nodes: [
    { id: "start", type: "trigger", version: 1, config: { match: "any", keywords: [] }, position: { x: 0, y: 0 } },
    { id: "greet", type: "reply", version: 1, label: "Greeting", config: { text: "Hi" }, position: { x: 0, y: 100 } },
    { id: "ask", type: "ask", version: 1, config: { question: "Name?", variable: "name", timeout: "24h" }, position: { x: 0, y: 200 } },
  ],
  edges: [
    { id: "a", from: "start", port: "next", to: "greet" },
    { id: "b", from: "greet", port: "next", to: "ask" },
  ],
};

describe("flow diff", () => {
  it("names the nodes added, removed and changed, with the config fields that changed", () => {
    const v2: FlowGraph = {
      nodes: [
        { ...v1.nodes[0]!, position: { x: 999, y: 999 } },
        { ...v1.nodes[1]!, label: "Hello", config: { text: "Hello there" } },
        { id: "bye", type: "reply", version: 1, config: { text: "Bye" }, position: { x: 0, y: 300 } },
      ],
      edges: [
        { id: "a", from: "start", port: "next", to: "greet" },
        { id: "c", from: "greet", port: "next", to: "bye" },
      ],
    };
    const diff = diffFlows(v1, v2);
    expect(diff.added.map((n) => n.id)).toEqual(["bye"]);
    expect(diff.removed.map((n) => n.id)).toEqual(["ask"]);
    expect(diff.changed.map((c) => [c.id, c.fields])).toEqual([["greet", ["label", "text"]]]);
    expect(diff.addedEdges.map((e) => e.to)).toEqual(["bye"]);
    expect(diff.removedEdges.map((e) => e.to)).toEqual(["ask"]);
  });

  it("ignores moved nodes, notes and the order of config keys", () => {
    const reordered: FlowGraph = {
      nodes: v1.nodes.map((node) => ({ ...node, position: { x: node.position.x + 50, y: 0 }, config: Object.fromEntries(Object.entries(node.config).reverse()) })),
      edges: [...v1.edges].reverse(),
      notes: [{ id: "note:1", text: "hello", position: { x: 0, y: 0 } }],
    };
    expect(isUnchanged(diffFlows(v1, reordered))).toBe(true);
  });

  it("sees a config field added or removed, and a list item changed", () => {
    const v2: FlowGraph = {
      ...v1,
      nodes: v1.nodes.map((node) => (node.id === "ask" ? { ...node, config: { question: "Name?", variable: "name", kind: "text" } } : node)),
    };
    expect(diffFlows(v1, v2).changed.map((c) => c.fields)).toEqual([["kind", "timeout"]]);
    const start = (keywords: string[]): FlowGraph => ({ ...v1, nodes: v1.nodes.map((n) => (n.id === "start" ? { ...n, config: { match: "keywords", keywords } } : n)) });
    expect(diffFlows(start(["menu", "hi"]), start(["menu", "hello"])).changed.map((c) => c.fields)).toEqual([["keywords"]]);
  });
});
