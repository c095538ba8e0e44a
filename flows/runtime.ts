// Runs one flow version for one conversation as durable steps. Everything with a side
// effect is a named step, so a replay (after a wait, a retry or a restart) re-runs this
// code deterministically and each step's effect happens once.
import { CONVERSATION_MESSAGE_EVENT, edgeKey, flowInputs, type CompiledFlow, type CompiledNode } from "./compiler";
import type { FlowCallOutcome, NodeContext, NodeResult, RunTrigger } from "./define-node";
import { WINDOW_CLOSED_PORT, WindowClosedError, type ContactInfo, type InboundMessage, type OutboundMessage, type SendOutcome } from "./message";
import { ModelUnavailableError, type ChatRequest, type ChatResult, type ConversationSummary, type HistoryEntry, type SummaryRead } from "./models";
import type { OutboundRequest, OutboundResponse } from "./http/outbound";
import type { KnowledgeSearchOutcome, KnowledgeSearchRequest, TableSearchOutcome, TableSearchRequest } from "./knowledge";
import { renderTemplate } from "./template";

/** The durable step tools a run needs: Inngest's `step`, narrowed. */
export interface DurableSteps {
  run<T>(id: string, body: () => Promise<T>): Promise<T>;
  waitForEvent(id: string, options: { event: string; match: string; timeout: string }): Promise<unknown>;
  sleep(id: string, duration: string): Promise<void>;
}

export interface RunStart {
  runId: string;
  flowId: string;
  flowVersionId: string;
  conversationId: string;
  contact: ContactInfo;
  /** The message that started the run; null when a schedule or an API event started it. */
  message: InboundMessage | null;
  /** What started the run, with its data: an API event's payload is `{{trigger.data.…}}` in templates. */
  trigger?: RunTrigger;
  /** Set when the run continues another from one of its nodes (a retry, a hand-back): it starts there, with that run's variables and node outputs. */
  resume?: RunResume;
}

export interface RunResume {
  fromRunId: string;
  nodeId: string;
  vars: Record<string, unknown>;
  outputs: Record<string, Record<string, unknown>>;
}

/** One language model call of a node, as its trace shows it. */
export interface ModelCallRecord {
  request: ChatRequest;
  result: ChatResult | null;
  error: { message: string; attempts: { provider: string; reason: string }[] } | null;
}

export type ChatOutcome =
  | { ok: true; result: ChatResult }
  | { ok: false; error: string; attempts: { provider: string; reason: string }[] };

export interface TraceRecord {
  runId: string;
  key: string;
  nodeId: string;
  nodeType: string;
  attempt: number;
  port: string | null;
  input: Record<string, unknown>;
  output: Record<string, unknown> | null;
  error: { message: string; name: string } | null;
  modelCalls: ModelCallRecord[] | null;
  startedAt: string;
  endedAt: string;
}

