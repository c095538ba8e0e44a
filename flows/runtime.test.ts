import { describe, expect, test } from "vitest";
import type { FlowGraph } from "./schema";
import { demoFlow } from "./templates/demo";
import { runScripted } from "./testing";

describe("runFlow", () => {
  test("runs the demo flow: greets, asks, uses the answer, one trace row per node", async () => {
    const run = await runScripted(demoFlow.graph, "hi", ["Marta"]);
    expect(run.sent).toEqual([
      { type: "text", text: "Hi Ana! I'm Parley's demo bot." },
      { type: "text", text: "What should I call you?" },
      { type: "text", text: "Nice to meet you, Marta! Write again any time to start over." },
    ]);
    expect(run.status).toBe("completed");
    expect(run.vars).toEqual({ name: "Marta" });
    expect(run.traces.map((t) => [t.key, t.port])).toEqual([
      ["start#0", "next"],
      ["greet#0", "next"],
      ["ask_name#0", "next"],
      ["thanks#0", "next"],
    ]);
  });

  test("an unanswered question takes the timeout port, and a missing edge ends the run", async () => {
    const run = await runScripted(demoFlow.graph, "hi", [], { timeoutWhenOut: true });
    expect(run.status).toBe("completed");
    expect(run.traces.at(-1)).toMatchObject({ nodeId: "ask_name", port: "timeout" });
    expect(run.sent).toHaveLength(2);
  });

  test("refuses to run a loop that never waits for the contact, before sending anything", async () => {
    const graph: FlowGraph = {
      nodes: [
        { id: "start", type: "trigger", version: 1, config: { match: "any", keywords: [] }, position: { x: 0, y: 0 } },
        { id: "a", type: "reply", version: 1, config: { text: "again" }, position: { x: 0, y: 0 } },
      ],
      edges: [
        { id: "e1", from: "start", port: "next", to: "a" },
        { id: "e2", from: "a", port: "next", to: "a" },
      ],
    };
    await expect(runScripted(graph, "hi")).rejects.toThrow(/loop without ever waiting/);
  });
});
