import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { flowGraphSchema } from "@/flows/schema";
import { db } from "@/server/db/client";
import { FlowCompileError } from "@/server/flows/publish";
import { sendTestMessage, startTest, testState, TestRunError } from "@/server/flows/test-runs";
import { customerMessageSchema } from "@/server/simulator/phone";
import { procedureFor, router } from "../init";

async function requireFlow(flowId: string, workspaceId: string) {
  const flow = await db().flow.findFirst({ where: { id: flowId, workspaceId }, select: { id: true } });
  if (!flow) throw new TRPCError({ code: "NOT_FOUND", message: "No such flow in your workspace." });
}

/** Problems the person testing can fix become BAD_REQUEST with what to do. */
function explained(error: unknown): never {
  if (error instanceof FlowCompileError) {
    throw new TRPCError({ code: "BAD_REQUEST", message: `Fix the draft before testing it: ${error.diagnostics.map((d) => d.message).join(" ")}` });
  }
  if (error instanceof TestRunError) throw new TRPCError({ code: "BAD_REQUEST", message: error.message });
  throw error;
}

/** The canvas's test panel: chat with the draft through the real path (server/flows/test-runs.ts). */
export const flowTestsRouter = router({
  /** Freezes the draft as shown on the canvas and starts a fresh test conversation on it. */
  start: procedureFor("editor")
    .input(z.object({ flowId: z.string(), graph: flowGraphSchema }))
    .mutation(async ({ ctx, input }) => {
      await requireFlow(input.flowId, ctx.viewer.workspaceId);
      return startTest({ workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId, flowId: input.flowId, graph: input.graph }).catch(explained);
    }),

  send: procedureFor("editor")
    .input(z.object({ flowId: z.string(), message: customerMessageSchema }))
    .mutation(async ({ ctx, input }) => {
      await requireFlow(input.flowId, ctx.viewer.workspaceId);
      return sendTestMessage({ workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId, flowId: input.flowId, message: input.message }).catch(explained);
    }),

  /** The chat, and the latest test run's nodes and variables; null before the first test. */
  state: procedureFor("editor")
    .input(z.object({ flowId: z.string() }))
    .query(async ({ ctx, input }) => {
      await requireFlow(input.flowId, ctx.viewer.workspaceId);
      return testState({ workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId, flowId: input.flowId }).catch(explained);
    }),
});
