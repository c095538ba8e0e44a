// Runs flows and single nodes in memory: the real runtime and node code, with steps
// executed at once, sends recorded, and the contact's answers read from a script. Unit
// tests use it with fakes; run review replays a recorded conversation through it against a
// draft, with the server's models and knowledge (server/runs/replay.ts). Integration tests
// run the same code through the real executor and database.
import { z } from "zod";
import { compileFlow, edgeKey, type CompiledFlow, type CompiledNode } from "./compiler";
import { defineNode, NEXT_PORT, type NodeDefinition, type NodeResult, type RunTrigger } from "./define-node";
import { parseConfig } from "./registry";
import { isFreeForm, outboundText, type ContactInfo, type InboundMessage, type OutboundMessage } from "./message";
import type { ChatRequest, ChatResult, ConversationSummary, HistoryEntry } from "./models";
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
  /** The same sends by what the contact had just written: the first message (null for a schedule or an event), then each answer taken. */
  turns: { heard: InboundMessage | null; sent: OutboundMessage[] }[];
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
  options: ScriptedOptions = {},
): Promise<ScriptedRun> {
  return runCompiledScripted(compileFlow(graph), first, answers, options);
}

type ScriptedOptions = NonNullable<Parameters<typeof runCompiledScripted>[3]>;

