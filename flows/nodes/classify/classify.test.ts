// The classify node through the real runtime in memory: the local classifier answers clear
// messages alone, a fake language model answers the rest, and without one the local answer
// stands only when it is confident enough.
import { describe, expect, test } from "vitest";
import type { ChatRequest } from "../../models";
import type { FlowGraph, FlowNode } from "../../schema";
import { inbound, runScripted, testNode, type FakeModel } from "../../testing";
import { validateFlow } from "../../validator";
import classify from ".";

const at = { x: 0, y: 0 };
const node = (id: string, type: string, config: Record<string, unknown>): FlowNode => ({ id, type, version: 1, config, position: at });

const INTENTS = [
  {
    name: "order_status",
    description: "Where an order is, when it arrives.",
    examples: ["where is my order", "dónde está mi pedido", "cadê meu pedido", "has my package shipped yet?", "mi paquete no ha llegado", "tracking number please"],
  },
  {
    name: "returns",
    description: "Returning a product, exchanges, refunds.",
    examples: ["I want to return an item", "quiero devolver un producto", "quero devolver o produto", "how do I get a refund", "quiero mi dinero de vuelta", "quero o reembolso"],
  },
  {
    name: "opening_hours",
    description: "When the shop is open.",
    examples: ["what are your opening hours", "a qué hora abren", "qual o horário de funcionamento", "are you open on sundays?", "horario de atención"],
  },
  {
    name: "human",
    description: "The customer wants a person, not the bot.",
    examples: ["I want to talk to a person", "quiero hablar con un humano", "quero falar com um atendente", "agent please", "pásame con alguien de verdad"],
  },
];
const NAMES = INTENTS.map((intent) => intent.name);

/** trigger → classify → one reply per output, saying which output it was. */
function classifyFlow(config: Record<string, unknown> = {}): FlowGraph {
  const outputs = [...NAMES, "unknown"];
  return {
    nodes: [node("start", "trigger", { match: "any", keywords: [] }), node("classify", "classify", { intents: INTENTS, ...config }), ...outputs.map((port) => node(`to_${port}`, "reply", { text: port }))],
    edges: [{ id: "e0", from: "start", port: "next", to: "classify" }, ...outputs.map((port) => ({ id: `e_${port}`, from: "classify", port, to: `to_${port}` }))],
  };
}

type Run = Awaited<ReturnType<typeof runScripted>>;
const routedTo = (run: Run) => run.sent.map((message) => ("text" in message ? message.text : message.type));
const output = (run: Run) => run.traces.find((trace) => trace.nodeId === "classify")!.output!;

/** A fake model answering `answer` and recording what it was asked. */
function model(answer: ReturnType<FakeModel>): FakeModel & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  return Object.assign((request: ChatRequest) => (requests.push(request), answer), { requests });
}

describe("clear messages", () => {
  test.each([
    ["where's my order??", "order_status"],
    ["Dónde está mi pedidoo", "order_status"],
    ["quero devolver, veio com defeito", "returns"],
    ["A QUE HORA ABREN", "opening_hours"],
    ["pasame con un humano porfa", "human"],
  ])("“%s” goes to %s without asking the model", async (text, intent) => {
    const asked = model({ json: { intent: "unknown" } });
    const run = await runScripted(classifyFlow(), text, [], { model: asked });
    expect(routedTo(run)).toEqual([intent]);
    expect(asked.requests).toEqual([]);
    expect(output(run)).toMatchObject({ intent, decidedBy: "local", localIntent: intent, model: null });
  });

  test("the trace shows the text, every intent's score, the confidence against the threshold, and who decided", async () => {
    const run = await runScripted(classifyFlow({ threshold: 0.4 }), "where is my order", []);
    const trace = run.traces.find((t) => t.nodeId === "classify")!;
    expect(trace.port).toBe("order_status");
    expect(trace.modelCalls).toBeNull();
    const out = trace.output as { scores: Record<string, number>; confidence: number; reason: string };
    expect(trace.output).toMatchObject({ text: "where is my order", intent: "order_status", decidedBy: "local", threshold: 0.4 });
    expect(Object.keys(out.scores)).toEqual(NAMES);
    expect(out.scores.order_status).toBe(Math.max(...Object.values(out.scores)));
    expect(out.confidence).toBeGreaterThanOrEqual(0.4);
    expect(out.reason).toBe(`local confidence ${out.confidence.toFixed(2)} ≥ threshold 0.4`);
    // Traces show how many examples an intent has, not the examples themselves.
    expect((trace.input.config as { intents: unknown[] }).intents[0]).toEqual({ name: "order_status", description: "Where an order is, when it arrives.", examples: 6 });
  });

  test("stores the intent's name in a variable when asked", async () => {
    const run = await runScripted(classifyFlow({ variable: "intent" }), "quiero hablar con un humano", []);
    expect(run.vars).toEqual({ intent: "human" });
  });
});

