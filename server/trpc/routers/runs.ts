import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { db } from "@/server/db/client";
import { cancelRun } from "@/server/runs/cancel";
import { replayRunAgainstDraft, ReplayError } from "@/server/runs/replay";
import { ResumeError, retryRun } from "@/server/runs/resume";
import { deadLetters, listRuns, runDetail, runFilterSchema } from "@/server/runs/review";
import { procedureFor, router } from "../init";

const runId = z.object({ id: z.string() });

/** Errors a person can act on become 4xx with their message; anything else stays a 500. */
function asClientError(error: unknown): never {
  if (error instanceof ResumeError || error instanceof ReplayError) throw new TRPCError({ code: "BAD_REQUEST", message: error.message });
  throw error;
}

export const runsRouter = router({
  list: procedureFor("viewer")
    .input(runFilterSchema.default({ includeTests: false, limit: 50 }))
    .query(({ ctx, input }) => listRuns(ctx.viewer.workspaceId, input)),

  get: procedureFor("viewer")
    .input(runId)
    .query(async ({ ctx, input }) => {
      const run = await runDetail(ctx.viewer.workspaceId, input.id);
      if (!run) throw new TRPCError({ code: "NOT_FOUND", message: "No such run in your workspace." });
      return run;
    }),

  deadLetters: procedureFor("viewer").query(({ ctx }) => deadLetters(ctx.viewer.workspaceId)),

  /** Stops a running or waiting run: it sends nothing more, and the conversation is free. */
  cancel: procedureFor("admin")
    .input(runId)
    .mutation(async ({ ctx, input }) => {
      const run = await db().flowRun.findFirst({ where: { id: input.id, flow: { workspaceId: ctx.viewer.workspaceId } }, select: { id: true, status: true, conversationId: true } });
      if (!run) throw new TRPCError({ code: "NOT_FOUND", message: "No such run in your workspace." });
      if (run.status !== "running" && run.status !== "waiting") throw new TRPCError({ code: "BAD_REQUEST", message: `The run is ${run.status} already.` });
      await cancelRun({ runId: run.id, conversationId: run.conversationId });
      await db().auditLog.create({ data: { workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId, action: "run.cancel", target: run.id } });
    }),

  /** Runs a failed run again from the node that failed (or the node given), as a new run. */
  retry: procedureFor("admin")
    .input(runId.extend({ nodeId: z.string().optional() }))
    .mutation(({ ctx, input }) => retryRun({ runId: input.id, nodeId: input.nodeId, workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId }).catch(asClientError)),

  /** Plays the run's messages to the flow's current draft and compares the answers; sends and stores nothing. */
  replay: procedureFor("editor")
    .input(runId)
    .mutation(({ ctx, input }) => replayRunAgainstDraft({ runId: input.id, workspaceId: ctx.viewer.workspaceId }).catch(asClientError)),
});
