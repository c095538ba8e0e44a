// Runs flows and single nodes in memory, for unit tests: the real runtime and node code,
// with steps executed at once, sends recorded, and the contact's answers read from a script.
// (Integration tests run the same code through the real executor and database.)
import { compileFlow } from "./compiler";
import type { NodeDefinition, RunTrigger } from "./define-node";
import type { ContactInfo, InboundMessage, OutboundMessage } from "./message";
import type { ChatRequest, ChatResult } from "./models";
import { OutboundHttpError, type OutboundFetch } from "./http/outbound";
import type { KnowledgeSearchOutcome, KnowledgeSearchRequest, TableSearchOutcome, TableSearchRequest } from "./knowledge";
import { durationMs, runFlow, type DurableSteps, type FlowServices, type TraceRecord } from "./runtime";
import type { FlowGraph } from "./schema";

/**
 * A stand-in language model for unit tests: answers each request (a string is the answer
 * text, an object overrides result fields), or throws to play "no provider could answer".
 */
export type FakeModel = (request: ChatRequest) => string | Partial<ChatResult>;

export function fakeChatResult(answer: string | Partial<ChatResult>): ChatResult {
  const fields = typeof answer === "string" ? { text: answer } : answer;
  return {
    text: null,
    json: null,
    toolCalls: [],
    finishReason: "stop",
    provider: "fake",
    model: "fake-model",
    usage: { inputTokens: 10, outputTokens: 5 },
    latencyMs: 1,
    costUsd: 0,
    fallbacks: [],
    ...fields,
  };
}

/**
 * `ctx.fetch` for unit tests: the request goes to the network as asked, without the
 * server's SSRF policy (tests call fake APIs on 127.0.0.1). Pass the server's guarded client
 * as `options.fetch` to test the policy itself.
 */
export const passThroughFetch: OutboundFetch = async (request) => {
  let response: Response;
  try {
    response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body, signal: request.signal });
  } catch (error) {
    if (request.signal?.aborted) throw new OutboundHttpError("timeout", "No complete response before the timeout.");
    throw new OutboundHttpError("network", `The connection failed: ${(error as Error).message}.`);
  }
  return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text(), url: response.url, redirects: response.redirected ? 1 : 0 };
};

/**
 * What `ctx.cached` keeps, by conversation, node and key. Share one between runScripted
 * calls to play later runs of the same conversation; `now` is the clock expiry is read on.
 */
export interface ScriptedCache {
  entries: Map<string, { value: unknown; expiresAt: number }>;
  now(): number;
}

export function scriptedCache(now: () => number = Date.now): ScriptedCache {
  return { entries: new Map(), now };
}

export interface ScriptedRun {
  /** Everything sent to the contact, in order. */
  sent: OutboundMessage[];
  traces: TraceRecord[];
  status: "completed" | "failed" | "waiting";
  /** The reason given when the run handed the conversation to a person. */
  handedOff?: string;
  vars: Record<string, unknown>;
  /** Total time the run slept, from `ctx.sleep`. */
  sleptMs: number;
  error?: string;
}

let ids = 0;

export function inbound(text: string, replyId: string | null = null): InboundMessage {
  return { id: `m${++ids}`, type: replyId ? "interactive" : "text", text, replyId, receivedAt: new Date(0).toISOString() };
}

/**
 * Runs `graph` for a contact who first writes `first` (null: a schedule or an API event,
 * `options.trigger`, starts the run), then answers each question with the next entry of
 * `answers` (a string, or an inbound message for button replies). When the answers run
 * out, a waiting run times out if `timeoutWhenOut`, else stops as "waiting".
 */