describe("below the threshold the model decides", () => {
  test("an off-topic message is unsure locally, so the model is asked, restricted to the intent names, and says unknown", async () => {
    const asked = model({ json: { intent: "unknown" } });
    const run = await runScripted(classifyFlow(), "what's the weather like tomorrow?", [], { model: asked });
    expect(routedTo(run)).toEqual(["unknown"]);
    expect(asked.requests).toHaveLength(1);
    const request = asked.requests[0]!;
    expect(request.jsonSchema?.schema).toEqual({
      type: "object",
      properties: { intent: { type: "string", enum: [...NAMES, "unknown"] } },
      required: ["intent"],
      additionalProperties: false,
    });
    expect(request.messages.at(-1)).toEqual({ role: "user", content: "what's the weather like tomorrow?" });
    expect(request.messages[0]!.content).toContain("- returns: Returning a product, exchanges, refunds.");
    expect(output(run)).toMatchObject({ intent: "unknown", decidedBy: "model", model: "fake/fake-model", modelAnswer: "unknown" });
    expect((output(run).confidence as number) < 0.5).toBe(true);
  });

  test("the model's intent is followed, and its call is in the node's trace", async () => {
    const asked = model({ json: { intent: "returns" }, provider: "openai", model: "gpt-4o-mini" });
    const run = await runScripted(classifyFlow({ threshold: 1, model: "gpt-4o-mini" }), "the blender I got makes a weird noise", [], { model: asked });
    expect(routedTo(run)).toEqual(["returns"]);
    expect(asked.requests[0]!.model).toBe("gpt-4o-mini");
    const trace = run.traces.find((t) => t.nodeId === "classify")!;
    expect(trace.output).toMatchObject({ intent: "returns", decidedBy: "model", model: "openai/gpt-4o-mini" });
    expect(trace.output!.reason).toMatch(/< threshold 1: the model chose$/);
    expect(trace.modelCalls).toHaveLength(1);
  });

  test("a JSON answer given as text counts too", async () => {
    const run = await runScripted(classifyFlow({ threshold: 1 }), "hmm", [], { model: model('{"intent":"human"}') });
    expect(routedTo(run)).toEqual(["human"]);
  });

  test.each([
    ["a name that is not an intent", { json: { intent: "refunds" } }, "refunds"],
    ["no intent at all", { json: { label: "returns" } }, null],
    ["prose instead of JSON", "It sounds like a return to me.", "It sounds like a return to me."],
  ])("an answer with %s sends the message to unknown", async (_, answer, shown) => {
    const run = await runScripted(classifyFlow({ threshold: 1 }), "I want to return an item", [], { model: model(answer) });
    expect(routedTo(run)).toEqual(["unknown"]);
    expect(output(run)).toMatchObject({ intent: "unknown", decidedBy: "model", localIntent: "returns", reason: expect.stringContaining("not one of the intents") });
    expect(output(run).modelAnswer ?? null).toEqual(shown);
  });

  test("with threshold 0 the model is never asked, and a message sharing nothing with the examples is unknown", async () => {
    const asked = model({ json: { intent: "human" } });
    const clear = await runScripted(classifyFlow({ threshold: 0, fallbackThreshold: 0 }), "is there a slot on friday", [], { model: asked });
    const nothing = await runScripted(classifyFlow({ threshold: 0, fallbackThreshold: 0 }), "777", [], { model: asked });
    expect(asked.requests).toEqual([]);
    expect(routedTo(clear)).toHaveLength(1);
    expect(routedTo(nothing)).toEqual(["unknown"]);
  });
});

describe("no language model", () => {
  test("the local answer stands when its confidence reaches the fallback threshold, and the trace says why", async () => {
    const run = await runScripted(classifyFlow({ threshold: 1, fallbackThreshold: 0.3 }), "where is my order", []);
    expect(run.status).toBe("completed");
    expect(routedTo(run)).toEqual(["order_status"]);
    expect(output(run)).toMatchObject({
      intent: "order_status",
      decidedBy: "local",
      model: null,
      modelError: "No language model provider is configured.",
      reason: expect.stringMatching(/^no language model could answer; local confidence [\d.]+ ≥ fallback threshold 0.3$/),
    });
  });

  test("below the fallback threshold the message is unknown", async () => {
    const run = await runScripted(classifyFlow(), "who won the match last night?", [], {
      model: () => {
        throw new Error("every provider is cooling down");
      },
    });
    expect(routedTo(run)).toEqual(["unknown"]);
    expect(output(run)).toMatchObject({ intent: "unknown", decidedBy: "local", modelError: "every provider is cooling down", reason: expect.stringContaining("< fallback threshold 0.3") });
  });
});

