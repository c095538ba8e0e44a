// Typed outputs: `{{nodes.<id>.<field>}}` of a node whose type declares `outputs` is checked
// against them (a typo renders empty in front of the contact), and the paths are listable.
import { describe, expect, test } from "vitest";
import ask from "./nodes/ask";
import http from "./nodes/http";
import { availableVariables, outputPaths } from "./outputs";
import type { FlowGraph } from "./schema";
import { testNode } from "./testing";
import { validateFlow } from "./validator";

const at = { x: 0, y: 0 };

/** trigger → ask "size" → http "order" → reply with `text`. */
function flowWithReply(text: string): FlowGraph {
  return {
    nodes: [
      { id: "start", type: "trigger", version: 1, config: { match: "any", keywords: [] }, position: at },
      { id: "size", type: "ask", version: 1, config: { question: "Size?", variable: "size", kind: "choice", choices: [{ id: "s", title: "Small" }] }, position: at },
      { id: "order", type: "http", version: 1, config: { method: "GET", url: "https://shop.example/orders/1" }, position: at },
      { id: "answer", type: "reply", version: 1, config: { text }, position: at },
    ],
    edges: [
      { id: "e1", from: "start", port: "next", to: "size" },
      { id: "e2", from: "size", port: "s", to: "order" },
      { id: "e3", from: "order", port: "next", to: "answer" },
    ],
  };
}
const outputDiagnostics = (text: string) => validateFlow(flowWithReply(text)).filter((d) => d.message.includes("outputs no field"));

describe("{{nodes.<id>.<field>}} of a node with typed outputs", () => {
  test("fields the node outputs pass, nested ones and those below a record or unknown value included", () => {
    expect(outputDiagnostics("{{nodes.order.status}} {{nodes.order.variables.order_id}} {{nodes.size.title}} {{nodes.size.answer.anything}}")).toEqual([]);
  });

  test("a field it never outputs is an error naming the node type and its fields", () => {
    expect(outputDiagnostics("Your order is {{nodes.order.statuss}}")).toEqual([
      {
        severity: "error",
        nodeId: "answer",
        message: "text: {{nodes.order.statuss}}: “HTTP request” outputs no field “statuss”, so it renders empty",
        hint: "Its fields there: method, url, status, durationMs, attempts, response, responseTruncated, variables, missing, error.",
      },
    ]);
    expect(outputDiagnostics("{{nodes.size.choice}}")[0]!.message).toMatch(/“Ask a question” outputs no field “choice”/);
  });

  test("nodes without declared outputs are not second-guessed", () => {
    expect(outputDiagnostics("{{nodes.start.whatever}}")).toEqual([]);
  });

  test("the paths offered to later nodes", () => {
    expect(outputPaths(ask.outputs!)).toEqual(["question", "variable", "answer", "text", "attempts", "messageId", "id", "title"]);
    expect(outputPaths(http.outputs!)).toContain("variables");
  });

  test("the inspector's hints for a node: contact, message, variables the flow sets, other nodes' typed outputs", () => {
    const hints = availableVariables(flowWithReply("hi"), "answer");
    expect(hints.slice(0, 4)).toEqual(["contact.name", "contact.waId", "message.text", "vars.size"]);
    expect(hints).toContain("nodes.order.status");
    expect(hints).toContain("nodes.size.title");
    expect(availableVariables(flowWithReply("hi"), "order")).not.toContain("nodes.order.status");
  });

  test("what the nodes output matches what they declare", async () => {
    const asked = await testNode(ask, { config: { question: "Size?", variable: "size", kind: "choice", choices: [{ id: "s", title: "Small" }] }, replies: ["Small"] });
    expect(asked.output).toMatchObject({ id: "s", title: "Small" });
    // A URL that renders empty is never called: the error output, as declared.
    const refused = await testNode(http, { config: { url: "{{vars.missing}}" } });
    expect(refused).toMatchObject({ port: "error", output: { status: null, variables: {} } });
  });
});
