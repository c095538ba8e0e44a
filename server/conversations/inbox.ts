// A conversation's inbound messages are the run's inbox. The database, not the event, is
// the source of truth: a run takes the oldest message it has not answered, so messages
// reach it in order and one that arrived between two steps is still there (DESIGN.md
// invariant 2). Events only ring the doorbell.
import { db } from "@/server/db/client";
import { markReadAndTyping } from "@/server/channels/whatsapp/graph-client";
import type { InboundMessage } from "@/flows/message";

interface MessageRow {
  id: string;
  type: string;
  text: string | null;
  payload: unknown;
  createdAt: Date;
}

export function toInboundMessage(row: MessageRow): InboundMessage {
  const replyId = (row.payload as { replyId?: unknown } | null)?.replyId;
  return {
    id: row.id,
    type: row.type,
    text: row.text,
    replyId: typeof replyId === "string" ? replyId : null,
    receivedAt: row.createdAt.toISOString(),
  };
}

/**
 * Takes the oldest inbound message of the conversation that no run has taken yet, for
 * this run; or, when there is none, marks the run as waiting at `nodeId` so the router
 * knows to ring it. Both happen in one transaction with the message row locked.
 */
export async function takeNextMessage(input: { runId: string; conversationId: string; nodeId: string }): Promise<InboundMessage | null> {
  const taken = await db().$transaction(async (tx) => {
    const [next] = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM "Message"
      WHERE "conversationId" = ${input.conversationId} AND direction = 'inbound' AND "consumedByRunId" IS NULL
        -- only what the contact wrote after the message that started this run
        AND seq > (SELECT t.seq FROM "Message" t JOIN "FlowRun" r ON r."triggerMessageId" = t.id WHERE r.id = ${input.runId})
      ORDER BY seq
      LIMIT 1
      FOR UPDATE SKIP LOCKED`;
    if (!next) {
      await tx.flowRun.update({ where: { id: input.runId }, data: { status: "waiting", waitingNodeId: input.nodeId } });
      return null;
    }
    const message = await tx.message.update({
      where: { id: next.id },
      data: { consumedByRunId: input.runId, consumedAt: new Date() },
    });
    await tx.flowRun.update({ where: { id: input.runId }, data: { status: "running", waitingNodeId: null } });
    return toInboundMessage(message);
  });
  if (taken) await markReadAndTyping(taken.id);
  return taken;
}

export async function stopWaiting(input: { runId: string }): Promise<void> {
  await db().flowRun.updateMany({ where: { id: input.runId, status: "waiting" }, data: { status: "running", waitingNodeId: null } });
}
