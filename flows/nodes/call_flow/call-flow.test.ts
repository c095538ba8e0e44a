import { describe, expect, test } from "vitest";
import type { FlowGraph } from "../../schema";
import { runScripted } from "../../testing";

const at = { x: 0, y: 0 };
const texts = (sent: { type: string }[]) => sent.map((m) => ("text" in m ? m.text : m.type));

/** A shared sub-flow: asks for the address and stores it. */
const collectAddress: FlowGraph = {
  nodes: [
    { id: "start", type: "trigger", version: 1, config: { match: "any" }, position: at },
    { id: "ask", type: "ask", version: 1, config: { question: "What is your address?", variable: "address" }, position: at },
    { id: "done", type: "end", version: 1, config: {}, position: at },
  ],
  edges: [
    { id: "e1", from: "start", port: "next", to: "ask" },
    { id: "e2", from: "ask", port: "next", to: "done" },
  ],
};

const caller = (flowId: string, withErrorPort = true): FlowGraph => ({
  nodes: [
    { id: "start", type: "trigger", version: 1, config: { match: "any" }, position: at },
    { id: "ask", type: "ask", version: 1, config: { question: "Your name?", variable: "name" }, position: at },
    { id: "call", type: "call_flow", version: 1, config: { flowId }, position: at },
    { id: "confirm", type: "reply", version: 1, config: { text: "Thanks {{vars.name}}, we deliver to {{vars.address}}." }, position: at },
    { id: "sorry", type: "reply", version: 1, config: { text: "Sorry, something went wrong." }, position: at },
  ],
  edges: [
    { id: "e1", from: "start", port: "next", to: "ask" },
    { id: "e2", from: "ask", port: "next", to: "call" },
    { id: "e3", from: "call", port: "next", to: "confirm" },
    ...(withErrorPort ? [{ id: "e4", from: "call", port: "error", to: "sorry" }] : []),
  ],
});

describe("run another flow", () => {
  test("the called flow runs with the conversation's variables, then the caller continues, even after the called flow's End", async () => {
    const run = await runScripted(caller("address"), "order", ["Ana", "Calle Mayor 1"], { flows: { address: collectAddress } });
    expect(texts(run.sent)).toEqual(["Your name?", "What is your address?", "Thanks Ana, we deliver to Calle Mayor 1."]);
    expect(run.status).toBe("completed");
    expect(run.traces.map((t) => [t.nodeId, t.key])).toEqual([
      ["start", "start#0"],
      ["ask", "ask#0"],
      ["call", "call#0"],
      ["call/ask", "call#0/ask#0"],
      ["call/done", "call#0/done#0"],
      ["confirm", "confirm#0"],
    ]);
    expect(run.traces[2]!.output).toEqual({ flowId: "address", flowVersionId: "address" });
  });

  test("a flow that is not published takes the error port, or fails the run when nothing handles it", async () => {
    const handled = await runScripted(caller("missing"), "order", ["Ana"]);
    expect(texts(handled.sent)).toEqual(["Your name?", "Sorry, something went wrong."]);
    expect(handled.traces.find((t) => t.nodeId === "call")?.error?.message).toBe("No published flow “missing”.");
    const unhandled = await runScripted(caller("missing", false), "order", ["Ana"]);
    expect(unhandled.status).toBe("failed");
    expect(unhandled.error).toBe("No published flow “missing”.");
  });

  test("a failure inside the called flow is the call's failure", async () => {
    const broken: FlowGraph = {
      nodes: [
        { id: "start", type: "trigger", version: 1, config: { match: "any" }, position: at },
        // Renders past WhatsApp's 4096 characters: the send fails at run time.
        { id: "long", type: "reply", version: 1, config: { text: "{% for i in (1..3000) %}ab{% endfor %}" }, position: at },
      ],
      edges: [{ id: "e1", from: "start", port: "next", to: "long" }],
    };
    const run = await runScripted(caller("broken"), "order", ["Ana"], { flows: { broken } });
    expect(texts(run.sent)).toEqual(["Your name?", "Sorry, something went wrong."]);
    expect(run.traces.find((t) => t.nodeId === "call/long")?.error?.message).toMatch(/4096/);
  });

  test("a flow calling itself stops at the depth limit instead of running forever", async () => {
    const selfCalling: FlowGraph = {
      nodes: [
        { id: "start", type: "trigger", version: 1, config: { match: "any" }, position: at },
        { id: "hello", type: "reply", version: 1, config: { text: "hello" }, position: at },
        { id: "again", type: "call_flow", version: 1, config: { flowId: "self" }, position: at },
      ],
      edges: [
        { id: "e1", from: "start", port: "next", to: "hello" },
        { id: "e2", from: "hello", port: "next", to: "again" },
      ],
    };
    const run = await runScripted(selfCalling, "hi", [], { flows: { self: selfCalling } });
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/more than 5 deep/);
    expect(run.sent).toHaveLength(6);
  });

  test("a hand-off inside the called flow ends the whole run", async () => {
    const toPerson: FlowGraph = {
      nodes: [
        { id: "start", type: "trigger", version: 1, config: { match: "any" }, position: at },
        { id: "person", type: "handoff", version: 1, config: { message: "A colleague will answer.", reason: "asked" }, position: at },
      ],
      edges: [{ id: "e1", from: "start", port: "next", to: "person" }],
    };
    const run = await runScripted(caller("person"), "order", ["Ana"], { flows: { person: toPerson } });
    expect(texts(run.sent)).toEqual(["Your name?", "A colleague will answer."]);
    expect(run.handedOff).toBe("asked");
    expect(run.status).toBe("completed");
  });
});
