import { describe, expect, test } from "vitest";
import type { FlowGraph } from "./schema";
import { demoFlow } from "./templates/demo";
import { validateFlow } from "./validator";

const at = { x: 0, y: 0 };
const clone = (graph: FlowGraph): FlowGraph => structuredClone(graph);

describe("validateFlow", () => {
  test("finds nothing wrong with the demo flow", () => {
    expect(validateFlow(demoFlow.graph)).toEqual([]);
  });

  test("requires a trigger", () => {
    const graph: FlowGraph = { nodes: [{ id: "r", type: "reply", version: 1, config: { text: "hi" }, position: at }], edges: [] };
    expect(validateFlow(graph)).toContainEqual(expect.objectContaining({ severity: "error", message: expect.stringMatching(/no trigger/) }));
  });

  test("flags invalid config on the node it belongs to", () => {
    const graph = clone(demoFlow.graph);
    graph.nodes.find((n) => n.id === "greet")!.config = { text: "" };
    expect(validateFlow(graph)).toContainEqual(expect.objectContaining({ severity: "error", nodeId: "greet" }));
  });

  test("flags unknown variables and broken templates", () => {
    const graph = clone(demoFlow.graph);
    graph.nodes.find((n) => n.id === "greet")!.config = { text: "Hi {{customer.name}}" };
    graph.nodes.find((n) => n.id === "thanks")!.config = { text: "Bye {{vars.name" };
    const diagnostics = validateFlow(graph);
    expect(diagnostics).toContainEqual(expect.objectContaining({ nodeId: "greet", message: expect.stringContaining("{{customer.name}}") }));
    expect(diagnostics).toContainEqual(expect.objectContaining({ nodeId: "thanks", severity: "error" }));
  });

  test("flags edges from ports a node does not have, to missing nodes, and doubled ports", () => {
    const graph = clone(demoFlow.graph);
    graph.edges.push({ id: "x1", from: "greet", port: "maybe", to: "thanks" });
    graph.edges.push({ id: "x2", from: "thanks", port: "next", to: "ghost" });
    graph.edges.push({ id: "x3", from: "start", port: "next", to: "thanks" });
    const messages = validateFlow(graph).map((d) => d.message);
    expect(messages).toContain("No output “maybe” on this node.");
    expect(messages).toContain("A connection points to a node that does not exist.");
    expect(messages).toContain("Output “next” is connected twice.");
  });

  test("warns about nodes nothing leads to", () => {
    const graph = clone(demoFlow.graph);
    graph.nodes.push({ id: "lonely", type: "reply", version: 1, config: { text: "…" }, position: at });
    expect(validateFlow(graph)).toContainEqual({ severity: "warning", nodeId: "lonely", message: "Nothing leads to this node: it never runs." });
  });

  test("reports unknown node types", () => {
    const graph = clone(demoFlow.graph);
    graph.nodes.push({ id: "odd", type: "teleport", version: 1, config: {}, position: at });
    graph.edges.push({ id: "e-odd", from: "thanks", port: "next", to: "odd" });
    expect(validateFlow(graph)).toContainEqual(expect.objectContaining({ nodeId: "odd", message: "Unknown node type “teleport”." }));
  });
});
