// Parley's own record of runs: the FlowRun row and one StepTrace row per executed node.
// Admins read these, whichever executor ran the function (DESIGN.md section 3).
import { db, Prisma } from "@/server/db/client";
import { sendEvents, MESSAGE_RECEIVED_EVENT, type MessageReceivedData } from "@/server/inngest/client";
import type { TraceRecord } from "@/flows/runtime";

export async function writeTrace(trace: TraceRecord): Promise<void> {
  const data = {
    nodeId: trace.nodeId,
    nodeType: trace.nodeType,
    attempt: trace.attempt,
    port: trace.port,
    input: trace.input as Prisma.InputJsonValue,
    output: (trace.output ?? Prisma.DbNull) as Prisma.InputJsonValue,
    error: (trace.error ?? Prisma.DbNull) as Prisma.InputJsonValue,
    modelCalls: trace.modelCalls ? (trace.modelCalls as unknown as Prisma.InputJsonValue) : Prisma.DbNull,
    startedAt: new Date(trace.startedAt),
    endedAt: new Date(trace.endedAt),
  };
  await db().stepTrace.upsert({
    where: { runId_key: { runId: trace.runId, key: trace.key } },
    create: { runId: trace.runId, key: trace.key, ...data },
    update: data,
  });
}

/**
 * Ends a run and frees its conversation. A message the run never took (written while it
 * was busy, after its last question) is routed again, so it starts the next run instead
 * of being forgotten.
 */
export async function finishRun(input: {
  runId: string;
  conversationId: string;
  status: "completed" | "failed";
  error?: string;
  vars?: Record<string, unknown>;
}): Promise<void> {
  const leftover = await db().$transaction(async (tx) => {
    const run = await tx.flowRun.update({
      where: { id: input.runId },
      data: {
        status: input.status,
        endedAt: new Date(),
        waitingNodeId: null,
        error: input.error ?? null,
        ...(input.vars ? { vars: input.vars as Prisma.InputJsonValue } : {}),
      },
      select: { inboxAfterSeq: true },
    });
    await tx.conversation.updateMany({ where: { id: input.conversationId, activeRunId: input.runId }, data: { activeRunId: null } });
    return tx.message.findFirst({
      where: { conversationId: input.conversationId, direction: "inbound", consumedByRunId: null, seq: { gt: run.inboxAfterSeq } },
      orderBy: { seq: "asc" },
      select: { id: true },
    });
  });
  if (leftover) {
    const data: MessageReceivedData = { messageId: leftover.id, conversationId: input.conversationId };
    await sendEvents({ name: MESSAGE_RECEIVED_EVENT, id: `${leftover.id}:after:${input.runId}`, data });
  }
}
