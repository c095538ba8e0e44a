// Runs one flow version for one conversation as durable steps. Everything with a side
// effect is a named step, so a replay (after a wait, a retry or a restart) re-runs this
// code deterministically and each step's effect happens once.
import { CONVERSATION_MESSAGE_EVENT, edgeKey, type CompiledFlow, type CompiledNode } from "./compiler";
import type { NodeContext, NodeResult, RunTrigger } from "./define-node";
import type { ContactInfo, InboundMessage, OutboundMessage } from "./message";
import { ModelUnavailableError, type ChatRequest, type ChatResult } from "./models";
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
  send(input: { runId: string; conversationId: string; nodeId: string; idempotencyKey: string; message: OutboundMessage }): Promise<{ messageId: string }>;
  /** Takes the conversation's oldest unanswered message for this run, or marks the run waiting. */
  takeNextMessage(input: { runId: string; conversationId: string; nodeId: string }): Promise<InboundMessage | null>;
  stopWaiting(input: { runId: string }): Promise<void>;
  handOff(input: { runId: string; conversationId: string; reason: string }): Promise<void>;
  writeTrace(trace: TraceRecord): Promise<void>;
  /** Asks the workspace's provider chain; "no provider could answer" is an outcome, not a throw. */
  chat(input: { runId: string; conversationId: string; nodeId: string; request: ChatRequest }): Promise<ChatOutcome>;
  finishRun(input: { runId: string; conversationId: string; status: "completed" | "failed"; error?: string; vars: Record<string, unknown> }): Promise<void>;
}

/** A run stops after this many node executions: a loop with no exit is a flow bug, not a reason to spin forever. */
export const MAX_NODE_EXECUTIONS = 500;

export class FlowRunError extends Error {
  constructor(message: string, readonly nodeId?: string) {
    super(message);
    this.name = "FlowRunError";
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
  const { start, flow, steps, services } = input;
  const vars: Record<string, unknown> = {};
  const outputs: Record<string, Record<string, unknown>> = {};
  let message: InboundMessage | null = start.message;
  const trigger: RunTrigger = start.trigger ?? { kind: "message", data: {} };
  const visits = new Map<string, number>();
  let currentId: string | undefined = flow.triggerId;
  let previousEndedAt: string | undefined;

  for (let executed = 0; currentId !== undefined; executed++) {
    const current: CompiledNode = flow.nodes.get(currentId)!;
    if (executed >= MAX_NODE_EXECUTIONS) {
      await steps.run("finish", () =>
        services.finishRun({ runId: start.runId, conversationId: start.conversationId, status: "failed", error: "loop limit reached", vars }),
      );
      throw new FlowRunError(`The run executed ${MAX_NODE_EXECUTIONS} nodes without ending: check the flow for a loop with no exit.`);
    }
    const visit = visits.get(current.node.id) ?? 0;
    visits.set(current.node.id, visit + 1);
    const key = `${current.node.id}#${visit}`;
    let sends = 0;
    let takes = 0;
    let sleeps = 0;
    let chats = 0;
    const modelCalls: ModelCallRecord[] = [];

    const nodeStep = <T>(name: string, body: () => Promise<T>): Promise<T> => steps.run(`${key}:${name}`, body);

    const scope = () => ({ contact: start.contact, message, trigger, vars, nodes: outputs });
    const context: NodeContext<never> = {
      config: current.config,
      node: { id: current.node.id, label: current.node.label },
      contact: start.contact,
      message,
      trigger,
      vars,
      nodes: outputs,
      render: (template) => renderTemplate(template, scope()),
      setVar: (name, value) => {
        vars[name] = value;
      },
      send: (outbound) => {
        const index = sends++;
        return nodeStep(`send:${index}`, () =>
          services.send({
            runId: start.runId,
            conversationId: start.conversationId,
            nodeId: current.node.id,
            idempotencyKey: `${start.runId}:${key}:send:${index}`,
            message: outbound,
          }),
        );
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
      handOff: (reason) => nodeStep("handoff", () => services.handOff({ runId: start.runId, conversationId: start.conversationId, reason })),
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

    let result: NodeResult | undefined;
    let failure: Error | undefined;
    try {
      result = await current.definition.run(context);
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
    }
    const port = failure ? "error" : (result?.port ?? "next");
    if (result?.output) outputs[current.node.id] = result.output;
    // A node starts when the one before it ended (its sends, waits and sleeps count in its time).
    const startedAt = previousEndedAt;
    previousEndedAt = await steps.run(`${key}:trace`, async () => {
      const endedAt = new Date().toISOString();
      await services.writeTrace({
        runId: start.runId,
        key,
        nodeId: current.node.id,
        nodeType: current.node.type,
        attempt: input.attempt,
        port: failure || result?.goto !== undefined ? null : port,
        input: { config: current.definition.traceConfig?.(current.config) ?? current.node.config, message: message?.text ?? null },
        output: result?.output ?? null,
        error: failure ? { name: failure.name, message: failure.message } : null,
        modelCalls: modelCalls.length > 0 ? modelCalls : null,
        startedAt: startedAt ?? endedAt,
        endedAt,
      });
      return endedAt;
    });
    const nextId: string | undefined = failure ? flow.edges.get(edgeKey(current.node.id, port)) : nextNode(flow, current.node.id, port, result?.goto);
    if (failure && nextId === undefined) {
      await steps.run("finish", () =>
        services.finishRun({ runId: start.runId, conversationId: start.conversationId, status: "failed", error: failure.message, vars }),
      );
      throw new FlowRunError(`Node ${current.node.id} failed: ${failure.message}`, current.node.id);
    }
    currentId = nextId;
  }

  await steps.run("finish", () =>
    services.finishRun({ runId: start.runId, conversationId: start.conversationId, status: "completed", vars }),
  );
  return { status: "completed", vars };
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
