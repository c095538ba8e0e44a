import { describe, expect, it } from "vitest";
import type { FlowGraph } from "@/flows/schema";
import { copySelection, pasteClipboard, readClipboard, writeClipboard } from "./clipboard";

const graph: FlowGraph = {
  nodes: [
    { id: "start", type: "trigger", version: 1, config: {}, position: { x: 0, y: 0 } },
    { id: "reply_1", type: "reply", version: 1, config: { text: "Hi" }, position: { x: 0, y: 100 } },
    { id: "ask_1", type: "ask", version: 1, config: { question: "Name?", variable: "name" }, position: { x: 0, y: 200 } },
  ],
  edges: [
    { id: "start-next-reply_1", from: "start", port: "next", to: "reply_1" },
    { id: "reply_1-next-ask_1", from: "reply_1", port: "next", to: "ask_1" },
  ],
  notes: [{ id: "note:1", text: "Greets people", position: { x: 300, y: 0 } }],
};

describe("copy and paste on the canvas", () => {
  it("copies the selected nodes, notes and only the edges inside the selection", () => {
    const copied = copySelection(graph, new Set(["reply_1", "ask_1", "note:1"]));
    expect(copied.nodes.map((n) => n.id)).toEqual(["reply_1", "ask_1"]);
    expect(copied.edges.map((e) => e.id)).toEqual(["reply_1-next-ask_1"]);
    expect(copied.notes.map((n) => n.id)).toEqual(["note:1"]);
  });

  it("pastes with new ids, rewires the inner edges and moves everything by the offset", () => {
    const copied = copySelection(graph, new Set(["reply_1", "ask_1", "note:1"]));
    const taken = new Set([...graph.nodes.map((n) => n.id), "note:1"]);
    const pasted = pasteClipboard(copied, taken, { x: 40, y: 40 });
    expect(pasted.nodes.map((n) => n.id)).toEqual(["reply_2", "ask_2"]);
    expect(pasted.edges).toEqual([{ id: "reply_2-next-ask_2", from: "reply_2", port: "next", to: "ask_2" }]);
    expect(pasted.notes).toEqual([{ id: "note:2", text: "Greets people", position: { x: 340, y: 40 } }]);
    expect(pasted.nodes[0]!.position).toEqual({ x: 40, y: 140 });
    expect(pasted.ids.get("ask_1")).toBe("ask_2");
  });

  it("pasting twice gives each paste its own ids, and never changes the copied configs", () => {
    const copied = copySelection(graph, new Set(["reply_1"]));
    const taken = new Set(graph.nodes.map((n) => n.id));
    const first = pasteClipboard(copied, taken, { x: 0, y: 0 });
    for (const node of first.nodes) taken.add(node.id);
    const second = pasteClipboard(copied, taken, { x: 0, y: 0 });
    expect(second.nodes[0]!.id).toBe("reply_3");
    (second.nodes[0]!.config as { text: string }).text = "changed";
    expect(copied.nodes[0]!.config).toEqual({ text: "Hi" });
  });

  it("reads back what it wrote, and ignores text that is not a Parley clipboard", () => {
    const copied = copySelection(graph, new Set(["start"]));
    expect(readClipboard(writeClipboard(copied))).toEqual(copied);
    expect(readClipboard("hello")).toBeNull();
    expect(readClipboard(JSON.stringify({ format: "parley.clipboard", nodes: [{ id: "bad id!" }], edges: [], notes: [] }))).toBeNull();
    expect(readClipboard(null)).toBeNull();
  });
});
