// Ask AI over the real executor and database, with a fake OpenAI server: the running
// summary of a long conversation (folded by a model call, kept in ConversationSummary,
// extended only by the messages that fell out of the window, reused by later runs and other
// nodes) and a published flow offered to the model as a tool (run inline when the model
// calls it, the variables it set read back by the model, its nodes traced under the node).
import { beforeAll, describe, expect, test } from "vitest";
import { SUMMARY_INSTRUCTIONS } from "@/flows/nodes/llm/history";
import type { ModelCallRecord } from "@/flows/runtime";
import type { FlowGraph } from "@/flows/schema";
import { db } from "@/server/db/client";
import { appRouter } from "@/server/trpc/root";
import { startFakeOpenAi, type FakeOpenAi, type FakeOpenAiRequest } from "../support/fake-openai";
import { eventually, textWebhook, useParley } from "../support/parley";

const parley = useParley({ env: { OPENAI_API_KEY: "", OPENAI_BASE_URL: "" } });
const at = { x: 0, y: 0 };
let openai: FakeOpenAi;

/** An API-event flow: the status of the order in its data. */
const orderStatusFlow: FlowGraph = {
  nodes: [
    { id: "start", type: "api_event", version: 1, config: { event: "order.status" }, position: at },
    { id: "set", type: "set_variable", version: 1, config: { assignments: [{ name: "order_status", value: "shipped {{trigger.data.order_id}}" }] }, position: at },
  ],
  edges: [{ id: "e1", from: "start", port: "next", to: "set" }],
};

/** Every message starts a run (before the seeded demo flow's): the assistant answers (reading 2 messages word for word, a summary of the rest), then notes the topic the same way. */
const conciergeFlow = (orderFlowId: string): FlowGraph => ({
  nodes: [
    { id: "start", type: "trigger", version: 1, config: { match: "any", priority: 50 }, position: at },
    {
      id: "ai",
      type: "llm",
      version: 1,
      config: {
        system: "You answer for Panadería Sol.",
        history: "summary",
        historyTurns: 2,
        flowTools: [{ name: "order_status", description: "The status of an order.", flowId: orderFlowId, parameters: "" }],
      },
      position: at,
    },
    { id: "note", type: "llm", version: 1, config: { system: "Name the topic.", history: "summary", historyTurns: 2, answer: "store", variable: "topic" }, position: at },
  ],
  edges: [
    { id: "e1", from: "start", port: "next", to: "ai" },
    { id: "e2", from: "ai", port: "next", to: "note" },
  ],
});

const system = (request: FakeOpenAiRequest) => request.body.messages[0]?.content ?? "";
const summaryRequests = () => openai.requests.filter((request) => system(request) === SUMMARY_INSTRUCTIONS);
const answerRequests = () => openai.requests.filter((request) => system(request).startsWith("You answer for Panadería Sol."));

beforeAll(async () => {
  openai = await startFakeOpenAi({ apiKey: "sk-summary-test-0000" });
  let summaries = 0;
  let answers = 0;
  openai.otherwise((request) =>
    system(request) === SUMMARY_INSTRUCTIONS ? { text: `Summary ${++summaries}` } : system(request).startsWith("Name the topic.") ? { text: "bread" } : { text: `Answer ${++answers}` },
  );
  const membership = await db().membership.findFirstOrThrow({ include: { user: true } });
  const admin = appRouter.createCaller({ viewer: { userId: membership.userId, email: membership.user.email, workspaceId: membership.workspaceId, role: "admin" } });
  await admin.models.saveProvider({ name: "Fake OpenAI", baseUrl: openai.url, models: ["gpt-4o-mini"], apiKey: "sk-summary-test-0000", maxRetries: 0, timeoutMs: 5_000 });
  const { flowId } = await parley.publish("Order status", orderStatusFlow);
  await parley.publish("Concierge", conciergeFlow(flowId));
  return () => openai.close();
});

/** Sends `text` and waits until the run it starts has finished. */
async function say(waId: string, text: string): Promise<void> {
  const runs = await db().flowRun.count({ where: { conversation: { contact: { waId } }, status: "completed" } });
  await parley.postWebhook(textWebhook(waId, text).body);
  await eventually(async () => (await db().flowRun.count({ where: { conversation: { contact: { waId } }, status: "completed" } })) > runs, 15_000, `the run for “${text}”`);
}

async function lastTrace(waId: string, nodeId: string) {
  return db().stepTrace.findFirstOrThrow({ where: { nodeId, run: { conversation: { contact: { waId } } } }, orderBy: { startedAt: "desc" } });
}