export async function runScripted(
  graph: FlowGraph,
  first: InboundMessage | string | null,
  answers: (InboundMessage | string)[] = [],
  options: {
    contact?: Partial<ContactInfo>;
    timeoutWhenOut?: boolean;
    model?: FakeModel;
    trigger?: RunTrigger;
    /** Other published flows the run may call, by flow id. */
    flows?: Record<string, FlowGraph>;
    /** `ctx.fetch`; passThroughFetch when omitted. */
    fetch?: OutboundFetch;
    /** Answers `ctx.knowledge.search`; without it every collection is unknown. */
    knowledge?: (request: KnowledgeSearchRequest) => KnowledgeSearchOutcome;
    /** Answers `ctx.tables.search`; without it every table is unknown. */
    tables?: (request: TableSearchRequest) => TableSearchOutcome;
    /** Where `ctx.cached` keeps results; a fresh one per run when omitted. */
    cache?: ScriptedCache;
  } = {},
): Promise<ScriptedRun> {
  const flow = compileFlow(graph);
  const inbox = answers.map((answer) => (typeof answer === "string" ? inbound(answer) : answer));
  const result: ScriptedRun = { sent: [], traces: [], status: "waiting", vars: {}, sleptMs: 0 };
  const memo = new Map<string, unknown>();
  const cache = options.cache ?? scriptedCache();
  const cacheKey = (input: { conversationId: string; nodeId: string; key: string }) => JSON.stringify([input.conversationId, input.nodeId, input.key]);
  class Waiting extends Error {}

  const steps: DurableSteps = {
    async run<T>(id: string, body: () => Promise<T>): Promise<T> {
      if (memo.has(id)) throw new Error(`step id ${id} used twice in one run`);
      const value = JSON.parse(JSON.stringify((await body()) ?? null)) as T;
      memo.set(id, value);
      return value;
    },
    async waitForEvent() {
      if (inbox.length > 0) return { name: "doorbell" };
      if (options.timeoutWhenOut) return null;
      throw new Waiting();
    },
    async sleep(_id, duration) {
      result.sleptMs += durationMs(duration);
    },
  };
  const services: FlowServices = {
    async send({ message }) {
      result.sent.push(message);
      return { messageId: `out${result.sent.length}` };
    },
    async takeNextMessage() {
      return inbox.shift() ?? null;
    },
    async stopWaiting() {},
    async handOff({ reason }) {
      result.handedOff = reason;
    },
    async writeTrace(trace) {
      result.traces.push(trace);
    },
    async finishRun({ status, error, vars }) {
      result.status = status;
      result.error = error;
      result.vars = vars;
    },
    async resolveFlow({ flowId }) {
      return options.flows?.[flowId] ? { flowVersionId: flowId } : { error: `No published flow “${flowId}”.` };
    },
    async loadFlow(flowVersionId) {
      return compileFlow(options.flows![flowVersionId]!);
    },
    async chat({ request }) {
      if (!options.model) return { ok: false, error: "No language model provider is configured.", attempts: [] };
      try {
        return { ok: true, result: fakeChatResult(options.model(request)) };
      } catch (error) {
        return { ok: false, error: (error as Error).message, attempts: [{ provider: "fake", reason: (error as Error).message }] };
      }
    },
    fetch: (request) => (options.fetch ?? passThroughFetch)(request),
    async searchKnowledge({ request }) {
      return options.knowledge?.(request) ?? { ok: false, error: `No documents in the collection “${request.collection}”.` };
    },
    async searchTable({ request }) {
      return options.tables?.(request) ?? { ok: false, error: `No table named “${request.table}”.` };
    },
    async readCache(input) {
      const entry = cache.entries.get(cacheKey(input));
      return entry && entry.expiresAt > cache.now() ? { value: entry.value } : null;
    },
    async writeCache({ value, ttlMs, ...input }) {
      cache.entries.set(cacheKey(input), { value: JSON.parse(JSON.stringify(value ?? null)), expiresAt: cache.now() + ttlMs });
    },
  };
  const contact: ContactInfo = { id: "contact-1", name: "Ana", waId: "34600000001", ...options.contact };
  try {
    await runFlow({
      start: { runId: "run-1", flowId: "flow-1", flowVersionId: "v1", conversationId: "c1", contact, message: typeof first === "string" ? inbound(first) : first, trigger: options.trigger },
      flow,
      steps,
      services,
      attempt: 0,
    });
  } catch (error) {
    if (!(error instanceof Waiting)) {
      result.status = "failed";
      result.error ??= (error as Error).message;
    }
  }
  return result;
}

/** A one-node flow (trigger → node) for testing a node type on its own. */
export function singleNodeFlow(definition: NodeDefinition<never>, config: unknown): FlowGraph {
  return {
    nodes: [
      { id: "start", type: "trigger", version: 1, config: { match: "any", keywords: [] }, position: { x: 0, y: 0 } },
      { id: "node", type: definition.type, version: definition.version, config: config as Record<string, unknown>, position: { x: 0, y: 100 } },
    ],
    edges: [{ id: "e1", from: "start", port: "next", to: "node" }],
  };
}
