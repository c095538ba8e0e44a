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
    expect(validateFlow(graph)).toContainEqual(expect.objectContaining({ severity: "warning", nodeId: "lonely", message: "Nothing leads to this node: it never runs." }));
  });

  test("reports unknown node types", () => {
    const graph = clone(demoFlow.graph);
    graph.nodes.push({ id: "odd", type: "teleport", version: 1, config: {}, position: at });
    graph.edges.push({ id: "e-odd", from: "thanks", port: "next", to: "odd" });
    expect(validateFlow(graph)).toContainEqual(expect.objectContaining({ nodeId: "odd", message: "Unknown node type “teleport”." }));
  });

  test("refuses a loop that never waits for the contact, but allows re-asking", () => {
    const spin = clone(demoFlow.graph);
    spin.edges.push({ id: "loop", from: "thanks", port: "next", to: "greet" });
    spin.edges = spin.edges.filter((e) => e.id !== "ask_name-thanks");
    spin.edges.push({ id: "g-t", from: "greet", port: "next", to: "thanks" }, { id: "a-t", from: "ask_name", port: "next", to: "thanks" });
    spin.edges = spin.edges.filter((e) => e.id !== "greet-ask_name");
    expect(validateFlow(spin)).toContainEqual(expect.objectContaining({ severity: "error", message: expect.stringMatching(/greet → thanks|thanks → greet/) }));

    const reask = clone(demoFlow.graph);
    reask.edges.push({ id: "again", from: "ask_name", port: "timeout", to: "greet" });
    expect(validateFlow(reask).filter((d) => d.severity === "error")).toEqual([]);
  });

  test("follows go-to links for reachability and flags missing targets", () => {
    const graph = clone(demoFlow.graph);
    graph.nodes.push(
      { id: "jump", type: "goto", version: 1, config: { target: "ask_name" }, position: at },
      { id: "lost", type: "goto", version: 1, config: { target: "nowhere" }, position: at },
    );
    graph.edges.push({ id: "t-j", from: "thanks", port: "next", to: "jump" });
    const diagnostics = validateFlow(graph);
    expect(diagnostics).toContainEqual(expect.objectContaining({ nodeId: "lost", severity: "error", message: "Goes to “nowhere”, which is not in this flow." }));
    expect(diagnostics.filter((d) => d.nodeId === "jump")).toEqual([]);
  });

  test("checks templates inside lists, e.g. variable assignments", () => {
    const graph = clone(demoFlow.graph);
    graph.nodes.push({ id: "set", type: "set_variable", version: 1, config: { assignments: [{ name: "x", value: "{{order.id}}" }] }, position: at });
    graph.edges.push({ id: "t-s", from: "thanks", port: "next", to: "set" });
    expect(validateFlow(graph)).toContainEqual(expect.objectContaining({ nodeId: "set", message: expect.stringContaining("{{order.id}}") }));
  });

  test("flags references to nodes that do not exist, and warns about variables nothing sets", () => {
    const graph = clone(demoFlow.graph);
    graph.nodes.find((n) => n.id === "thanks")!.config = { text: "{{vars.name}} {{vars.order_id}} {{nodes.ask_name.answer}} {{nodes.gone.answer}}" };
    const diagnostics = validateFlow(graph).filter((d) => d.nodeId === "thanks");
    expect(diagnostics.map((d) => [d.severity, d.message])).toEqual([
      ["warning", "text: nothing in this flow sets {{vars.order_id}}, so it renders empty"],
      ["error", "text: {{nodes.gone.answer}} names no node of this flow"],
    ]);
  });

  test("warns when nothing handles a node's failure port", () => {
    const graph = clone(demoFlow.graph);
    graph.nodes.push({ id: "api", type: "http", version: 1, config: { url: "https://api.example.com/orders" }, position: at });
    graph.edges.push({ id: "t-api", from: "thanks", port: "next", to: "api" });
    expect(validateFlow(graph)).toContainEqual(expect.objectContaining({ severity: "warning", nodeId: "api", port: "error" }));
    graph.edges.push({ id: "api-err", from: "api", port: "error", to: "greet" });
    expect(validateFlow(graph).filter((d) => d.nodeId === "api")).toEqual([]);
  });
});
