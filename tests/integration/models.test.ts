// Language models end to end: providers set up through the studio's API (Settings → Models,
// keys encrypted and never returned), a published flow's "Ask AI" node answering WhatsApp
// messages through the real executor with a provider pointing at a fake OpenAI server, the
// trace's model call (provider, tokens, cost), the conversation's history on the next turn,
// and the fallback message when the provider fails, with its circuit breaker on /api/health.
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { FlowGraph } from "@/flows/schema";
import type { ModelCallRecord } from "@/flows/runtime";
import type { Viewer } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { decryptSecret } from "@/server/security/secrets";
import { appRouter } from "@/server/trpc/root";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai";
import { eventually, textWebhook, useParley } from "../support/parley";

const KEY = "sk-test-parley-0123456789abcdefKEY9";
const parley = useParley({ env: { OPENAI_API_KEY: "", OPENAI_BASE_URL: "" } });
let openai: FakeOpenAi;
let admin: ReturnType<typeof appRouter.createCaller>;
let viewer: ReturnType<typeof appRouter.createCaller>;
let workspaceId: string;
const at = { x: 0, y: 0 };

/** "assistant …" starts a conversation with the AI; each later message of the contact is answered in the same run. */
const assistantFlow: FlowGraph = {
  nodes: [
    { id: "start", type: "trigger", version: 1, config: { match: "keywords", keywords: ["assistant"] }, position: at },
    {
      id: "ai",
      type: "llm",
      version: 1,
      config: { system: "You answer for Panadería Sol.", prompt: "{{message.text}}", historyTurns: 6, fallbackMessage: "Sorry, our assistant is unavailable right now." },
      position: at,
    },
    { id: "next_question", type: "ask", version: 1, config: { question: "", variable: "followup", timeout: "1h" }, position: at },
    { id: "again", type: "goto", version: 1, config: { target: "ai" }, position: at },
  ],
  edges: [
    { id: "1", from: "start", port: "next", to: "ai" },
    { id: "2", from: "ai", port: "next", to: "next_question" },
    { id: "3", from: "next_question", port: "next", to: "again" },
  ],
};

async function modelCalls(waId: string): Promise<ModelCallRecord[]> {
  const traces = await db().stepTrace.findMany({ where: { nodeId: "ai", run: { conversation: { contact: { waId } } } }, orderBy: { startedAt: "asc" } });
  return traces.flatMap((trace) => (trace.modelCalls as unknown as ModelCallRecord[] | null) ?? []);
}

async function code(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "ok";
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
}

beforeAll(async () => {
  openai = await startFakeOpenAi({ apiKey: KEY });
  const membership = await db().membership.findFirstOrThrow({ include: { user: true } });
  workspaceId = membership.workspaceId;
  const as = (role: Viewer["role"]) => appRouter.createCaller({ viewer: { userId: membership.userId, email: membership.user.email, workspaceId, role } });
  admin = as("admin");
  viewer = as("viewer");
  await parley.publish("Assistant", assistantFlow);
});
afterAll(() => openai.close());