/** What a run needs from the server: the channel, the inbox and the run records. */
export interface FlowServices {
  /** Sends once per idempotency key; a free-form message outside the 24-hour window comes back `windowClosed`, unsent. */
  send(input: { runId: string; conversationId: string; nodeId: string; idempotencyKey: string; message: OutboundMessage }): Promise<SendOutcome>;
  /** Takes the conversation's oldest unanswered message for this run, or marks the run waiting. */
  takeNextMessage(input: { runId: string; conversationId: string; nodeId: string }): Promise<InboundMessage | null>;
  stopWaiting(input: { runId: string }): Promise<void>;
  handOff(input: { runId: string; conversationId: string; reason: string }): Promise<void>;
  writeTrace(trace: TraceRecord): Promise<void>;
  /** The published version of another flow of the run's workspace, for "Run another flow"; or why it cannot run. */
  resolveFlow(input: { runId: string; flowId: string }): Promise<{ flowVersionId: string } | { error: string }>;
  /** A FlowVersion, compiled (cached: versions are immutable). */
  loadFlow(flowVersionId: string): Promise<CompiledFlow>;
  /** Asks the workspace's provider chain; "no provider could answer" is an outcome, not a throw. */
  chat(input: { runId: string; conversationId: string; nodeId: string; request: ChatRequest }): Promise<ChatOutcome>;
  /** The conversation's last `turns` messages before `beforeMessageId` (all of them when null), oldest first. */
  history(input: { conversationId: string; turns: number; beforeMessageId: string | null }): Promise<HistoryEntry[]>;
  /** The conversation's running summary and the messages since it before `beforeMessageId`, the last `keep` of them apart. */
  readSummary(input: { conversationId: string; keep: number; beforeMessageId: string | null }): Promise<SummaryRead>;
  saveSummary(input: { conversationId: string; summary: ConversationSummary }): Promise<void>;
  finishRun(input: { runId: string; conversationId: string; status: "completed" | "failed"; error?: string; vars: Record<string, unknown> }): Promise<void>;
  /** One HTTP request for a node (`ctx.fetch`), under the server's SSRF policy. */
  fetch(request: OutboundRequest): Promise<OutboundResponse>;
  /** Searches the documents of the conversation's workspace. */
  searchKnowledge(input: { conversationId: string; request: KnowledgeSearchRequest }): Promise<KnowledgeSearchOutcome>;
  /** Searches a CSV table of the conversation's workspace. */
  searchTable(input: { conversationId: string; request: TableSearchRequest }): Promise<TableSearchOutcome>;
  /** A value a node kept for the conversation (`ctx.cached`), unless it expired. */
  readCache(input: { conversationId: string; nodeId: string; key: string }): Promise<{ value: unknown } | null>;
  writeCache(input: { conversationId: string; nodeId: string; key: string; value: unknown; ttlMs: number }): Promise<void>;
  /** A node type's secret as the conversation's workspace stored it, decrypted; null when not set. */
  readSecret(input: { conversationId: string; nodeType: string; name: string }): Promise<string | null>;
}

/** A run stops after this many node executions: a loop with no exit is a flow bug, not a reason to spin forever. */
export const MAX_NODE_EXECUTIONS = 500;

export class FlowRunError extends Error {
  constructor(message: string, readonly nodeId?: string) {
    super(message);
    this.name = "FlowRunError";
  }
}

/** Flows calling flows ("Run another flow") nest at most this deep: deeper is almost surely a flow calling itself. */
export const MAX_CALL_DEPTH = 5;

/** A node failed and nothing handles its error port: the run (or the flow that called this one) fails. */
class UnhandledFailure extends Error {
  constructor(
    readonly failure: Error,
    readonly nodeId: string,
  ) {
    super(failure.message);
  }
}

class LoopLimitReached extends Error {}

interface CalledFlow {
  flow: CompiledFlow;
  flowVersionId: string;
}

/** `ctx.secret` of a secret no admin has stored for the workspace. */
export class MissingSecretError extends Error {
  constructor(label: string) {
    super(`The secret “${label}” is not set: an admin adds it in Settings → Node secrets.`);
    this.name = "MissingSecretError";
  }
}

