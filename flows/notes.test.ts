// Sticky notes live in the flow document but are never part of the flow that runs.
import { describe, expect, it } from "vitest";
import { compileFlow } from "./compiler";
import { flowGraphSchema, type FlowGraph } from "./schema";
import { validateFlow } from "./validator";

const graph: FlowGraph = {
  nodes: [
    { id: "start", type: "trigger", version: 1, config: { kind: "any" }, position: { x: 0, y: 0 } },
    { id: "hello", type: "reply", version: 1, config: { text: "Hello" }, position: { x: 0, y: 120 } },
  ],
  edges: [{ id: "e1", from: "start", port: "next", to: "hello" }],
};

describe("notes", () => {
  it("change nothing the validator or the compiler sees", () => {
    const withNotes = flowGraphSchema.parse({ ...graph, notes: [{ id: "note:1", text: "Ask Marta before changing the greeting", position: { x: 300, y: 0 } }] });
    expect(withNotes.notes).toHaveLength(1);
    expect(validateFlow(withNotes)).toEqual(validateFlow(graph));
    expect([...compileFlow(withNotes).nodes.keys()]).toEqual(["start", "hello"]);
  });

  it("cannot take a node's id", () => {
    const parsed = flowGraphSchema.safeParse({ ...graph, notes: [{ id: "hello", text: "", position: { x: 0, y: 0 } }] });
    expect(parsed.success).toBe(false);
  });

  it("are optional: a flow saved before notes existed still parses", () => {
    expect(flowGraphSchema.parse(graph).notes).toBeUndefined();
  });
});
