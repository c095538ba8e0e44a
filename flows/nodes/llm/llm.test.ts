// The LLM node with a fake model: what it asks (prompt, history, schema, tools), what the
// contact receives, what it stores, and where it goes when the model refuses or is unavailable.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ChatRequest } from "../../models";
import { runScripted, testNode, type FakeModel } from "../../testing";
import { validateFlow } from "../../validator";
import type { FlowGraph } from "../../schema";
import llm, { MAX_TOOL_ROUNDS } from ".";
import { SUMMARY_INSTRUCTIONS } from "./history";
import type { ConversationSummary } from "../../models";
import { parseConfig } from "../../registry";
import type { NodeDefinition } from "../../define-node";

/** A fake model answering each request with the next of `answers` (the last one repeats), recording the requests. */
function model(...answers: ReturnType<FakeModel>[]): FakeModel & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  const fake = (request: ChatRequest) => {
    requests.push(request);
    return answers[Math.min(requests.length - 1, answers.length - 1)]!;
  };
  return Object.assign(fake, { requests });
}

const texts = (sent: { type: string }[]) => sent.map((message) => (message as { text?: string }).text);

describe("answering the contact", () => {
  test("the model reads the instructions, the conversation so far and the message; its answer is sent and traced", async () => {
    const asked = model({ text: "We open at 9, Ana.", provider: "OpenAI", model: "gpt-4o-mini", usage: { inputTokens: 120, outputTokens: 9 }, costUsd: 0.0000234 });
    const result = await testNode(llm, {
      config: { system: "You work at {{vars.shop}}.", historyTurns: 2 },
      vars: { shop: "Panadería Sol" },
      message: "When do you open?",
      history: [
        { from: "contact", text: "Hi", at: "2026-01-01T10:00:00.000Z" },
        { from: "bot", text: "Hello! How can I help?", at: "2026-01-01T10:00:01.000Z" },
        { from: "contact", text: "Do you sell bread?", at: "2026-01-01T10:00:05.000Z" },
      ],
      model: asked,
    });
    expect(result.port).toBe("next");
    expect(texts(result.sent)).toEqual(["We open at 9, Ana."]);
    const [request] = asked.requests;
    expect(request!.messages).toEqual([
      { role: "system", content: "You work at Panadería Sol.\n\nKeep the answer under 1500 characters: it is sent as a WhatsApp message." },
      { role: "assistant", content: "Hello! How can I help?" },
      { role: "user", content: "Do you sell bread?" },
      { role: "user", content: "When do you open?" },
    ]);
    expect(request).toMatchObject({ temperature: 0.3, maxTokens: 800 });
    expect(request!.model).toBeUndefined();
    expect(result.output).toMatchObject({ answer: "We open at 9, Ana.", provider: "OpenAI", model: "gpt-4o-mini", usage: { inputTokens: 120, outputTokens: 9 }, costUsd: 0.0000234, refused: false, messages: 1 });
    expect(result.trace!.modelCalls).toEqual([{ request, result: expect.objectContaining({ provider: "OpenAI", costUsd: 0.0000234 }), error: null }]);
  });

  test("later nodes read the answer as {{nodes.<id>.answer}}; a stored answer is not sent", async () => {
    const graph: FlowGraph = {
      nodes: [
        { id: "start", type: "trigger", version: 1, config: { match: "any", keywords: [] }, position: { x: 0, y: 0 } },
        { id: "summarise", type: "llm", version: 1, config: { ...llm.defaultConfig, answer: "store", variable: "summary", historyTurns: 0 }, position: { x: 0, y: 0 } },
        { id: "say", type: "reply", version: 1, config: { text: "Summary: {{nodes.summarise.answer}} / {{vars.summary}}" }, position: { x: 0, y: 0 } },
      ],
      edges: [
        { id: "1", from: "start", port: "next", to: "summarise" },
        { id: "2", from: "summarise", port: "next", to: "say" },
      ],
    };
    expect(validateFlow(graph).filter((d) => d.severity === "error")).toEqual([]);
    const run = await runScripted(graph, "my order A17 never arrived", [], { model: model("Order A17 missing") });
    expect(texts(run.sent)).toEqual(["Summary: Order A17 missing / Order A17 missing"]);
    expect(run.vars.summary).toBe("Order A17 missing");
  });

  test("a named model is asked for; the message template can bring context", async () => {
    const asked = model("Returns take 14 days.");
    await testNode(llm, {
      config: { model: "gpt-4o", prompt: "Context:\n{{nodes.faq.context}}\n\nQuestion: {{message.text}}", historyTurns: 0 },
      nodes: { faq: { context: "[1] Returns are accepted within 14 days." } },
      message: "how long for returns?",
      model: asked,
    });
    expect(asked.requests[0]).toMatchObject({ model: "gpt-4o", messages: [expect.anything(), { role: "user", content: "Context:\n[1] Returns are accepted within 14 days.\n\nQuestion: how long for returns?" }] });
  });

  test("an answer over the maximum is cut at a sentence; one over WhatsApp's limit goes as several messages", async () => {
    const cut = await testNode(llm, { config: { maxLength: 40 }, message: "hi", model: model("First sentence here. Second one is long enough to be cut.") });
    expect(texts(cut.sent)).toEqual(["First sentence here.…"]);
    expect(cut.output).toMatchObject({ truncated: true, answer: "First sentence here.…" });

    const paragraph = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(40).trim();
    const long = [paragraph, paragraph, paragraph].join("\n\n");
    const split = await testNode(llm, { config: { maxLength: 12_000 }, message: "tell me everything", model: model(long) });
    const sent = texts(split.sent) as string[];
    expect(sent.length).toBeGreaterThan(1);
    for (const part of sent) expect(part.length).toBeLessThanOrEqual(4096);
    expect(sent.join("\n\n")).toBe(long);
    expect(split.output).toMatchObject({ truncated: false, messages: sent.length });
  });
});