export async function runFlow(input: {
  start: RunStart;
  /** The run's FlowVersion, compiled once (compileFlow) and reused for every replay. */
  flow: CompiledFlow;
  steps: DurableSteps;
  services: FlowServices;
  attempt: number;
}): Promise<{ status: "completed"; vars: Record<string, unknown> }> {
  const { start, steps, services } = input;
  const vars: Record<string, unknown> = { ...start.resume?.vars };
  let message: InboundMessage | null = start.message;
  const trigger: RunTrigger = start.trigger ?? { kind: "message", data: {} };
  let executed = 0;
  let handedOff = false;
  let previousEndedAt: string | undefined;

  /**
   * Runs `flow` from `firstId` until it ends. A called flow runs with its own node outputs
   * and the run's variables; `prefix` keeps its step ids and trace keys apart from the caller's.
   */
  const walk = async (
    flow: CompiledFlow,
    firstId: string | undefined,
    prefix: string,
    depth: number,
    outputs: Record<string, Record<string, unknown>> = {},
    /** What the walked flow sees as its trigger: the run's, or the data a node passed to the flow it runs. */
    walkTrigger: RunTrigger = trigger,
  ): Promise<void> => {
    const visits = new Map<string, number>();
    for (let currentId = firstId; currentId !== undefined && !handedOff; ) {
      const current: CompiledNode = flow.nodes.get(currentId)!;
      if (executed++ >= MAX_NODE_EXECUTIONS) throw new LoopLimitReached();
      const visit = visits.get(current.node.id) ?? 0;
      visits.set(current.node.id, visit + 1);
      const key = `${prefix}${current.node.id}#${visit}`;
      let sends = 0;
      let takes = 0;
      let sleeps = 0;
      let chats = 0;
      let histories = 0;
      const modelCalls: ModelCallRecord[] = [];
      /** Secret values this node read, blanked out of its trace should the node let one slip into it. */
      const secretsRead: string[] = [];

      const nodeStep = <T>(name: string, body: () => Promise<T>): Promise<T> => steps.run(`${key}:${name}`, body);

      let flowCalls = 0;
      const scope = () => ({ contact: start.contact, message, trigger: walkTrigger, vars, nodes: outputs });
      const context: NodeContext<never> = {
        config: current.config,
        node: { id: current.node.id, label: current.node.label },
        contact: start.contact,
        message,
        trigger: walkTrigger,
        vars,
        nodes: outputs,
        render: (template) => renderTemplate(template, scope()),
        setVar: (name, value) => {
          vars[name] = value;
        },
        send: async (outbound) => {
          const index = sends++;
          // The refusal is the step's result, so a replay throws the same error without asking again.
          const outcome = await nodeStep(`send:${index}`, () =>
            services.send({
              runId: start.runId,
              conversationId: start.conversationId,
              nodeId: current.node.id,
              idempotencyKey: `${start.runId}:${key}:send:${index}`,
              message: outbound,
            }),
          );
          if (outcome.windowClosed) throw new WindowClosedError(outcome.windowClosed.lastInboundAt);
          return { messageId: outcome.messageId };
        },
        waitForReply: async ({ timeout }) => {
          let deadline: number | undefined;
          for (;;) {
            const index = takes++;
            const taken = await nodeStep(`take:${index}`, async () => ({
              now: Date.now(),
              message: await services.takeNextMessage({ runId: start.runId, conversationId: start.conversationId, nodeId: current.node.id }),
            }));
            if (taken.message) {
              message = taken.message;
              return taken.message;
            }
            deadline ??= taken.now + durationMs(timeout);
            // Always issue the wait (at least 1 s) so a replay takes the same path as the first run.
            const remainingSeconds = Math.max(1, Math.ceil((deadline - taken.now) / 1000));
            const doorbell = await steps.waitForEvent(`${key}:wait:${index}`, {
              event: CONVERSATION_MESSAGE_EVENT,
              match: "data.conversationId",
              timeout: `${remainingSeconds}s`,
            });
            if (doorbell === null) {
              await nodeStep(`timeout:${index}`, () => services.stopWaiting({ runId: start.runId }));
              return null;
            }
          }
        },
        sleep: async (duration) => {
          durationMs(duration); // a bad duration fails the node here, not inside the executor
          await steps.sleep(`${key}:sleep:${sleeps++}`, duration);
        },
        step: (name, body) => nodeStep(`do:${name}`, body),
        cached: (name, { key, ttl, keep }, body) => {
          const ttlMs = durationMs(ttl);
          const where = { conversationId: start.conversationId, nodeId: current.node.id, key };
          return nodeStep(`cache:${name}`, async () => {
            const hit = await services.readCache(where);
            if (hit) return { value: hit.value as Awaited<ReturnType<typeof body>>, cached: true };
            const value = await body();
            if (ttlMs > 0 && (keep?.(value) ?? true)) await services.writeCache({ ...where, value, ttlMs });
            return { value, cached: false };
          });
        },
        history: (turns) => {
          const beforeMessageId = message?.id ?? null;
          return nodeStep(`history:${histories++}`, () => services.history({ conversationId: start.conversationId, turns, beforeMessageId }));
        },
        summary: {
          read: (keep) => {
            const beforeMessageId = message?.id ?? null;
            return nodeStep(`summary:read:${histories++}`, () => services.readSummary({ conversationId: start.conversationId, keep, beforeMessageId }));
          },
          save: (summary) => nodeStep(`summary:save:${histories++}`, () => services.saveSummary({ conversationId: start.conversationId, summary })),
        },
        flows: {
          inputs: async (flowId) => {
            const called = await calledFlow(flowId, depth, () => nodeStep(`flow:${flowCalls++}:resolve`, () => services.resolveFlow({ runId: start.runId, flowId })));
            return "error" in called ? { ok: false, error: called.error.message } : { ok: true, fields: flowInputs(called.flow) };
          },
          run: async ({ flowId, data, label }): Promise<FlowCallOutcome> => {
            const index = flowCalls++;
            const called = await calledFlow(flowId, depth, async () => {
              const resolved = await nodeStep(`flow:${index}:resolve`, async () => ({ at: new Date().toISOString(), ...(await services.resolveFlow({ runId: start.runId, flowId })) }));
              // The flow's first node starts now, not when this node did.
              previousEndedAt = resolved.at;
              return resolved;
            });
            if ("error" in called) return { ok: false, error: called.error.message };
            const was: Record<string, unknown> = JSON.parse(JSON.stringify(vars));
            const failed = await runCalledFlow(called.flow, `${key}/${label}#${index}/`, depth, { kind: "event", name: label, data });
            if (failed) return { ok: false, error: failed.failure.message };
            const variables = Object.fromEntries(Object.entries(vars).filter(([name, value]) => JSON.stringify(value) !== JSON.stringify(was[name])));
            return { ok: true, flowVersionId: called.flowVersionId, variables };
          },
        },
        fetch: (request) => services.fetch(request),
        knowledge: { search: (request) => services.searchKnowledge({ conversationId: start.conversationId, request }) },
        tables: { search: (request) => services.searchTable({ conversationId: start.conversationId, request }) },
        secret: async (name) => {
          const declared = current.definition.secrets?.find((secret) => secret.name === name);
          if (!declared) throw new FlowRunError(`Node type “${current.node.type}” reads the secret “${name}” but does not declare it in its definition's secrets.`, current.node.id);
          const value = await services.readSecret({ conversationId: start.conversationId, nodeType: current.node.type, name });
          if (value === null) throw new MissingSecretError(declared.label);
          secretsRead.push(value);
          return value;
        },
        handOff: async (reason) => {
          await nodeStep("handoff", () => services.handOff({ runId: start.runId, conversationId: start.conversationId, reason }));
          handedOff = true;
        },
        models: {
          chat: async (request) => {
            const outcome = await nodeStep(`model:${chats++}`, () =>
              services.chat({ runId: start.runId, conversationId: start.conversationId, nodeId: current.node.id, request }),
            );
            modelCalls.push({ request, result: outcome.ok ? outcome.result : null, error: outcome.ok ? null : { message: outcome.error, attempts: outcome.attempts } });
            if (!outcome.ok) throw new ModelUnavailableError(outcome.error, outcome.attempts);
            return outcome.result;
          },
        },
      };

      // A node starts when the one before it ended (its sends, waits and sleeps count in its time).
      const startedAt = previousEndedAt;
      let result: NodeResult | undefined;
      let failure: Error | undefined;
      try {
        result = await current.definition.run(context);
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
      }
      // Resolve the called flow before tracing the call, so the trace says which version ran.
      let called: CalledFlow | undefined;
      if (result?.call && !failure) {
        const target = result.call.flowId;
        const resolved = await calledFlow(target, depth, () => nodeStep("resolve-flow", () => services.resolveFlow({ runId: start.runId, flowId: target })));
        if ("error" in resolved) failure = resolved.error;
        else {
          called = resolved;
          result = { ...result, output: { ...result.output, flowId: target, flowVersionId: resolved.flowVersionId } };
        }
      }
      // A send refused outside the 24-hour window follows the node's "window closed" output when it is connected.
      const windowClosed = failure instanceof WindowClosedError && flow.edges.has(edgeKey(current.node.id, WINDOW_CLOSED_PORT.id));
      const port = windowClosed ? WINDOW_CLOSED_PORT.id : failure ? "error" : (result?.port ?? "next");
      if (result?.output) outputs[current.node.id] = result.output;
      previousEndedAt = await steps.run(`${key}:trace`, async () => {
        const endedAt = new Date().toISOString();
        await services.writeTrace(withoutSecrets(secretsRead, {
          runId: start.runId,
          key,
          nodeId: `${prefix.replace(/#\d+\//g, "/")}${current.node.id}`,
          nodeType: current.node.type,
          attempt: input.attempt,
          port: (failure && !windowClosed) || result?.goto !== undefined || called ? null : port,
          // The variables as this node left them: the studio's test panel and run review show them.
          input: { config: current.definition.traceConfig?.(current.config) ?? current.node.config, message: message?.text ?? null, vars: { ...vars } },
          output: result?.output ?? null,
          error: failure ? { name: failure.name, message: failure.message } : null,
          modelCalls: modelCalls.length > 0 ? modelCalls : null,
          startedAt: startedAt ?? endedAt,
          endedAt,
        }));
        return endedAt;
      });
      if (called) {
        const failed = await runCalledFlow(called.flow, `${key}/`, depth, walkTrigger);
        if (failed) {
          // The called flow failed: that is this node failing, handled by its error port if it has one.
          const handler = flow.edges.get(edgeKey(current.node.id, "error"));
          if (handler === undefined) throw new UnhandledFailure(failed.failure, current.node.id);
          currentId = handler;
          continue;
        }
      }
      const nextId: string | undefined = failure ? flow.edges.get(edgeKey(current.node.id, port)) : nextNode(flow, current.node.id, port, result?.goto);
      if (failure && nextId === undefined) throw new UnhandledFailure(failure, current.node.id);
      currentId = nextId;
    }
  };

  /** The published flow a node runs (“Run another flow”, `ctx.flows`), compiled; or why it cannot run. */
  const calledFlow = async (flowId: string, depth: number, resolve: () => Promise<{ flowVersionId: string } | { error: string }>): Promise<CalledFlow | { error: Error }> => {
    if (depth >= MAX_CALL_DEPTH) return { error: new FlowRunError(`Flows call each other more than ${MAX_CALL_DEPTH} deep: does a flow call itself?`) };
    const resolved = await resolve();
    if ("error" in resolved) return { error: new FlowRunError(resolved.error) };
    try {
      return { flow: await services.loadFlow(resolved.flowVersionId), flowVersionId: resolved.flowVersionId };
    } catch (error) {
      // A published version stops compiling when a node type it uses is removed.
      return { error: error instanceof Error ? error : new Error(String(error)) };
    }
  };
  /** Runs a called flow from the node after its trigger, inline; resolves to the failure nothing in it handled, if any. */
  const runCalledFlow = async (called: CompiledFlow, prefix: string, depth: number, calledTrigger: RunTrigger): Promise<UnhandledFailure | null> => {
    try {
      await walk(called, called.edges.get(edgeKey(called.triggerId, "next")), prefix, depth + 1, {}, calledTrigger);
      return null;
    } catch (error) {
      if (error instanceof UnhandledFailure) return error;
      throw error;
    }
  };

  const fail = async (error: string) =>
    steps.run("finish", () => services.finishRun({ runId: start.runId, conversationId: start.conversationId, status: "failed", error, vars }));
  const { resume } = start;
  if (resume && !input.flow.nodes.has(resume.nodeId)) throw new FlowRunError(`The run was to continue at node “${resume.nodeId}”, which is not in this flow version.`);
  try {
    await walk(input.flow, resume?.nodeId ?? input.flow.triggerId, "", 0, { ...resume?.outputs });
  } catch (error) {
    if (error instanceof LoopLimitReached) {
      await fail("loop limit reached");
      throw new FlowRunError(`The run executed ${MAX_NODE_EXECUTIONS} nodes without ending: check the flow for a loop with no exit.`);
    }
    if (error instanceof UnhandledFailure) {
      await fail(error.failure.message);
      throw new FlowRunError(`Node ${error.nodeId} failed: ${error.failure.message}`, error.nodeId);
    }
    throw error;
  }
  await steps.run("finish", () =>
    services.finishRun({ runId: start.runId, conversationId: start.conversationId, status: "completed", vars }),
  );
  return { status: "completed", vars };
}

/** The trace with every occurrence of the given secret values replaced by "***". */
function withoutSecrets(secrets: string[], trace: TraceRecord): TraceRecord {
  if (secrets.length === 0) return trace;
  let json = JSON.stringify(trace);
  for (const secret of secrets) if (secret !== "") json = json.replaceAll(JSON.stringify(secret).slice(1, -1), "***");
  return JSON.parse(json) as TraceRecord;
}

function nextNode(flow: CompiledFlow, from: string, port: string, goto: string | undefined): string | undefined {
  if (goto === undefined) return flow.edges.get(edgeKey(from, port));
  if (!flow.nodes.has(goto)) throw new FlowRunError(`Node ${from} jumps to “${goto}”, which is not in this flow.`, from);
  return goto;
}

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function durationMs(duration: string): number {
  const match = /^(\d+)([smhd])$/.exec(duration);
  if (!match) throw new FlowRunError(`Invalid duration “${duration}”: use a number and s, m, h or d.`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
