import { describe, expect, test } from "vitest";
import { compileFlow, flowStart } from "../../compiler";
import type { FlowGraph } from "../../schema";
import { runScripted } from "../../testing";
import { validateFlow } from "../../validator";

const shipped: FlowGraph = {
  nodes: [
    { id: "start", type: "api_event", version: 1, config: { event: "order.shipped", priority: 2 }, position: { x: 0, y: 0 } },
    {
      id: "notify",
      type: "reply",
      version: 1,
      config: { kind: "template", templateName: "order_shipped", language: "en", parameters: ["{{trigger.data.order_id}}", "{{nodes.start.data.carrier | upper}}"] },
      position: { x: 0, y: 100 },
    },
  ],
  edges: [{ id: "e1", from: "start", port: "next", to: "notify" }],
};

describe("API event trigger", () => {
  test("the event's payload fills the flow's templates", async () => {
    expect(validateFlow(shipped)).toEqual([]);
    const run = await runScripted(shipped, null, [], { trigger: { kind: "event", name: "order.shipped", data: { order_id: "A1001", carrier: "dhl" } } });
    expect(run.sent).toEqual([{ type: "template", name: "order_shipped", language: "en", bodyParameters: ["A1001", "DHL"] }]);
    expect(run.traces[0]).toMatchObject({ nodeId: "start", output: { event: "order.shipped", data: { order_id: "A1001", carrier: "dhl" } } });
  });

  test("the compiled flow listens to the event by name, with its priority", () => {
    expect(flowStart(compileFlow(shipped))).toEqual({ kind: "event", name: "order.shipped", priority: 2 });
  });

  test("an event name with spaces or slashes is refused on the node", () => {
    const graph = structuredClone(shipped);
    graph.nodes[0]!.config = { event: "order shipped/now" };
    expect(validateFlow(graph)).toContainEqual(expect.objectContaining({ nodeId: "start", message: "event: letters, digits and . _ : - only" }));
  });
});