describe("structured output", () => {
  const fields = [
    { name: "order_id", type: "string", description: "The order number, like A17", options: "" },
    { name: "quantity", type: "number", description: "", options: "" },
    { name: "urgent", type: "boolean", description: "", options: "" },
    { name: "topic", type: "enum", description: "", options: "delivery, refund, other" },
  ] as const;

  test("the fields become a strict JSON schema; the answer's values are stored in variables by type", async () => {
    const asked = model({ json: { reply: "I'll check order A17 for you.", order_id: "A17", quantity: "2", urgent: true, topic: "Delivery" } });
    const result = await testNode(llm, { config: { fields: [...fields] }, message: "2 items of order A17 never came!!", model: asked });
    expect(asked.requests[0]!.jsonSchema).toEqual({
      name: "answer",
      schema: {
        type: "object",
        properties: {
          reply: { type: "string", description: "The answer to send to the contact." },
          order_id: { type: ["string", "null"], description: "The order number, like A17" },
          quantity: { type: ["number", "null"] },
          urgent: { type: ["boolean", "null"] },
          topic: { type: ["string", "null"], enum: ["delivery", "refund", "other", null] },
        },
        required: ["reply", "order_id", "quantity", "urgent", "topic"],
        additionalProperties: false,
      },
    });
    expect(result.stored).toEqual({ order_id: "A17", quantity: 2, urgent: true, topic: "delivery" });
    expect(texts(result.sent)).toEqual(["I'll check order A17 for you."]);
    expect(result.output).toMatchObject({ answer: "I'll check order A17 for you.", fields: { order_id: "A17", quantity: 2, urgent: true, topic: "delivery" } });
  });

  test("stored, not sent: values that do not fit their type are stored as null", async () => {
    const result = await testNode(llm, { config: { answer: "store", fields: [...fields] }, message: "hello", model: model({ json: { order_id: null, quantity: "many", urgent: "perhaps", topic: "weather" } }) });
    expect(result.port).toBe("next");
    expect(result.sent).toEqual([]);
    expect(result.stored).toEqual({ order_id: null, quantity: null, urgent: null, topic: null });
  });

  test("an answer that is not the JSON asked for takes the error port after the fallback message", async () => {
    const result = await testNode(llm, { config: { fields: [...fields], fallbackMessage: "Sorry {{contact.name}}, try again later." }, message: "hi", model: model({ text: "order A17", json: null }) });
    expect(result.port).toBe("error");
    expect(texts(result.sent)).toEqual(["Sorry Ana, try again later."]);
    expect(result.output!.error).toMatch(/not the JSON object/);
    expect(result.stored).toEqual({});
  });
});