describe("running summary", () => {
  test("older turns are folded once into a stored summary the model reads before the last turns; later runs and nodes reuse it", async () => {
    const waId = "34666000001";
    await say(waId, "Hi, I'm Ana");
    await say(waId, "My order is A17");
    // Two messages fit the window: nothing to summarise yet.
    expect(summaryRequests()).toHaveLength(0);
    expect(await db().conversationSummary.count({ where: { conversation: { contact: { waId } } } })).toBe(0);

    await say(waId, "Is it late?");
    // "Hi, I'm Ana" and "Answer 1" fell out of the window: one summary call, by the node that answered first.
    expect(summaryRequests()).toHaveLength(1);
    expect(summaryRequests()[0]!.body.messages[1]!.content).toBe("Summary so far:\n(none yet)\n\nNew messages:\nCustomer: Hi, I'm Ana\nAssistant: Answer 1");
    const prompt = answerRequests().at(-1)!.body.messages;
    expect(prompt[0]!.content).toMatch(/Summary of the conversation before the messages below:\nSummary 1$/);
    expect(prompt.slice(1).map((message) => [message.role, message.content])).toEqual([
      ["user", "My order is A17"],
      ["assistant", "Answer 2"],
      ["user", "Is it late?"],
    ]);
    const stored = await db().conversationSummary.findFirstOrThrow({ where: { conversation: { contact: { waId } } } });
    expect(stored).toMatchObject({ text: "Summary 1", turns: 2 });
    const trace = await lastTrace(waId, "ai");
    expect(trace.output).toMatchObject({ history: { mode: "summary", turns: 2, summary: "Summary 1", summarisedTurns: 2, summaryUpdated: true, note: null } });
    const calls = trace.modelCalls as unknown as ModelCallRecord[];
    expect(calls.map((call) => call.request.messages[0]!.content)).toEqual([SUMMARY_INSTRUCTIONS, expect.stringMatching(/^You answer for Panadería Sol\./)]);
    expect(calls[0]!.result).toMatchObject({ provider: "Fake OpenAI", usage: { inputTokens: expect.any(Number) } });
    // The second node of the same run found nothing new out of its window: it read the stored summary.
    expect((await lastTrace(waId, "note")).output).toMatchObject({ history: { summary: "Summary 1", summaryUpdated: false } });

    await say(waId, "Thanks");
    // The next run folds only the two messages that fell out since.
    expect(summaryRequests()).toHaveLength(2);
    expect(summaryRequests()[1]!.body.messages[1]!.content).toBe("Summary so far:\nSummary 1\n\nNew messages:\nCustomer: My order is A17\nAssistant: Answer 2");
    expect(await db().conversationSummary.findFirstOrThrow({ where: { conversation: { contact: { waId } } } })).toMatchObject({ text: "Summary 2", turns: 4 });
  });
});

describe("a flow as a tool", () => {
  test("the model's call runs the flow inline; the variables it set are in the next request's tool message; the trace shows the call", async () => {
    const waId = "34666000002";
    openai.answer({ toolCalls: [{ name: "order_status", arguments: { order_id: "A17" } }] }, { text: "Your order A17 has shipped." });
    const before = openai.requests.length;
    await say(waId, "Where is my order A17?");
    expect(parley.textsTo(waId)).toEqual(["Your order A17 has shipped."]);

    const [offered, answered] = openai.requests.slice(before);
    expect(offered!.body.tools).toEqual([
      {
        type: "function",
        function: expect.objectContaining({
          name: "order_status",
          description: "The status of an order.",
          parameters: { type: "object", properties: { order_id: { type: "string" } }, required: ["order_id"], additionalProperties: false },
        }),
      },
    ]);
    expect(answered!.body.messages.at(-1)).toMatchObject({ role: "tool", content: '{"variables":{"order_status":"shipped A17"}}' });

    const run = await db().flowRun.findFirstOrThrow({ where: { conversation: { contact: { waId } } } });
    expect(run.vars).toMatchObject({ order_status: "shipped A17" });
    // As run review orders them: a node starts when the one before it ended, so start times tie.
    const traces = await db().stepTrace.findMany({ where: { runId: run.id }, orderBy: [{ startedAt: "asc" }, { endedAt: "asc" }] });
    expect(traces.map((trace) => trace.nodeId)).toEqual(["start", "ai", "ai/order_status/set", "note"]);
    expect(traces.find((trace) => trace.nodeId === "ai")!.output).toMatchObject({ toolCalls: [{ name: "order_status", arguments: '{"order_id":"A17"}', error: null }] });
  });
});
