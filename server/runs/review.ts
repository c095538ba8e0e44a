// Runs as admins review them: filtered lists with counts per status, one run in full (its
// trace, messages, version and the path it took), and the dead-letter list of what failed:
// runs that ended in failure and messages the channel could not deliver.
import { z } from "zod";
import { db, type Prisma } from "@/server/db/client";
import { flowGraphSchema } from "@/flows/schema";
import { deliveryErrorSchema } from "@/server/channels/delivery-errors";
import { failedNodeOf } from "./resume";

export const RUN_STATUSES = ["running", "waiting", "completed", "failed", "cancelled"] as const;

export const runFilterSchema = z.object({
  flowId: z.string().optional(),
  /** A version number of `flowId`. */
  version: z.number().int().optional(),
  status: z.enum(RUN_STATUSES).optional(),
  /** The contact's name or number. */
  contact: z.string().trim().max(100).optional(),
  from: z.date().optional(),
  to: z.date().optional(),
  /** Runs of the studio's test panel, hidden unless asked for. */
  includeTests: z.boolean().default(false),
  cursor: z.string().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type RunFilter = z.input<typeof runFilterSchema>;

function runWhere(workspaceId: string, filter: z.output<typeof runFilterSchema>): Prisma.FlowRunWhereInput {
  const digits = filter.contact?.replace(/[\s()+-]/g, "") ?? "";
  return {
    flow: { workspaceId },
    ...(filter.flowId ? { flowId: filter.flowId } : {}),
    flowVersion: { ...(filter.version !== undefined ? { number: filter.version } : {}), ...(filter.includeTests ? {} : { testOnly: false }) },
    ...(filter.from || filter.to ? { startedAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lte: filter.to } : {}) } } : {}),
    ...(filter.contact
      ? {
          conversation: {
            contact: {
              OR: [{ name: { contains: filter.contact, mode: "insensitive" } }, ...(/^\d+$/.test(digits) ? [{ waId: { contains: digits } }] : [])],
            },
          },
        }
      : {}),
  };
}

export async function listRuns(workspaceId: string, filter: RunFilter) {
  const input = runFilterSchema.parse(filter);
  const where = runWhere(workspaceId, input);
  const [rows, grouped] = await Promise.all([
    db().flowRun.findMany({
      where: { ...where, ...(input.status ? { status: input.status } : {}) },
      orderBy: [{ startedAt: "desc" }, { id: "desc" }],
      take: input.limit + 1,
      ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
      include: {
        flow: { select: { id: true, name: true } },
        flowVersion: { select: { number: true } },
        conversation: { select: { id: true, contact: { select: { name: true, waId: true, bsuid: true } } } },
        _count: { select: { traces: true } },
      },
    }),
    // Counts ignore the status filter, so every tab shows how many runs it holds.
    db().flowRun.groupBy({ by: ["status"], where, _count: { _all: true } }),
  ]);
  const page = rows.slice(0, input.limit);
  const counts = Object.fromEntries(RUN_STATUSES.map((status) => [status, 0])) as Record<(typeof RUN_STATUSES)[number], number>;
  for (const group of grouped) counts[group.status] = group._count._all;
  return {
    runs: page.map((run) => ({
      id: run.id,
      flow: run.flow,
      version: run.flowVersion.number,
      status: run.status,
      conversationId: run.conversation.id,
      contact: run.conversation.contact.name,
      contactNumber: run.conversation.contact.waId ?? run.conversation.contact.bsuid,
      startedAt: run.startedAt,
      endedAt: run.endedAt,
      error: run.error,
      steps: run._count.traces,
    })),
    counts,
    nextCursor: rows.length > input.limit ? page.at(-1)!.id : null,
  };
}