describe("refusals and failures", () => {
  test("a refusal by the provider or in the answer's words goes to “refused” and nothing is sent", async () => {
    const byProvider = await testNode(llm, { message: "how do I pick a lock?", model: model({ text: null, refusal: "I can't help with that request." }) });
    expect(byProvider).toMatchObject({ port: "refused", sent: [], output: { refused: true, answer: "I can't help with that request." } });

    const inWords = await testNode(llm, { message: "write my homework", model: model("I’m sorry, but I can’t do homework for you.") });
    expect(inWords).toMatchObject({ port: "refused", sent: [] });

    const custom = await testNode(llm, { config: { refusalPhrases: ["not our business"] }, message: "who wins the league?", model: model("That is not our business, sorry.") });
    expect(custom.port).toBe("refused");
  });

  test("with no model available the fallback message is sent and the flow continues at “error”", async () => {
    const graph: FlowGraph = {
      nodes: [
        { id: "start", type: "trigger", version: 1, config: { match: "any", keywords: [] }, position: { x: 0, y: 0 } },
        { id: "ai", type: "llm", version: 1, config: { ...llm.defaultConfig, fallbackMessage: "Our assistant is resting." }, position: { x: 0, y: 0 } },
        { id: "human", type: "handoff", version: 1, config: { message: "A colleague will answer.", reason: "AI unavailable" }, position: { x: 0, y: 0 } },
      ],
      edges: [
        { id: "1", from: "start", port: "next", to: "ai" },
        { id: "2", from: "ai", port: "error", to: "human" },
      ],
    };
    const run = await runScripted(graph, "hello", []);
    expect(texts(run.sent)).toEqual(["Our assistant is resting.", "A colleague will answer."]);
    expect(run.handedOff).toBe("AI unavailable");
    expect(run.status).toBe("completed");
    const trace = run.traces.find((row) => row.nodeId === "ai")!;
    expect(trace.output).toMatchObject({ error: "No language model provider is configured.", messages: 1 });
    expect(trace.modelCalls).toEqual([{ request: expect.anything(), result: null, error: { message: "No language model provider is configured.", attempts: [] } }]);
  });

  test("without a fallback message and nothing on “error”, the run ends quietly", async () => {
    const result = await testNode(llm, { config: { fallbackMessage: "" }, message: "hello", model: () => { throw new Error("every provider failed"); } });
    expect(result).toMatchObject({ port: "error", sent: [], status: "completed", output: { error: "every provider failed" } });
  });

  test("an empty answer is an error, not an empty message", async () => {
    const result = await testNode(llm, { config: { fallbackMessage: "" }, message: "hello", model: model({ text: "  ", finishReason: "length" }) });
    expect(result).toMatchObject({ port: "error", sent: [], output: { error: "The model gave no answer (finish reason: length)." } });
  });
});