describe("Settings → Models", () => {
  test("a provider's key is stored encrypted, shown only as its last 4 characters, and audited without its value", async () => {
    const { id } = await admin.models.saveProvider({ name: "Fake OpenAI", baseUrl: openai.url, models: ["gpt-4o-mini"], apiKey: KEY, maxRetries: 0, timeoutMs: 5_000 });
    const settings = await viewer.models.settings();
    expect(settings.providers).toEqual([
      expect.objectContaining({ id, name: "Fake OpenAI", baseUrl: openai.url, models: ["gpt-4o-mini"], key: { set: true, last4: "KEY9" }, editable: true, breaker: expect.objectContaining({ state: "closed" }) }),
    ]);
    expect(JSON.stringify(settings)).not.toContain(KEY);
    const row = await db().modelProvider.findUniqueOrThrow({ where: { id } });
    expect(row.apiKeyCipher).not.toContain(KEY);
    expect(decryptSecret(row.apiKeyCipher!)).toBe(KEY);
    const audit = await db().auditLog.findFirstOrThrow({ where: { workspaceId, action: "model_provider.create", target: id } });
    expect(audit.details).toMatchObject({ name: "Fake OpenAI", key: "set" });
    expect(JSON.stringify(audit.details)).not.toContain(KEY);

    // Saving without a key keeps it; a viewer can read but not change.
    await admin.models.saveProvider({ id, name: "Fake OpenAI", baseUrl: openai.url, models: ["gpt-4o-mini"], maxRetries: 0, timeoutMs: 5_000 });
    expect(decryptSecret((await db().modelProvider.findUniqueOrThrow({ where: { id } })).apiKeyCipher!)).toBe(KEY);
    expect(await code(viewer.models.saveProvider({ id, name: "Renamed", baseUrl: "", models: ["x"] }))).toBe("FORBIDDEN");
    expect(await code(admin.models.saveProvider({ name: "Fake OpenAI", baseUrl: "", models: ["x"] }))).toBe("CONFLICT");
  });

  test("test connection asks the provider with its stored key and reports the model that answered", async () => {
    const [provider] = (await admin.models.settings()).providers;
    openai.answer({ text: "OK", model: "gpt-4o-mini-2024-07-18" });
    expect(await admin.models.testProvider({ id: provider!.id })).toMatchObject({ ok: true, model: "gpt-4o-mini-2024-07-18", answer: "OK" });
    expect(openai.requests.at(-1)!.authorization).toBe(`Bearer ${KEY}`);
  });

  test("providers are reordered and deleted, each change audited", async () => {
    const { id: second } = await admin.models.saveProvider({ name: "Local Ollama", baseUrl: "http://127.0.0.1:11434/v1", models: ["llama3.1"], apiKey: "ollama" });
    const [first, added] = (await admin.models.settings()).providers;
    // A key this short shows none of its characters.
    expect(added!.key).toEqual({ set: true, last4: null });
    await admin.models.reorderProviders({ ids: [second, first!.id] });
    expect((await viewer.models.settings()).providers.map((provider) => provider.name)).toEqual(["Local Ollama", "Fake OpenAI"]);
    expect(await code(admin.models.reorderProviders({ ids: [second] }))).toBe("CONFLICT");
    await admin.models.removeProvider({ id: second });
    expect((await viewer.models.settings()).providers.map((provider) => provider.name)).toEqual(["Fake OpenAI"]);
    const actions = (await db().auditLog.findMany({ where: { workspaceId, action: { startsWith: "model_provider." } }, orderBy: { createdAt: "asc" } })).map((entry) => entry.action);
    expect(actions).toEqual(["model_provider.create", "model_provider.update", "model_provider.create", "model_provider.reorder", "model_provider.delete"]);
  });
});