export async function runDetail(workspaceId: string, runId: string) {
  const run = await db().flowRun.findFirst({
    where: { id: runId, flow: { workspaceId } },
    include: {
      flow: { select: { id: true, name: true } },
      flowVersion: { select: { number: true, graph: true, testOnly: true } },
      conversation: { include: { contact: true } },
      traces: { orderBy: [{ startedAt: "asc" }, { endedAt: "asc" }] },
    },
  });
  if (!run) return null;
  const [messages, continuedBy] = await Promise.all([
    db().message.findMany({
      where: { conversationId: run.conversationId, OR: [{ runId: run.id }, { consumedByRunId: run.id }] },
      orderBy: { seq: "asc" },
      select: { id: true, direction: true, text: true, type: true, status: true, error: true, nodeId: true, createdAt: true },
    }),
    db().flowRun.findMany({ where: { resumedFromRunId: run.id }, select: { id: true, status: true, resumedAtNodeId: true, startedAt: true } }),
  ]);
  const graph = flowGraphSchema.safeParse(run.flowVersion.graph);
  return {
    id: run.id,
    flow: run.flow,
    version: run.flowVersion.number,
    testOnly: run.flowVersion.testOnly,
    graph: graph.success ? graph.data : null,
    status: run.status,
    error: run.error,
    /** Where a retry would start. */
    failedNodeId: run.status === "failed" ? failedNodeOf(run.traces) : null,
    triggerKind: run.triggerKind,
    waitingNodeId: run.waitingNodeId,
    vars: run.vars,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    resumedFrom: run.resumedFromRunId ? { runId: run.resumedFromRunId, nodeId: run.resumedAtNodeId } : null,
    continuedBy,
    contact: { name: run.conversation.contact.name, waId: run.conversation.contact.waId },
    conversation: { id: run.conversation.id, handedOffAt: run.conversation.handedOffAt, handoffReason: run.conversation.handoffReason, activeRunId: run.conversation.activeRunId },
    traces: run.traces.map((trace) => ({
      id: trace.id,
      nodeId: trace.nodeId,
      nodeType: trace.nodeType,
      attempt: trace.attempt,
      port: trace.port,
      input: trace.input,
      output: trace.output,
      error: trace.error,
      modelCalls: trace.modelCalls,
      startedAt: trace.startedAt,
      endedAt: trace.endedAt,
    })),
    messages: messages.map((message) => ({ ...message, error: deliveryMeaning(message.error) })),
  };
}

function deliveryMeaning(error: Prisma.JsonValue): { code: number | null; meaning: string } | null {
  if (error === null) return null;
  const parsed = deliveryErrorSchema.pick({ code: true, meaning: true }).safeParse(error);
  return parsed.success ? parsed.data : { code: null, meaning: "The provider gave no reason." };
}

/**
 * What failed and still needs someone: failed runs not retried yet, and outbound messages
 * the channel did not deliver, newest first.
 */
export async function deadLetters(workspaceId: string, limit = 100) {
  const [runs, messages] = await Promise.all([
    db().flowRun.findMany({
      where: { flow: { workspaceId }, flowVersion: { testOnly: false }, status: "failed" },
      orderBy: { startedAt: "desc" },
      take: limit,
      include: {
        flow: { select: { name: true } },
        flowVersion: { select: { number: true } },
        conversation: { select: { id: true, contact: { select: { name: true, waId: true, bsuid: true } } } },
      },
    }),
    db().message.findMany({
      where: { conversation: { workspaceId, testFlowVersionId: null }, direction: "outbound", status: "failed" },
      orderBy: { seq: "desc" },
      take: limit,
      select: {
        id: true,
        text: true,
        type: true,
        error: true,
        runId: true,
        nodeId: true,
        createdAt: true,
        conversation: { select: { id: true, contact: { select: { name: true, waId: true, bsuid: true } } } },
      },
    }),
  ]);
  const retried = new Set(
    (await db().flowRun.findMany({ where: { resumedFromRunId: { in: runs.map((run) => run.id) } }, select: { resumedFromRunId: true } })).map((run) => run.resumedFromRunId),
  );
  const contactOf = (conversation: { contact: { name: string | null; waId: string | null; bsuid: string | null } }) => ({
    name: conversation.contact.name,
    number: conversation.contact.waId ?? conversation.contact.bsuid,
  });
  return {
    runs: runs
      .filter((run) => !retried.has(run.id))
      .map((run) => ({ id: run.id, flowName: run.flow.name, version: run.flowVersion.number, error: run.error, startedAt: run.startedAt, endedAt: run.endedAt, conversationId: run.conversation.id, contact: contactOf(run.conversation) })),
    messages: messages.map((message) => ({
      id: message.id,
      text: message.text,
      type: message.type,
      error: deliveryMeaning(message.error),
      runId: message.runId,
      nodeId: message.nodeId,
      createdAt: message.createdAt,
      conversationId: message.conversation.id,
      contact: contactOf(message.conversation),
    })),
  };
}