describe("tools", () => {
  let api: Server;
  let base: string;
  const calls: { method: string; url: string; authorization?: string; body: string }[] = [];
  beforeAll(async () => {
    api = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      calls.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, body: Buffer.concat(chunks).toString() });
      if (req.url?.startsWith("/orders/A17")) return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "shipped", eta: "Friday" }));
      if (req.url === "/tickets") return res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ id: "T-1" }));
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found" }));
    });
    await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => api.close(() => resolve())));

  const orderTool = () => ({
    name: "order_status",
    description: "The status of an order by its number",
    method: "GET" as const,
    url: `${base}/orders/{order_id}`,
    arguments: "order_id, lang",
    authorization: "Bearer secret-token-1",
  });

  test("the model calls an API, reads its answer and answers the contact with it", async () => {
    calls.length = 0;
    const asked = model({ toolCalls: [{ id: "call_1", name: "order_status", arguments: '{"order_id":"A17","lang":"es"}' }], text: null, finishReason: "tool_calls" }, "Your order A17 has shipped and arrives Friday.");
    const result = await testNode(llm, { config: { tools: [orderTool()] }, message: "where is A17?", model: asked });

    expect(calls).toEqual([{ method: "GET", url: "/orders/A17?lang=es", authorization: "Bearer secret-token-1", body: "" }]);
    expect(texts(result.sent)).toEqual(["Your order A17 has shipped and arrives Friday."]);
    expect(asked.requests[0]!.tools).toEqual([
      { name: "order_status", description: "The status of an order by its number", parameters: { type: "object", properties: { order_id: { type: "string" }, lang: { type: "string" } }, required: ["order_id", "lang"], additionalProperties: false } },
    ]);
    expect(asked.requests[1]!.messages.slice(-2)).toEqual([
      { role: "assistant", content: null, toolCalls: [{ id: "call_1", name: "order_status", arguments: '{"order_id":"A17","lang":"es"}' }] },
      { role: "tool", toolCallId: "call_1", content: '{"status":"shipped","eta":"Friday"}' },
    ]);
    // Each call's request is traced as it was sent: the first one without the tool's answer.
    expect(result.trace!.modelCalls!.map((call) => call.request.messages.length)).toEqual([2, 4]);
    expect(result.output!.toolCalls).toEqual([{ name: "order_status", arguments: '{"order_id":"A17","lang":"es"}', url: `${base}/orders/A17?lang=es`, status: 200, error: null }]);
    expect(JSON.stringify(result.trace)).not.toContain("secret-token-1");
  });

  test("POST tools send the arguments as JSON; a failing API is told to the model", async () => {
    calls.length = 0;
    const tools = [
      { name: "open_ticket", description: "Opens a support ticket", method: "POST" as const, url: `${base}/tickets`, arguments: "subject", authorization: "" },
      { name: "order_status", description: "Order status", method: "GET" as const, url: `${base}/orders/{order_id}`, arguments: "order_id", authorization: "" },
    ];
    const asked = model(
      { toolCalls: [{ id: "a", name: "open_ticket", arguments: '{"subject":"Broken mug"}' }, { id: "b", name: "order_status", arguments: '{"order_id":"Z9"}' }] },
      "Ticket T-1 is open; I could not find order Z9.",
    );
    const result = await testNode(llm, { config: { tools }, message: "my mug broke, order Z9", model: asked });
    expect(calls).toEqual([
      { method: "POST", url: "/tickets", authorization: undefined, body: '{"subject":"Broken mug"}' },
      { method: "GET", url: "/orders/Z9", authorization: undefined, body: "" },
    ]);
    expect(asked.requests[1]!.messages.slice(-2)).toEqual([
      { role: "tool", toolCallId: "a", content: '{"id":"T-1"}' },
      { role: "tool", toolCallId: "b", content: 'Error: The API answered with status 404.\n{"error":"not found"}' },
    ]);
    expect(texts(result.sent)).toEqual(["Ticket T-1 is open; I could not find order Z9."]);
  });

  test("the model's arguments are data, never templates", async () => {
    calls.length = 0;
    const asked = model({ toolCalls: [{ id: "x", name: "order_status", arguments: '{"order_id":"{{vars.pin}}","lang":"../admin"}' }] }, "Done.");
    await testNode(llm, { config: { tools: [orderTool()] }, vars: { pin: "1234" }, message: "hi", model: asked });
    expect(calls[0]!.url).toBe(`/orders/${encodeURIComponent("{{vars.pin}}")}?lang=..%2Fadmin`);
  });

  test(`the tool loop stops after ${MAX_TOOL_ROUNDS} rounds: the last request makes the model answer in text`, async () => {
    calls.length = 0;
    const requests: ChatRequest[] = [];
    const looping: FakeModel = (request) => {
      requests.push(request);
      return request.toolChoice === "none"
        ? "I could not get the status, sorry."
        : { toolCalls: [{ id: `c${requests.length}`, name: "order_status", arguments: '{"order_id":"A17","lang":"en"}' }] };
    };
    const result = await testNode(llm, { config: { tools: [orderTool()] }, message: "status?", model: looping });
    expect(requests.map((request) => request.toolChoice)).toEqual([...Array(MAX_TOOL_ROUNDS).fill("auto"), "none"]);
    expect(calls).toHaveLength(MAX_TOOL_ROUNDS);
    expect(texts(result.sent)).toEqual(["I could not get the status, sorry."]);
  });
});

