// Cancelling a run: the FlowRun is marked cancelled and frees its conversation, and the
// executor is told to stop the function run (flow functions cancel on this event, matched
// by run id), so a run waiting for an answer never wakes up to send anything.
import { db } from "@/server/db/client";
import { sendEvents } from "@/server/inngest/client";
import { count } from "@/server/observability/metrics";

export const RUN_CANCEL_EVENT = "parley/run.cancel";

export async function cancelRun(input: { runId: string; conversationId: string }): Promise<void> {
  const [cancelled] = await db().$transaction([
    db().flowRun.updateMany({
      where: { id: input.runId, status: { in: ["running", "waiting"] } },
      data: { status: "cancelled", endedAt: new Date(), waitingNodeId: null },
    }),
    db().conversation.updateMany({ where: { id: input.conversationId, activeRunId: input.runId }, data: { activeRunId: null } }),
  ]);
  if (cancelled.count > 0) count.runFinished("cancelled");
  await sendEvents({ name: RUN_CANCEL_EVENT, id: `cancel:${input.runId}`, data: { runId: input.runId } });
}
