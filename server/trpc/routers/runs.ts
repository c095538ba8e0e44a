import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { handBack } from "@/server/conversations/handoff";
import { db } from "@/server/db/client";
import { procedureFor, router } from "../init";

export const runsRouter = router({
  /** Gives a handed-off conversation back to the bot. */
  handBack: procedureFor("admin")
    .input(z.object({ conversationId: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const done = await handBack({ conversationId: input.conversationId, workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId });
      if (!done) throw new TRPCError({ code: "NOT_FOUND", message: "This conversation is not handed off (anymore)." });
    }),

  list: procedureFor("viewer")
    .input(z.object({ limit: z.number().int().min(1).max(200).default(50) }).default({ limit: 50 }))
    .query(async ({ ctx, input }) => {
      const runs = await db().flowRun.findMany({
        where: { flow: { workspaceId: ctx.viewer.workspaceId } },
        orderBy: { startedAt: "desc" },
        take: input.limit,
        include: {
          flow: { select: { name: true } },
          flowVersion: { select: { number: true } },
          conversation: { include: { contact: { select: { name: true, waId: true, bsuid: true } } } },
          _count: { select: { traces: true } },
        },
      });
      return runs.map((run) => ({
        id: run.id,
        flowName: run.flow.name,
        version: run.flowVersion.number,
        status: run.status,
        contact: run.conversation.contact.name,
        contactNumber: run.conversation.contact.waId ?? run.conversation.contact.bsuid,
        startedAt: run.startedAt,
        endedAt: run.endedAt,
        steps: run._count.traces,
      }));
    }),

  get: procedureFor("viewer").input(z.object({ id: z.string() })).query(async ({ ctx, input }) => {
    const run = await db().flowRun.findFirst({
      where: { id: input.id, flow: { workspaceId: ctx.viewer.workspaceId } },
      include: {
        flow: { select: { id: true, name: true } },
        flowVersion: { select: { number: true } },
        conversation: { include: { contact: true } },
        traces: { orderBy: [{ startedAt: "asc" }, { endedAt: "asc" }] },
      },
    });
    if (!run) throw new TRPCError({ code: "NOT_FOUND", message: "No such run in your workspace." });
    const messages = await db().message.findMany({
      where: { conversationId: run.conversationId, OR: [{ runId: run.id }, { consumedByRunId: run.id }] },
      orderBy: { seq: "asc" },
      select: { id: true, direction: true, text: true, type: true, status: true, nodeId: true, createdAt: true },
    });
    return {
      id: run.id,
      flow: run.flow,
      version: run.flowVersion.number,
      status: run.status,
      error: run.error,
      waitingNodeId: run.waitingNodeId,
      vars: run.vars,
      startedAt: run.startedAt,
      endedAt: run.endedAt,
      contact: { name: run.conversation.contact.name, waId: run.conversation.contact.waId },
      conversation: { id: run.conversation.id, handedOffAt: run.conversation.handedOffAt, handoffReason: run.conversation.handoffReason },
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
      messages,
    };
  }),
});