describe("config", () => {
  const issues = (config: Record<string, unknown>) => {
    const parsed = parseConfig(llm as unknown as NodeDefinition<never>, { ...llm.defaultConfig, ...config });
    return parsed.ok ? [] : parsed.issues;
  };

  test("the default config is valid and its summary says what the node does", () => {
    expect(issues({})).toEqual([]);
    expect(llm.summary(llm.defaultConfig)).toBe("Answers with the default model");
    expect(llm.summary({ ...llm.defaultConfig, answer: "store", variable: "topic", model: "gpt-4o", fields: [{ name: "topic", type: "string", description: "", options: "" }] })).toBe(
      "Stores the answer in vars.topic with gpt-4o; extracts topic",
    );
  });

  test("fields and tools are checked where the form shows them", () => {
    expect(issues({ fields: [{ name: "size", type: "enum", description: "", options: " , " }] })).toEqual([{ path: "fields.0.options", message: "list the allowed values" }]);
    expect(issues({ fields: [{ name: "reply", type: "string" }] })[0]).toMatchObject({ path: "fields.0.name" });
    expect(issues({ answer: "store", fields: [{ name: "reply", type: "string" }] })).toEqual([]);
    expect(issues({ fields: [{ name: "a", type: "string" }, { name: "a", type: "number" }] })).toEqual([{ path: "fields.1.name", message: "“a” is listed twice" }]);
    expect(issues({ tools: [{ name: "t", description: "d", url: "ftp://x/{id}", arguments: "id" }] })).toEqual([{ path: "tools.0.url", message: "use an http:// or https:// URL, not ftp:" }]);
    expect(issues({ tools: [{ name: "t", description: "d", url: "https://x/", arguments: "order-id" }] })[0]).toMatchObject({ path: "tools.0.arguments" });
  });

  test("the validator knows the variables the node sets and the outputs it offers", () => {
    const graph: FlowGraph = {
      nodes: [
        { id: "start", type: "trigger", version: 1, config: { match: "any", keywords: [] }, position: { x: 0, y: 0 } },
        { id: "ai", type: "llm", version: 1, config: { ...llm.defaultConfig, fields: [{ name: "city", type: "string", description: "", options: "" }] }, position: { x: 0, y: 0 } },
        { id: "say", type: "reply", version: 1, config: { text: "{{vars.city}} {{nodes.ai.answer}} {{nodes.ai.fields.city}} {{nodes.ai.nonsense}}" }, position: { x: 0, y: 0 } },
      ],
      edges: [
        { id: "1", from: "start", port: "next", to: "ai" },
        { id: "2", from: "ai", port: "next", to: "say" },
      ],
    };
    const messages = validateFlow(graph).filter((d) => d.nodeId === "say").map((d) => d.message);
    expect(messages).toEqual([expect.stringMatching(/nodes\.ai\.nonsense.*no field “nonsense”/)]);
  });

  test("tool keys stay out of the trace's config", () => {
    const traced = llm.traceConfig!({ ...llm.defaultConfig, tools: [{ name: "t", description: "d", method: "GET", url: "https://api.example.com/x?api_key=abc", arguments: "", authorization: "Bearer xyz" }] }) as { tools: { url: string; authorization: string }[] };
    expect(traced.tools[0]).toMatchObject({ url: "https://api.example.com/x?api_key=***", authorization: "***" });
  });
});