test("a message without text (a photo, a sticker) is unknown without asking anyone", async () => {
  const asked = model({ json: { intent: "human" } });
  const photo = { ...inbound(""), type: "image" as const };
  const run = await runScripted(classifyFlow(), photo, [], { model: asked });
  expect(routedTo(run)).toEqual(["unknown"]);
  expect(asked.requests).toEqual([]);
  expect(output(run)).toMatchObject({ intent: "unknown", decidedBy: "none", reason: "no text to classify" });
});

test("classifies any text given as a template, such as the answer to an earlier question", async () => {
  const graph = classifyFlow({ text: "{{vars.request}}" });
  graph.nodes.push(node("ask", "ask", { question: "How can we help?", variable: "request" }));
  graph.edges[0] = { id: "e0", from: "start", port: "next", to: "ask" };
  graph.edges.push({ id: "e-ask", from: "ask", port: "next", to: "classify" });
  const run = await runScripted(graph, "hola", ["cadê meu pedido???"]);
  expect(routedTo(run)).toEqual(["How can we help?", "order_status"]);
});

test.each([
  ["the local classifier", "quiero hablar con un humano", {}, undefined, "human"],
  ["the model", "hmm", { threshold: 1 }, model({ json: { intent: "order_status" } }), "order_status"],
  ["the fallback without a model", "where is my order", { threshold: 1 }, undefined, "order_status"],
  ["nobody (no text)", "", {}, undefined, "unknown"],
])("deciding by %s, the output matches the node's declared outputs and the intent is stored", async (_, message, config, fake, intent) => {
  const result = await testNode(classify, { config: { intents: INTENTS, variable: "intent", ...config }, message, model: fake });
  expect(result.port).toBe(intent);
  expect(result.stored).toEqual({ intent });
  expect(classify.outputs!.safeParse(result.output).success).toBe(true);
});

describe("config", () => {
  const diagnosticsFor = (config: Record<string, unknown>) =>
    validateFlow(classifyFlow(config))
      .filter((diagnostic) => diagnostic.nodeId === "classify")
      .map((diagnostic) => diagnostic.message);

  test("the default config is valid, and each intent is one output labelled with its name, then unknown", () => {
    expect(classify.config.safeParse(classify.defaultConfig).success).toBe(true);
    expect(classify.ports(classify.defaultConfig)).toEqual([
      { id: "order_status", label: "order_status" },
      { id: "human", label: "human" },
      { id: "unknown", label: "unknown" },
    ]);
    expect(classify.summary({ ...classify.defaultConfig, variable: "intent" })).toBe("order_status, human or unknown → {{vars.intent}}");
    expect(validateFlow(classifyFlow())).toEqual([]);
  });

  test("at least two intents", () => {
    expect(diagnosticsFor({ intents: INTENTS.slice(0, 1) })).toEqual(["intents: add at least two intents: with one there is nothing to choose"]);
  });

  test("unique names", () => {
    expect(diagnosticsFor({ intents: [...INTENTS, { ...INTENTS[1]!, examples: ["refund"] }] })).toContain("intents.4.name: Two intents are named “returns”: each names its own output.");
  });

  test("names that can be outputs, and not the unknown output's", () => {
    const renamed = (name: string) => diagnosticsFor({ intents: [{ ...INTENTS[0]!, name }, ...INTENTS.slice(1)] });
    expect(renamed("Order Status")[0]).toMatch(/^intents\.0\.name: name the intent with lower-case letters, digits and '_'/);
    expect(renamed("unknown")[0]).toMatch(/^intents\.0\.name: “unknown”, “next” and “error” are taken/);
  });

  test("each intent needs examples or a description; a description alone is enough (the model reads it)", () => {
    expect(diagnosticsFor({ intents: [...INTENTS, { name: "pricing" }] })).toEqual([
      "intents.4: give “pricing” examples (for the local classifier) or a description (for the language model)",
    ]);
    expect(diagnosticsFor({ intents: [...INTENTS, { name: "pricing", description: "Prices, discounts, shipping costs." }] })).toEqual([]);
  });

  test("thresholds between 0 and 1, the fallback one not above the other", () => {
    expect(diagnosticsFor({ threshold: 1.5 })).toEqual([expect.stringMatching(/^threshold: /)]);
    expect(diagnosticsFor({ threshold: 0.4, fallbackThreshold: 0.6 })).toEqual([
      "fallbackThreshold: keep it at or below the threshold: messages at or above the threshold never need the model",
    ]);
  });

  test("a connection from an intent that was removed is flagged; a connection from each intent is not", () => {
    const graph = classifyFlow({ intents: INTENTS.slice(0, 3) });
    expect(validateFlow(graph)).toContainEqual(expect.objectContaining({ nodeId: "classify", port: "human", message: "No output “human” on this node." }));
  });
});
