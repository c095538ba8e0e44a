// The logic node types (condition, set variables, wait, go to, end) run through the real
// runtime in memory.
import { describe, expect, test } from "vitest";
import type { FlowGraph, FlowNode } from "../schema";
import { runScripted } from "../testing";
import { validateFlow } from "../validator";

const at = { x: 0, y: 0 };
const node = (id: string, type: string, config: Record<string, unknown>): FlowNode => ({ id, type, version: 1, config, position: at });
const say = (id: string, text: string) => node(id, "reply", { text });
const start = node("start", "trigger", { match: "any", keywords: [] });
const edge = (from: string, to: string, port = "next") => ({ id: `${from}-${port}-${to}`, from, port, to });

describe("condition", () => {
  const graph: FlowGraph = {
    nodes: [
      start,
      node("ask", "ask", { question: "How many seats?", variable: "seats" }),
      node("route", "condition", {
        branches: [
          { id: "big", label: "Big team", when: "int(vars.seats) >= 50" },
          { id: "small", label: "Small team", when: "int(vars.seats) >= 1" },
        ],
      }),
      say("big_reply", "Let's book a call."),
      say("small_reply", "Self-serve it is."),
      say("else_reply", "Sorry, I need a number."),
    ],
    edges: [edge("start", "ask"), edge("ask", "route"), edge("route", "big_reply", "big"), edge("route", "small_reply", "small"), edge("route", "else_reply", "else")],
  };

  test.each([
    ["120", "Let's book a call.", "big"],
    ["3", "Self-serve it is.", "small"],
    ["0", "Sorry, I need a number.", "else"],
    ["lots", "Sorry, I need a number.", "else"],
  ])("answer %s → %s", async (answer, expected, port) => {
    const run = await runScripted(graph, "hi", [answer]);
    expect(run.sent.at(-1)).toEqual({ type: "text", text: expected });
    expect(run.traces.find((t) => t.nodeId === "route")?.port).toBe(port);
  });

  test("the trace says why a branch did not match", async () => {
    const run = await runScripted(graph, "hi", ["lots"]);
    const checked = run.traces.find((t) => t.nodeId === "route")!.output!.checked as { branch: string; value: boolean; error?: string }[];
    expect(checked[0]).toMatchObject({ branch: "big", value: false, error: expect.any(String) });
  });

  test("an unreadable condition or a branch named else is a diagnostic on the node", () => {
    const broken = structuredClone(graph);
    broken.nodes[2]!.config = { branches: [{ id: "else", label: "x", when: "vars.seats >" }] };
    const messages = validateFlow(broken).filter((d) => d.nodeId === "route").map((d) => d.message);
    expect(messages.some((m) => m.includes("not a valid condition"))).toBe(true);
    expect(messages.some((m) => m.includes("“else”"))).toBe(true);
  });
});

test("set variables renders templates into vars for later nodes", async () => {
  const graph: FlowGraph = {
    nodes: [start, node("set", "set_variable", { assignments: [{ name: "greeting", value: "Hola {{contact.name | upper}}" }] }), say("out", "{{vars.greeting}}!")],
    edges: [edge("start", "set"), edge("set", "out")],
  };
  const run = await runScripted(graph, "hi");
  expect(run.sent).toEqual([{ type: "text", text: "Hola ANA!" }]);
  expect(run.vars).toEqual({ greeting: "Hola ANA" });
});

test("wait pauses the run durably for the configured time", async () => {
  const graph: FlowGraph = {
    nodes: [start, say("a", "One moment…"), node("wait", "delay", { duration: "2m" }), say("b", "Done.")],
    edges: [edge("start", "a"), edge("a", "wait"), edge("wait", "b")],
  };
  const run = await runScripted(graph, "hi");
  expect(run.sleptMs).toBe(120_000);
  expect(run.sent.map((m) => (m.type === "text" ? m.text : m.type))).toEqual(["One moment…", "Done."]);
});

test("go to re-asks until the answer is valid, and end stops the run", async () => {
  const graph: FlowGraph = {
    nodes: [
      start,
      node("ask", "ask", { question: "Yes or no?", variable: "answer" }),
      node("check", "condition", { branches: [{ id: "ok", label: "yes/no", when: 'vars.answer == "yes" || vars.answer == "no"' }] }),
      say("again", "Please answer yes or no."),
      node("back", "goto", { target: "ask" }),
      say("thanks", "Thanks: {{vars.answer}}"),
      node("stop", "end", {}),
      say("never", "This is never sent."),
    ],
    edges: [edge("start", "ask"), edge("ask", "check"), edge("check", "thanks", "ok"), edge("check", "again", "else"), edge("again", "back"), edge("thanks", "stop")],
  };
  expect(validateFlow(graph).filter((d) => d.severity === "error")).toEqual([]);
  const run = await runScripted(graph, "hi", ["maybe", "perhaps", "yes"]);
  expect(run.sent.map((m) => (m.type === "text" ? m.text : m.type))).toEqual([
    "Yes or no?",
    "Please answer yes or no.",
    "Yes or no?",
    "Please answer yes or no.",
    "Yes or no?",
    "Thanks: yes",
  ]);
  expect(run.status).toBe("completed");
  expect(run.traces.filter((t) => t.nodeId === "ask").map((t) => t.key)).toEqual(["ask#0", "ask#1", "ask#2"]);
});

test("hand off tells the contact, hands the conversation to a person and ends the run", async () => {
  const graph: FlowGraph = {
    nodes: [start, node("human", "handoff", { message: "A colleague will answer you here, {{contact.name}}.", reason: "asked for an agent" })],
    edges: [edge("start", "human")],
  };
  expect(validateFlow(graph)).toEqual([]);
  const run = await runScripted(graph, "agent please");
  expect(run.sent).toEqual([{ type: "text", text: "A colleague will answer you here, Ana." }]);
  expect(run.handedOff).toBe("asked for an agent");
  expect(run.status).toBe("completed");
});