describe("document search tool", () => {
  const shipping = { document: "faq.md", heading: "Shipping", text: "Delivery takes 1–2 working days.", score: 5 };

  test("with a collection named, the model may search it and answers from the passages", async () => {
    const searched: unknown[] = [];
    const asked = model({ toolCalls: [{ id: "s1", name: "search_documents", arguments: '{"query":"delivery time"}' }] }, "Delivery takes 1–2 working days.");
    const result = await testNode(llm, {
      config: { searchDocuments: "faq" },
      message: "when will it arrive?",
      model: asked,
      knowledge: (request) => {
        searched.push(request);
        return { ok: true, passages: [shipping] };
      },
    });
    expect(searched).toEqual([{ collection: "faq", query: "delivery time", limit: 3 }]);
    expect(asked.requests[0]!.tools?.map((tool) => tool.name)).toEqual(["search_documents"]);
    expect(asked.requests[1]!.messages.at(-1)).toEqual({ role: "tool", toolCallId: "s1", content: "[1] faq.md — Shipping\nDelivery takes 1–2 working days." });
    expect(texts(result.sent)).toEqual(["Delivery takes 1–2 working days."]);
    expect(llm.summary(llm.config.parse({ ...llm.defaultConfig, searchDocuments: "faq" }))).toContain("may search the “faq” documents");
  });

  test("a search that finds nothing, or a missing collection, is told to the model, which still answers", async () => {
    const asked = model({ toolCalls: [{ id: "s1", name: "search_documents", arguments: '{"query":"gift cards"}' }] }, "I don't know, sorry.");
    await testNode(llm, { config: { searchDocuments: "faq" }, message: "gift cards?", model: asked, knowledge: () => ({ ok: true, passages: [] }) });
    expect(asked.requests[1]!.messages.at(-1)).toMatchObject({ content: "No passage of the documents matches this query." });
    const missing = model({ toolCalls: [{ id: "s1", name: "search_documents", arguments: '{"query":"x"}' }] }, "Sorry.");
    await testNode(llm, { config: { searchDocuments: "faq" }, message: "x", model: missing, knowledge: () => ({ ok: false, error: "No documents in the collection “faq”" }) });
    expect(missing.requests[1]!.messages.at(-1)).toMatchObject({ content: "Error: No documents in the collection “faq”" });
  });

  test("an HTTP tool cannot take the search's name while a collection is set", () => {
    const graph = { nodes: [{ id: "start", type: "trigger", version: 1, config: { match: "any" }, position: { x: 0, y: 0 } }, { id: "ai", type: "llm", version: 1, config: { searchDocuments: "faq", tools: [{ name: "search_documents", description: "x", url: "https://api.example.com/x" }] }, position: { x: 0, y: 0 } }], edges: [{ id: "e", from: "start", port: "next", to: "ai" }] };
    expect(validateFlow(graph)).toContainEqual(expect.objectContaining({ nodeId: "ai", message: "tools.0.name: “search_documents” is the document search's name: pick another" }));
  });
});