/** runScripted of a flow already compiled (testNode builds its own around one node; a replay compiles the draft first). */
export async function runCompiledScripted(
  flow: CompiledFlow,
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
    /** The conversation's messages before this run, oldest first (`ctx.history` reads them, then the run's own). */
    history?: HistoryEntry[];
    /**
     * The conversation's running summary (`ctx.summary`): read and replaced in place, so one
     * holder shared between runs plays a conversation going on. Its cursor counts `history`
     * and the run's messages. None stored when omitted.
     */
    summary?: { current: ConversationSummary | null };
    /** The workspace's node secrets by name (`ctx.secret`); none set when omitted. */
    secrets?: Record<string, string>;
    /** The contact's 24-hour window is closed: free-form sends are refused (WindowClosedError), templates go out. */
    windowClosed?: boolean;
    /** Real services in place of the fakes above (a replay asks the workspace's models and documents). */
    services?: Partial<Pick<FlowServices, "chat" | "searchKnowledge" | "searchTable" | "readSecret">>;
  } = {},
): Promise<ScriptedRun> {
  const inbox = answers.map((answer) => (typeof answer === "string" ? inbound(answer) : answer));
  const firstMessage = typeof first === "string" ? inbound(first) : first;
  const result: ScriptedRun = { sent: [], turns: [{ heard: firstMessage, sent: [] }], traces: [], status: "waiting", vars: {}, sleptMs: 0 };
  const memo = new Map<string, unknown>();
  const cache = options.cache ?? scriptedCache();
  const cacheKey = (input: { conversationId: string; nodeId: string; key: string }) => JSON.stringify([input.conversationId, input.nodeId, input.key]);
  // Like the executor, nothing after a wait runs until the answer comes: every later step stops too
  // (the runtime would otherwise take the stop for the node failing).
  class Waiting extends Error {}
  let waiting = false;
  // What `ctx.history` reads: earlier messages, then this run's inbound and outbound ones in order.
  const transcript: { messageId?: string; entry: HistoryEntry }[] = (options.history ?? []).map((entry) => ({ entry }));
  const transcriptBefore = (messageId: string | null) => {
    const end = transcript.findIndex((item) => item.messageId === messageId);
    return end === -1 ? transcript : transcript.slice(0, end);
  };
  const summary = options.summary ?? { current: null };
  const heard = (message: InboundMessage) => transcript.push({ messageId: message.id, entry: { from: "contact", text: message.text ?? `[${message.type}]`, at: message.receivedAt } });

  const steps: DurableSteps = {
    async run<T>(id: string, body: () => Promise<T>): Promise<T> {
      if (waiting) throw new Waiting();
      if (memo.has(id)) throw new Error(`step id ${id} used twice in one run`);
      const value = JSON.parse(JSON.stringify((await body()) ?? null)) as T;
      memo.set(id, value);
      return value;
    },
    async waitForEvent() {
      if (inbox.length > 0) return { name: "doorbell" };
      if (options.timeoutWhenOut) return null;
      waiting = true;
      throw new Waiting();
    },
    async sleep(_id, duration) {
      result.sleptMs += durationMs(duration);
    },
  };
  const services: FlowServices = {
    async send({ message }) {
      if (options.windowClosed && isFreeForm(message)) return { messageId: `refused${result.sent.length + 1}`, windowClosed: { lastInboundAt: null } };
      result.sent.push(message);
      result.turns.at(-1)!.sent.push(message);
      transcript.push({ entry: { from: "bot", text: outboundText(message) ?? `[${message.type}]`, at: new Date(0).toISOString() } });
      return { messageId: `out${result.sent.length}` };
    },
    async takeNextMessage() {
      const taken = inbox.shift() ?? null;
      if (taken) {
        heard(taken);
        result.turns.push({ heard: taken, sent: [] });
      }
      return taken;
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
    async history({ turns, beforeMessageId }) {
      const before = transcriptBefore(beforeMessageId);
      return before.slice(Math.max(0, before.length - turns)).map((item) => item.entry);
    },
    async readSummary({ keep, beforeMessageId }) {
      const from = summary.current ? Number(summary.current.through) : 0;
      const since = transcriptBefore(beforeMessageId).slice(from).map((item) => item.entry);
      const split = Math.max(0, since.length - keep);
      return { summary: summary.current, older: split > 0 ? { entries: since.slice(0, split), through: String(from + split) } : null, recent: since.slice(split) };
    },
    async saveSummary(input) {
      summary.current = input.summary;
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
    async readSecret({ name }) {
      return options.secrets?.[name] ?? null;
    },
    ...options.services,
  };
  const contact: ContactInfo = { id: "contact-1", name: "Ana", waId: "34600000001", ...options.contact };
  if (firstMessage) heard(firstMessage);
  try {
    await runFlow({
      start: { runId: "run-1", flowId: "flow-1", flowVersionId: "v1", conversationId: "c1", contact, message: firstMessage, trigger: options.trigger },
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

/** What testNode runs a node with; everything is optional. */
export interface NodeTest<Config> extends Omit<ScriptedOptions, "timeoutWhenOut"> {
  /**
   * The node's config, over the type's defaultConfig, parsed by its schema as a saved flow's
   * would be. With `version`, the config as that older type version saved it (not merged),
   * brought up to date by the type's migrations: a test of a migration.
   */
  config?: Partial<Config> | Record<string, unknown>;
  version?: number;
  /** Variables set before the node runs (`{{vars.…}}`). */
  vars?: Record<string, unknown>;
  /** Outputs of earlier nodes by node id (`{{nodes.<id>.…}}`). */
  nodes?: Record<string, Record<string, unknown>>;
  /** The contact's latest message (a string is a text message); none when omitted. */
  message?: InboundMessage | string | null;
  /** The contact's answers to the node's questions, in order. */
  replies?: (InboundMessage | string)[];
  /** When the replies run out, a waiting node times out (true) or the test stops with status "waiting" (default). */
  timeoutWhenOut?: boolean;
  /** The node's id in the run (`{{nodes.<id>}}`, trace rows); "node" when omitted. */
  id?: string;
}

export interface NodeTestResult {
  /** The port the node took; null when it failed, jumped to a node (`goto`) or is still waiting. */
  port: string | null;
  output: Record<string, unknown> | null;
  /** Everything sent to the contact, in order. */
  sent: OutboundMessage[];
  /** The variables the node set, by name. */
  stored: Record<string, unknown>;
  /** All variables after the node ran (`vars` given, and what it stored). */
  vars: Record<string, unknown>;
  status: "completed" | "failed" | "waiting";
  /** Why the node failed (what it threw). */
  error?: string;
  /** The node it jumped to, for a "go to". */
  goto?: string;
  handedOff?: string;
  sleptMs: number;
  /** The node's trace row, as admins would see it. */
  trace: TraceRecord | null;
}

const seedConfig = z.object({ vars: z.record(z.string(), z.unknown()).optional(), output: z.record(z.string(), z.unknown()).optional() });

/** Seeds a testNode run: sets the given variables, or plays an earlier node by returning its output. */
const seedNode = defineNode<z.infer<typeof seedConfig>>({
  type: "test_seed",
  version: 1,
  title: "Test seed",
  description: "Plays what ran before the node under test.",
  category: "logic",
  icon: "🧪",
  config: seedConfig,
  defaultConfig: {},
  ports: () => [NEXT_PORT],
  summary: () => "",
  async run({ config, setVar }) {
    for (const [name, value] of Object.entries(config.vars ?? {})) setVar(name, value);
    return { output: config.output };
  },
}) as unknown as NodeDefinition<never>;

/**
 * Runs one node through the real runtime in memory, with a fake channel, model provider,
 * HTTP (passThroughFetch unless `fetch`), knowledge base and secrets, and reports what it
 * sent, stored and returned, and which port it took. Fails (throws) when the config does
 * not parse, when the node returns a port it does not declare or an output its `outputs`
 * schema refuses, or when a secret it read shows up in its trace.
 */
export async function testNode<Config>(definition: NodeDefinition<Config>, test: NodeTest<Config> = {}): Promise<NodeTestResult> {
  const erased = definition as unknown as NodeDefinition<never>;
  const nodeId = test.id ?? "node";
  const saved = (test.version === undefined ? { ...(definition.defaultConfig as object), ...test.config } : (test.config ?? {})) as Record<string, unknown>;
  const parsed = parseConfig(erased, saved, test.version ?? definition.version);
  if (!parsed.ok) {
    throw new Error(`${definition.type}: the config does not parse: ${parsed.issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join("; ")}`);
  }
  const config = parsed.config as Config;

  let returned: NodeResult | undefined;
  const stored: Record<string, unknown> = {};
  const underTest: NodeDefinition<never> = {
    ...erased,
    async run(context) {
      const result = await erased.run({ ...context, setVar: (name, value) => ((stored[name] = value), context.setVar(name, value)) });
      returned = result;
      // A jump has nowhere to go in a one-node run: report it instead of following it.
      return result.goto === undefined ? result : { output: result.output };
    },
  };
  const at = { x: 0, y: 0 };
  const seed = (id: string, config: z.infer<typeof seedConfig>): CompiledNode => ({
    node: { id, type: seedNode.type, version: 1, config, position: at },
    definition: seedNode,
    config: config as never,
  });
  const chain: CompiledNode[] = [
    seed("test_start", { vars: test.vars }),
    ...Object.entries(test.nodes ?? {}).map(([id, output]) => seed(id, { output })),
    { node: { id: nodeId, type: definition.type, version: test.version ?? definition.version, config: saved, position: at }, definition: underTest, config: config as never },
  ];
  const flow: CompiledFlow = {
    triggerId: "test_start",
    nodes: new Map(chain.map((item) => [item.node.id, item])),
    edges: new Map(chain.slice(1).map((item, index) => [edgeKey(chain[index]!.node.id, "next"), item.node.id])),
  };
  const { config: _config, version: _version, vars: _vars, nodes: _nodes, message, replies, id: _id, ...options } = test;
  const run = await runCompiledScripted(flow, message ?? null, replies ?? [], options);
  const trace = run.traces.find((row) => row.nodeId === nodeId) ?? null;

  if (returned?.port !== undefined && !definition.ports(config).some((port) => port.id === returned!.port)) {
    throw new Error(`${definition.type} returned the port “${returned.port}”, which ports(config) does not declare: ${definition.ports(config).map((port) => port.id).join(", ")}.`);
  }
  if (returned?.output && definition.outputs) {
    const checked = definition.outputs.safeParse(returned.output);
    if (!checked.success) {
      throw new Error(`${definition.type}'s output does not match its outputs schema: ${checked.error.issues.map((issue) => `${issue.path.join(".") || "output"}: ${issue.message}`).join("; ")}`);
    }
  }
  // Test secrets of a few characters ("k") would be "found" in any output: only real-looking ones are checked.
  const leaked = Object.values(test.secrets ?? {}).find((secret) => secret.length >= 6 && JSON.stringify(returned?.output ?? {}).includes(secret));
  if (leaked !== undefined) throw new Error(`${definition.type} put a secret in its output, which traces and templates show: leave it out.`);

  const failed = trace?.error ?? null;
  return {
    port: returned && returned.goto === undefined && !failed ? (returned.port ?? "next") : null,
    output: returned?.output ?? null,
    sent: run.sent,
    stored,
    vars: run.status === "waiting" ? { ...test.vars, ...stored } : run.vars,
    status: run.status,
    ...(failed ? { error: failed.message } : run.error ? { error: run.error } : {}),
    ...(returned?.goto !== undefined ? { goto: returned.goto } : {}),
    ...(run.handedOff !== undefined ? { handedOff: run.handedOff } : {}),
    sleptMs: run.sleptMs,
    trace,
  };
}
