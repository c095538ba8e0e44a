// A conversation's inbound messages are the run's inbox. The database, not the event, is
// the source of truth: a run takes the oldest message it has not answered, so messages
// reach it in order and one that arrived between two steps is still there (DESIGN.md
// invariant 2). Events only ring the doorbell.
import { db } from "@/server/db/client";
import { sql } from "@/server/db/sql";
import { markReadAndTyping, SENDING_CHANNEL_JSON, type SendingChannel } from "@/server/channels/send";
import { inboundDetailsSchema, type InboundMessage } from "@/flows/message";
import { signedMediaUrl } from "@/server/media/links";
import { burstWindow, mergeBurst } from "./burst";

interface MessageRow {
  id: string;
  type: string;
  text: string | null;
  payload: unknown;
  createdAt: Date;
}

export function toInboundMessage(row: MessageRow): InboundMessage {
  const replyId = (row.payload as { replyId?: unknown } | null)?.replyId;
  // Media, place, reply, reaction… as the channel normalised them (messages stored before that have none).
  const details = inboundDetailsSchema.safeParse((row.payload as { details?: unknown } | null)?.details ?? {});
  const media = details.success ? details.data.media : undefined;
  return {
    ...(details.success ? details.data : {}),
    ...(media ? { media: { ...media, url: signedMediaUrl(row.id) } } : {}),
    id: row.id,
    type: row.type,
    text: row.text,
    replyId: typeof replyId === "string" ? replyId : null,
    receivedAt: row.createdAt.toISOString(),
  };
}

/**
 * Takes the oldest inbound message of the conversation that no run has taken yet, for
 * this run (with a burst window, every such message, merged into one); or, when there is
 * none, marks the run as waiting at `nodeId` so the router knows to ring it. Both happen
 * in one statement, with the message rows locked.
 */
export async function takeNextMessage(input: { runId: string; conversationId: string; nodeId: string }): Promise<InboundMessage | null> {
  const limit = burstWindow() ? 50 : 1;
  // Plain SQL (server/db/sql.ts): every question of every run passes here.
  const rows = await sql().$queryRaw<MessageRow & { wamid: string | null; channel: SendingChannel }>`
    WITH taken AS (
      SELECT m.id, m.seq, m.type, m.text, m.payload, m."createdAt", m.wamid, m."channelId"
      FROM "Message" m
      WHERE m."conversationId" = ${input.conversationId} AND m.direction = 'inbound' AND m."consumedByRunId" IS NULL
        -- only what the contact wrote after the run started (after the message that started it)
        AND m.seq > (SELECT r."inboxAfterSeq" FROM "FlowRun" r WHERE r.id = ${input.runId})
      ORDER BY m.seq
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ), consumed AS (
      UPDATE "Message" SET "consumedByRunId" = ${input.runId}, "consumedAt" = ${new Date()}::timestamp WHERE id IN (SELECT id FROM taken)
    ), run AS (
      UPDATE "FlowRun" SET
        status = (CASE WHEN EXISTS (SELECT 1 FROM taken) THEN 'running' ELSE 'waiting' END)::"RunStatus",
        "waitingNodeId" = CASE WHEN EXISTS (SELECT 1 FROM taken) THEN NULL ELSE ${input.nodeId} END
      WHERE id = ${input.runId}
    )
    SELECT taken.id, taken.type, taken.text, taken.payload, taken."createdAt", taken.wamid, ${SENDING_CHANNEL_JSON} AS channel
    FROM taken JOIN "Channel" ch ON ch.id = taken."channelId"
    ORDER BY taken.seq`;
  const last = rows.at(-1);
  if (!last) return null;
  await markReadAndTyping(last.channel, last);
  return mergeBurst(rows.map(toInboundMessage));
}

export async function stopWaiting(input: { runId: string }): Promise<void> {
  await db().flowRun.updateMany({ where: { id: input.runId, status: "waiting" }, data: { status: "running", waitingNodeId: null } });
}