describe("running summary", () => {
  const line = (from: "contact" | "bot", text: string, second: number) => ({ from, text, at: `2026-01-01T10:00:${String(second).padStart(2, "0")}.000Z` });
  const earlier = [line("contact", "Hi, I'm Ana", 0), line("bot", "Hello Ana!", 1), line("contact", "My order is A17", 2), line("bot", "Noted: A17.", 3), line("contact", "It is late", 4)];
  /** A fake model that summarises as "S<n>" and answers "Answer" otherwise, recording the requests. */
  const summarising = (): FakeModel & { requests: ChatRequest[] } => {
    const requests: ChatRequest[] = [];
    let summaries = 0;
    const fake = (request: ChatRequest) => {
      requests.push(request);
      return request.messages[0]!.content === SUMMARY_INSTRUCTIONS ? `S${++summaries}` : "Answer";
    };
    return Object.assign(fake, { requests });
  };
  let fake: ReturnType<typeof summarising>;

  test("older turns are folded into a summary the model reads before the last N turns, and the summary is kept", async () => {
    fake = summarising();
    const summary: { current: ConversationSummary | null } = { current: null };
    const result = await testNode(llm, { config: { history: "summary", historyTurns: 2 }, message: "Where is it?", history: earlier, model: fake, summary });
    const [fold, answer] = fake.requests;
    expect(fold).toMatchObject({ temperature: 0, maxTokens: 400 });
    expect(fold!.messages[1]!.content).toBe("Summary so far:\n(none yet)\n\nNew messages:\nCustomer: Hi, I'm Ana\nAssistant: Hello Ana!\nCustomer: My order is A17");
    expect(answer!.messages).toEqual([
      { role: "system", content: expect.stringMatching(/Summary of the conversation before the messages below:\nS1$/) },
      { role: "assistant", content: "Noted: A17." },
      { role: "user", content: "It is late" },
      { role: "user", content: "Where is it?" },
    ]);
    expect(summary.current).toEqual({ text: "S1", turns: 3, through: "3" });
    expect(result.output).toMatchObject({ history: { mode: "summary", turns: 2, summary: "S1", summarisedTurns: 3, summaryUpdated: true, note: null }, usage: { inputTokens: 20, outputTokens: 10 } });
    expect(result.trace!.modelCalls).toHaveLength(2);

    // Nothing new fell out of the window: the kept summary is read again, not recomputed.
    fake = summarising();
    const again = await testNode(llm, { config: { history: "summary", historyTurns: 2 }, message: "Where is it?", history: earlier, model: fake, summary });
    expect(fake.requests).toHaveLength(1);
    expect(again.output).toMatchObject({ history: { summary: "S1", summarisedTurns: 3, summaryUpdated: false } });

    // Two more messages: only they are folded, into the summary so far.
    fake = summarising();
    await testNode(llm, { config: { history: "summary", historyTurns: 2 }, message: "Hello?", history: [...earlier, line("bot", "Checking.", 5), line("contact", "Thanks", 6)], model: fake, summary });
    expect(fake.requests[0]!.messages[1]!.content).toBe("Summary so far:\nS1\n\nNew messages:\nAssistant: Noted: A17.\nCustomer: It is late");
    expect(summary.current).toEqual({ text: "S1", turns: 5, through: "5" });
  });

  test("without a model the node falls back to the window and says so in its trace", async () => {
    const result = await testNode(llm, { config: { history: "summary", historyTurns: 2, fallbackMessage: "" }, message: "Where is it?", history: earlier });
    expect(result.port).toBe("error");
    expect(result.output).toMatchObject({ history: { mode: "window", turns: 2, summary: null, note: expect.stringContaining("No model could update the conversation's summary") } });
  });

  test("the window mode reads the last turns only and keeps no summary", async () => {
    fake = summarising();
    const summary: { current: ConversationSummary | null } = { current: null };
    const result = await testNode(llm, { config: { historyTurns: 2 }, message: "Where is it?", history: earlier, model: fake, summary });
    expect(fake.requests).toHaveLength(1);
    expect(summary.current).toBeNull();
    expect(result.output).toMatchObject({ history: { mode: "window", turns: 2, summary: null } });
  });
});