describe("a published flow with an Ask AI node", () => {
  test("the contact gets the model's answer; the trace records provider, tokens and cost; the next turn carries the history", async () => {
    const waId = "34644000001";
    openai.answer({ text: "We open at 9, every weekday.", usage: { prompt_tokens: 50, completion_tokens: 8 }, model: "gpt-4o-mini-2024-07-18" });
    await parley.postWebhook(textWebhook(waId, "assistant: when do you open?").body);
    await eventually(() => parley.textsTo(waId).length === 1, 15_000, "the model's answer");
    expect(parley.textsTo(waId)).toEqual(["We open at 9, every weekday."]);

    const [first] = await eventually(async () => {
      const calls = await modelCalls(waId);
      return calls.length === 1 ? calls : undefined;
    }, 10_000, "the traced model call");
    expect(first!.result).toMatchObject({ provider: "Fake OpenAI", model: "gpt-4o-mini-2024-07-18", usage: { inputTokens: 50, outputTokens: 8 }, fallbacks: [] });
    expect(first!.result!.costUsd).toBeCloseTo((50 * 0.15 + 8 * 0.6) / 1e6, 12);
    expect(first!.request.messages.at(-1)).toEqual({ role: "user", content: "assistant: when do you open?" });
    // Admins reviewing the run see the call on its trace row.
    const run = await db().flowRun.findFirstOrThrow({ where: { conversation: { contact: { waId } } } });
    const shown = await viewer.runs.get({ id: run.id });
    expect(shown.traces.find((trace) => trace.nodeId === "ai")!.modelCalls).toEqual([expect.objectContaining({ result: expect.objectContaining({ provider: "Fake OpenAI", costUsd: first!.result!.costUsd }) })]);

    // The workspace's own price applies from the next call on.
    await admin.models.setPrice({ model: "gpt-4o-mini", inputUsdPerMillion: 1, outputUsdPerMillion: 2 });
    openai.answer({ text: "On Sundays we are closed.", usage: { prompt_tokens: 100, completion_tokens: 10 } });
    await parley.postWebhook(textWebhook(waId, "and on Sunday?").body);
    await eventually(() => parley.textsTo(waId).length === 2, 15_000, "the second answer");
    expect(parley.textsTo(waId)[1]).toBe("On Sundays we are closed.");
    const calls = await eventually(async () => {
      const all = await modelCalls(waId);
      return all.length === 2 ? all : undefined;
    }, 10_000, "the second traced call");
    expect(calls[1]!.result!.costUsd).toBeCloseTo((100 * 1 + 10 * 2) / 1e6, 12);
    expect(openai.requests.at(-1)!.body.messages).toEqual([
      { role: "system", content: "You answer for Panadería Sol.\n\nKeep the answer under 1500 characters: it is sent as a WhatsApp message." },
      { role: "user", content: "assistant: when do you open?" },
      { role: "assistant", content: "We open at 9, every weekday." },
      { role: "user", content: "and on Sunday?" },
    ]);
  });

  test("when the provider fails the contact gets the fallback message; after repeated failures its breaker opens and /api/health shows it", async () => {
    openai.otherwise({ status: 500 });
    const [provider] = (await admin.models.settings()).providers;
    for (const [index, waId] of ["34644000011", "34644000012", "34644000013"].entries()) {
      await parley.postWebhook(textWebhook(waId, `assistant, question ${index}`).body);
      await eventually(() => parley.textsTo(waId).length === 1, 15_000, `the fallback message for ${waId}`);
      expect(parley.textsTo(waId)).toEqual(["Sorry, our assistant is unavailable right now."]);
    }
    const [failed] = await eventually(async () => {
      const calls = await modelCalls("34644000011");
      return calls.length === 1 ? calls : undefined;
    }, 10_000, "the traced failure");
    expect(failed!.result).toBeNull();
    expect(failed!.error).toEqual({ message: "No language model provider could answer (Fake OpenAI).", attempts: [{ provider: "Fake OpenAI", reason: expect.stringMatching(/^500 server error/) }] });

    const { GET } = await import("@/app/api/health/route");
    const health = await GET().json();
    // Public: the state without the provider's name.
    expect(health).toEqual({ status: "ok", modelProviders: [{ state: "open", consecutiveFailures: 3, retryAt: expect.any(String) }] });
    expect(JSON.stringify(health)).not.toContain("Fake OpenAI");
    expect((await viewer.models.settings()).providers[0]!.breaker).toMatchObject({ state: "open", lastError: expect.stringMatching(/^500 server error/) });

    // Open: the next contact's call does not reach the provider at all.
    const asked = openai.requests.length;
    await parley.postWebhook(textWebhook("34644000014", "assistant?").body);
    await eventually(() => parley.textsTo("34644000014").length === 1, 15_000, "the fallback while open");
    expect(openai.requests.length).toBe(asked);
    const [skipped] = await eventually(async () => {
      const calls = await modelCalls("34644000014");
      return calls.length === 1 ? calls : undefined;
    }, 10_000, "the skipped call's trace");
    expect(skipped!.error!.attempts).toEqual([{ provider: "Fake OpenAI", reason: expect.stringMatching(/circuit breaker is open/) }]);

    // An admin fixes the provider and tests it: a successful test closes the breaker.
    openai.otherwise({ text: "OK" });
    expect(await admin.models.testProvider({ id: provider!.id })).toMatchObject({ ok: true });
    expect((await viewer.models.settings()).providers[0]!.breaker.state).toBe("closed");
  });
});
