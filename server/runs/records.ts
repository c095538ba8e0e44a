// Parley's own record of runs: the FlowRun row and one StepTrace row per executed node.
// Admins read these, whichever executor ran the function (DESIGN.md section 3).
import { randomUUID } from "node:crypto";
import { sql } from "@/server/db/sql";
import { groupCommit } from "@/server/executor/group-commit";
import { count } from "@/server/observability/metrics";
import { sendEvents, MESSAGE_RECEIVED_EVENT, type MessageReceivedData } from "@/server/inngest/client";
import type { TraceRecord } from "@/flows/runtime";

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/**
 * One node's trace row, written again unchanged when a replayed step writes it twice. Every
 * node writes one, so the traces of concurrent runs are group-committed in one statement.
 */
export const writeTrace = groupCommit<TraceRecord, void>(async (traces) => {
  const column = <T>(value: (trace: TraceRecord) => T) => traces.map(value);
  // A batch holding one key twice fails as a whole (ON CONFLICT cannot update a row twice); group commit then writes each alone.
  await sql().$executeRaw`
    INSERT INTO "StepTrace" (id, "runId", key, "nodeId", "nodeType", attempt, port, input, output, error, "modelCalls", "startedAt", "endedAt")
    SELECT * FROM unnest(${column(() => randomUUID())}::text[], ${column((t) => t.runId)}::text[], ${column((t) => t.key)}::text[],
      ${column((t) => t.nodeId)}::text[], ${column((t) => t.nodeType)}::text[], ${column((t) => t.attempt)}::int[], ${column((t) => t.port)}::text[],
      ${column((t) => json(t.input))}::jsonb[], ${column((t) => json(t.output))}::jsonb[], ${column((t) => json(t.error))}::jsonb[],
      ${column((t) => json(t.modelCalls))}::jsonb[], ${column((t) => new Date(t.startedAt).toISOString())}::timestamp[],
      ${column((t) => new Date(t.endedAt).toISOString())}::timestamp[])
    ON CONFLICT ("runId", key) DO UPDATE SET
      "nodeId" = EXCLUDED."nodeId", "nodeType" = EXCLUDED."nodeType", attempt = EXCLUDED.attempt, port = EXCLUDED.port,
      input = EXCLUDED.input, output = EXCLUDED.output, error = EXCLUDED.error, "modelCalls" = EXCLUDED."modelCalls",
      "startedAt" = EXCLUDED."startedAt", "endedAt" = EXCLUDED."endedAt"`;
  return traces.map(() => undefined);
});

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
  // One statement: the run ends, the conversation is freed, and a message it never took is found.
  // (A failed run is ended twice, by its last step and by the onFailure handler: counted once.)
  const [ending] = await sql().$queryRaw<{ wasOpen: boolean; leftover: string | null }>`
    WITH before AS (
      SELECT status NOT IN ('completed', 'failed', 'cancelled') AS open FROM "FlowRun" WHERE id = ${input.runId}
    ), ended AS (
      UPDATE "FlowRun" SET status = ${input.status}::"RunStatus", "endedAt" = ${new Date()}, "waitingNodeId" = NULL, error = ${input.error ?? null},
        vars = COALESCE(${input.vars ? JSON.stringify(input.vars) : null}::jsonb, vars)
      WHERE id = ${input.runId}
      RETURNING "inboxAfterSeq"
    ), freed AS (
      UPDATE "Conversation" SET "activeRunId" = NULL WHERE id = ${input.conversationId} AND "activeRunId" = ${input.runId}
    )
    SELECT before.open AS "wasOpen", (
      SELECT m.id FROM "Message" m
      WHERE m."conversationId" = ${input.conversationId} AND m.direction = 'inbound' AND m."consumedByRunId" IS NULL AND m.seq > ended."inboxAfterSeq"
      ORDER BY m.seq
      LIMIT 1
    ) AS leftover
    FROM before, ended`;
  if (ending?.wasOpen) count.runFinished(input.status);
  const leftover = ending?.leftover ? { id: ending.leftover } : null;
  if (leftover) {
    const data: MessageReceivedData = { messageId: leftover.id, conversationId: input.conversationId };
    await sendEvents({ name: MESSAGE_RECEIVED_EVENT, id: `${leftover.id}:after:${input.runId}`, data });
  }
}