describe("flow tools", () => {
  const at = { x: 0, y: 0 };
  /** A published flow answering an order's status from its API event data. */
  const orderStatus: FlowGraph = {
    nodes: [
      { id: "start", type: "api_event", version: 1, config: { event: "order.status" }, position: at },
      { id: "set", type: "set_variable", version: 1, config: { assignments: [{ name: "order_status", value: "shipped ({{trigger.data.order_id}}, {{trigger.data.email}})" }] }, position: at },
    ],
    edges: [{ id: "e1", from: "start", port: "next", to: "set" }],
  };
  const assistant = (flowTools: Record<string, unknown>[]): FlowGraph => ({
    nodes: [
      { id: "start", type: "trigger", version: 1, config: { match: "any" }, position: at },
      { id: "ai", type: "llm", version: 1, config: { ...llm.defaultConfig, flowTools }, position: at },
    ],
    edges: [{ id: "e1", from: "start", port: "next", to: "ai" }],
  });
  const tool = { name: "order_status", description: "The status of an order", flowId: "orders", parameters: "" };

  test("the model runs a flow with its arguments as trigger data and reads back the variables it set", async () => {
    const asked = model({ toolCalls: [{ id: "f1", name: "order_status", arguments: '{"order_id":"A17","email":"ana@example.com"}' }] }, "Your order A17 has shipped.");
    const run = await runScripted(assistant([tool]), "where is A17?", [], { model: asked, flows: { orders: orderStatus } });
    expect(asked.requests[0]!.tools).toEqual([
      {
        name: "order_status",
        description: "The status of an order",
        parameters: { type: "object", properties: { order_id: { type: "string" }, email: { type: "string" } }, required: ["order_id", "email"], additionalProperties: false },
      },
    ]);
    expect(asked.requests[1]!.messages.at(-1)).toEqual({ role: "tool", toolCallId: "f1", content: '{"variables":{"order_status":"shipped (A17, ana@example.com)"}}' });
    expect(texts(run.sent)).toEqual(["Your order A17 has shipped."]);
    expect(run.vars.order_status).toBe("shipped (A17, ana@example.com)");
    expect(run.traces.map((trace) => trace.nodeId)).toEqual(["start", "ai/order_status/set", "ai"]);
    expect(run.traces.at(-1)!.output).toMatchObject({ toolCalls: [{ name: "order_status", arguments: '{"order_id":"A17","email":"ana@example.com"}', error: null }] });
  });

  test("a JSON Schema in the node describes the arguments; a flow that cannot run is told to the model", async () => {
    const parameters = { type: "object", properties: { order_id: { type: "string", description: "Like A17" } }, required: ["order_id"], additionalProperties: false };
    const asked = model({ toolCalls: [{ id: "f1", name: "order_status", arguments: '{"order_id":"A17"}' }] }, "Sorry, I cannot check now.");
    const run = await runScripted(assistant([{ ...tool, flowId: "gone", parameters: JSON.stringify(parameters) }]), "where is A17?", [], { model: asked });
    expect(asked.requests[0]!.tools![0]!.parameters).toEqual(parameters);
    expect(asked.requests[1]!.messages.at(-1)).toEqual({ role: "tool", toolCallId: "f1", content: "Error: the flow failed: No published flow “gone”." });
    expect(run.traces.at(-1)!.output).toMatchObject({ toolCalls: [{ name: "order_status", error: "the flow failed: No published flow “gone”." }] });
  });

  test("flow tools are checked in the form: names unique among tools, the schema a JSON object schema", () => {
    const parsed = (flowTools: Record<string, unknown>[]) => llm.config.safeParse({ ...llm.defaultConfig, flowTools, tools: [{ name: "order_status", description: "d", url: "https://x/" }] });
    expect(parsed([tool]).error?.issues).toEqual([expect.objectContaining({ path: ["tools", 0, "name"], message: "two tools are named “order_status”" })]);
    expect(parsed([{ ...tool, name: "lookup", parameters: "[1]" }]).error?.issues).toEqual([expect.objectContaining({ path: ["flowTools", 0, "parameters"] })]);
    expect(llm.summary({ ...llm.defaultConfig, flowTools: [tool], history: "summary" })).toBe("Answers with the default model; may call order_status; keeps a summary of the conversation");
  });
});
