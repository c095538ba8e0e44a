import { describe, expect, test } from "vitest";
import { exportFlow, importFlow } from "./exchange";
import { orderStatusFlow } from "./templates/order-status";

describe("flow files", () => {
  test("an exported flow imports back unchanged, without diagnostics", () => {
    const file = JSON.stringify(exportFlow("Order status", orderStatusFlow.graph));
    expect(importFlow(file)).toEqual({ ok: true, name: "Order status", graph: orderStatusFlow.graph, diagnostics: [] });
  });

  test("a bare { nodes, edges } graph is accepted too", () => {
    const imported = importFlow(JSON.stringify(orderStatusFlow.graph));
    expect(imported).toMatchObject({ ok: true, name: null });
  });

  test("text that is not a flow is refused with each problem and where it is", () => {
    expect(importFlow("{ nodes: [")).toEqual({ ok: false, problems: [expect.stringMatching(/^The file is not JSON/)] });
    const broken = importFlow(JSON.stringify({ nodes: [{ id: "a b", type: "reply", position: { x: 0 } }], edges: "none" }));
    expect(broken.ok).toBe(false);
    expect(broken.ok ? [] : broken.problems).toEqual([
      "nodes.0.id: node ids use letters, digits, '-' and '_'",
      "nodes.0.position.y: Invalid input: expected number, received undefined",
      "edges: Invalid input: expected array, received string",
    ]);
    expect(importFlow(JSON.stringify({ format: "n8n.workflow", nodes: [] }))).toMatchObject({ ok: false, problems: ["Not a Parley flow file: its format is “n8n.workflow”."] });
  });

  test("a flow with an unknown node type imports as a draft carrying the diagnostic", () => {
    const graph = structuredClone(orderStatusFlow.graph);
    graph.nodes[1]!.type = "shopify_lookup";
    const imported = importFlow(JSON.stringify(graph));
    expect(imported.ok && imported.diagnostics).toContainEqual(expect.objectContaining({ severity: "error", nodeId: "ask_order", message: "Unknown node type “shopify_lookup”." }));
  });
});
