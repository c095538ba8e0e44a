// A run that continues another from one of its nodes: a failed run retried from the node
// that failed, or a conversation handed back to the bot at a node an admin chose. The new
// FlowRun runs the same flow version, starts at that node with the variables and node
// outputs the earlier run had, and records which run and node it continues. Its inbox
// starts after the newest message, so what the contact wrote meanwhile (answered by a
// person, or by nobody while the run was failed) is not taken as an answer.
import { flowRunEventName } from "@/flows/compiler";
import type { RunResume, RunStart } from "@/flows/runtime";
import type { RunTrigger } from "@/flows/define-node";
import { db, Prisma } from "@/server/db/client";
import { sendEvents } from "@/server/inngest/client";
import { toInboundMessage } from "@/server/conversations/inbox";
import { loadFlowGraph } from "./flow-versions";
import { claimConversation, ConversationTaken, runStartOf } from "./start";

/** Why a run cannot be continued; the message says what to do. */
export class ResumeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ResumeError";
  }
}

type RunState = Pick<RunResume, "vars" | "outputs">;

/** A node of a called flow is traced as "call/inner": the run itself can only continue at the calling node. */
const topLevelNodeId = (traceNodeId: string) => traceNodeId.split("/")[0]!;

/** The variables and node outputs the run had: as it finished, or as its last traced node left them. */
async function runState(run: { id: string; vars: Prisma.JsonValue }): Promise<RunState> {
  const traces = await db().stepTrace.findMany({
    where: { runId: run.id },
    orderBy: [{ startedAt: "asc" }, { endedAt: "asc" }],
    select: { nodeId: true, input: true, output: true },
  });
  const outputs: RunState["outputs"] = {};
  for (const trace of traces) {
    if (trace.nodeId.includes("/") || !isRecord(trace.output)) continue;
    outputs[trace.nodeId] = trace.output;
  }
  const finished = isRecord(run.vars) ? run.vars : {};
  const lastInput = traces.at(-1)?.input;
  const traced = isRecord(lastInput) && isRecord(lastInput.vars) ? lastInput.vars : {};
  return { vars: Object.keys(finished).length > 0 ? finished : traced, outputs };
}

function isRecord(value: unknown): value is Record<string, never> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The node a failed run failed at, from its traces in execution order: the last one with an error, else the last one. */
export function failedNodeOf(traces: { nodeId: string; error: unknown }[]): string | null {
  const failed = traces.findLast((trace) => trace.error !== null) ?? traces.at(-1);
  return failed ? topLevelNodeId(failed.nodeId) : null;
}

async function failedNodeId(runId: string): Promise<string | null> {
  return failedNodeOf(await db().stepTrace.findMany({ where: { runId }, orderBy: [{ startedAt: "asc" }, { endedAt: "asc" }], select: { nodeId: true, error: true } }));
}

/**
 * Creates the continuing run in the caller's transaction (which may also, say, end a
 * hand-off) and returns its start; `announceRun` sends it once the transaction committed.
 */
export async function claimResumedRun(tx: Prisma.TransactionClient, input: { runId: string; workspaceId: string; nodeId: string }): Promise<RunStart> {
  const run = await tx.flowRun.findFirst({
    where: { id: input.runId, flow: { workspaceId: input.workspaceId } },
    include: { conversation: { include: { contact: true } } },
  });
  if (!run) throw new ResumeError("No such run in your workspace.");
  const graph = await loadFlowGraph(run.flowVersionId);
  if (!graph.nodes.some((node) => node.id === input.nodeId)) throw new ResumeError(`Node “${input.nodeId}” is not in version ${run.flowVersionId} of this flow.`);

  const state = await runState(run);
  const latest = await tx.message.aggregate({ where: { conversationId: run.conversationId }, _max: { seq: true } });
  // The message the run was answering, so `{{message.text}}` reads as it did.
  const lastHeard = await tx.message.findFirst({
    where: { conversationId: run.conversationId, direction: "inbound", OR: [{ consumedByRunId: run.id }, { id: run.triggerMessageId ?? "" }] },
    orderBy: { seq: "desc" },
  });
  const trigger = storedTrigger(run);
  let created: { id: string };
  try {
    created = await claimConversation(tx, {
      flowId: run.flowId,
      flowVersionId: run.flowVersionId,
      conversationId: run.conversationId,
      trigger,
      inboxAfterSeq: latest._max.seq ?? 0n,
      resumed: { fromRunId: run.id, nodeId: input.nodeId },
    });
  } catch (error) {
    if (error instanceof ConversationTaken) throw new ResumeError("The bot cannot continue here now: another run owns this conversation, or a person has taken it over.");
    throw error;
  }
  return runStartOf({
    runId: created.id,
    flowId: run.flowId,
    flowVersionId: run.flowVersionId,
    conversation: run.conversation,
    message: lastHeard ? toInboundMessage(lastHeard) : null,
    trigger,
    resume: { fromRunId: run.id, nodeId: input.nodeId, ...state },
  });
}

/** What started a run, as its FlowRun row recorded it. */
export function storedTrigger(run: { triggerKind: string; triggerData: Prisma.JsonValue }): RunTrigger {
  const stored = isRecord(run.triggerData) ? run.triggerData : {};
  const kind = run.triggerKind === "schedule" || run.triggerKind === "event" ? run.triggerKind : "message";
  return {
    kind,
    ...(typeof stored.name === "string" ? { name: stored.name } : {}),
    data: isRecord(stored.data) ? stored.data : {},
  };
}

/** Hands the continuing run to the executor. */
export async function announceRun(start: RunStart): Promise<void> {
  await sendEvents({ id: `run:${start.runId}`, name: flowRunEventName(start.flowId), data: start });
}

/**
 * Retries a failed run from the node that failed (or `nodeId`), as a new run, once: a
 * second retry of the same run is refused and names the first.
 */
export async function retryRun(input: { runId: string; workspaceId: string; userId: string; nodeId?: string }): Promise<{ runId: string }> {
  const run = await db().flowRun.findFirst({ where: { id: input.runId, flow: { workspaceId: input.workspaceId } }, select: { id: true, status: true } });
  if (!run) throw new ResumeError("No such run in your workspace.");
  if (run.status !== "failed") throw new ResumeError(`Only failed runs are retried; this one is ${run.status}.`);
  const earlier = await db().flowRun.findFirst({ where: { resumedFromRunId: run.id }, select: { id: true } });
  if (earlier) throw new ResumeError(`This run was already retried as run ${earlier.id}.`);
  const nodeId = input.nodeId ?? (await failedNodeId(run.id));
  if (!nodeId) throw new ResumeError("The run failed before any node ran: there is no node to retry from.");
  const start = await db().$transaction(async (tx) => {
    const claimed = await claimResumedRun(tx, { runId: run.id, workspaceId: input.workspaceId, nodeId });
    await tx.auditLog.create({
      data: { workspaceId: input.workspaceId, userId: input.userId, action: "run.retry", target: run.id, details: { nodeId, newRunId: claimed.runId } },
    });
    return claimed;
  });
  await announceRun(start);
  return { runId: start.runId };
}
