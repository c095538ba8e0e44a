import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { importFlow } from "@/flows/exchange";
import { flowGraphSchema, type FlowGraph } from "@/flows/schema";
import type { Viewer } from "@/server/auth/session";
import { flowTemplate, flowTemplates } from "@/flows/templates";
import { validateFlow } from "@/flows/validator";
import { isSimulatorChannel } from "@/server/simulator/phone";
import { db, Prisma } from "@/server/db/client";
import { FlowCompileError, publishFlow } from "@/server/flows/publish";
import { syncFunctions } from "@/server/inngest/sync";
import { procedureFor, router } from "../init";

async function flowInWorkspace(flowId: string, workspaceId: string) {
  const flow = await db().flow.findFirst({
    where: { id: flowId, workspaceId },
    include: { publishedVersion: { select: { number: true, publishedAt: true } }, channels: { select: { id: true, name: true } } },
  });
  if (!flow) throw new TRPCError({ code: "NOT_FOUND", message: "No such flow in your workspace." });
  return flow;
}

/** Who saved a flow's draft last, as people know them (name, else email); null before anyone saved it here. */
async function draftSaver(flow: { draftSavedById: string | null; draftSavedAt: Date | null }, viewer: Viewer) {
  if (!flow.draftSavedById || !flow.draftSavedAt) return null;
  const user = await db().user.findUnique({ where: { id: flow.draftSavedById }, select: { name: true, email: true } });
  return { name: user?.name?.trim() || user?.email || "someone who left the workspace", at: flow.draftSavedAt, isViewer: flow.draftSavedById === viewer.userId };
}

async function createDraft(viewer: Viewer, name: string, graph: FlowGraph, details: Record<string, unknown>): Promise<{ id: string }> {
  const channels = (await db().channel.findMany({ where: { workspaceId: viewer.workspaceId } })).filter(isSimulatorChannel);
  const flow = await db().flow.create({
    data: {
      workspaceId: viewer.workspaceId,
      name,
      draft: graph as Prisma.InputJsonValue,
      channels: { connect: channels.map((channel) => ({ id: channel.id })) },
    },
  });
  await db().auditLog.create({
    data: { workspaceId: viewer.workspaceId, userId: viewer.userId, action: "flow.create", target: flow.id, details: details as Prisma.InputJsonValue },
  });
  return { id: flow.id };
}

export const flowsRouter = router({
  list: procedureFor("viewer").query(async ({ ctx }) => {
    const flows = await db().flow.findMany({
      where: { workspaceId: ctx.viewer.workspaceId },
      orderBy: { updatedAt: "desc" },
      include: {
        publishedVersion: { select: { number: true, publishedAt: true } },
        channels: { select: { name: true } },
        _count: { select: { runs: true } },
      },
    });
    return flows.map((flow) => ({
      id: flow.id,
      name: flow.name,
      updatedAt: flow.updatedAt,
      publishedVersion: flow.publishedVersion?.number ?? null,
      publishedAt: flow.publishedVersion?.publishedAt ?? null,
      channels: flow.channels.map((channel) => channel.name),
      runs: flow._count.runs,
    }));
  }),

  templates: procedureFor("viewer").query(() =>
    flowTemplates.map((template) => ({ id: template.id, name: template.name, description: template.description, nodes: template.graph.nodes.length })),
  ),

  /** A new draft from a template, listening on the workspace's simulator so it can be tried at once. */
  create: procedureFor("editor")
    .input(z.object({ name: z.string().trim().min(1, "give the flow a name").max(80), templateId: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const template = flowTemplate(input.templateId);
      if (!template) throw new TRPCError({ code: "BAD_REQUEST", message: `No template “${input.templateId}”.` });
      return createDraft(ctx.viewer, input.name, template.graph, { template: template.id });
    }),

  /** A new draft from an exported flow file; it keeps its diagnostics for the canvas to show. */
  import: procedureFor("editor")
    .input(z.object({ name: z.string().trim().max(80).optional(), text: z.string().max(5_000_000, "The file is over 5 MB.") }))
    .mutation(async ({ ctx, input }) => {
      const imported = importFlow(input.text);
      if (!imported.ok) throw new TRPCError({ code: "BAD_REQUEST", message: `This file is not a flow Parley can import. ${imported.problems.join("; ")}` });
      const name = input.name || imported.name || "Imported flow";
      const created = await createDraft(ctx.viewer, name, imported.graph, { imported: true });
      return { ...created, errors: imported.diagnostics.filter((d) => d.severity === "error").length };
    }),

  get: procedureFor("viewer").input(z.object({ id: z.string() })).query(async ({ ctx, input }) => {
    const flow = await flowInWorkspace(input.id, ctx.viewer.workspaceId);
    const graph = flowGraphSchema.parse(flow.draft);
    return {
      id: flow.id,
      name: flow.name,
      graph,
      revision: flow.draftRevision,
      publishedVersion: flow.publishedVersion?.number ?? null,
      channels: flow.channels,
      diagnostics: validateFlow(graph),
      savedBy: await draftSaver(flow, ctx.viewer),
    };
  }),

  /** The draft's revision and who saved it last: the canvas polls it to warn before two people overwrite each other. */
  draftStatus: procedureFor("viewer").input(z.object({ id: z.string() })).query(async ({ ctx, input }) => {
    const flow = await flowInWorkspace(input.id, ctx.viewer.workspaceId);
    return { revision: flow.draftRevision, savedBy: await draftSaver(flow, ctx.viewer) };
  }),

  /** Saves the draft if nobody saved since `revision`; otherwise refuses rather than overwrite. */
  saveDraft: procedureFor("editor")
    .input(z.object({ id: z.string(), revision: z.number().int(), graph: flowGraphSchema }))
    .mutation(async ({ ctx, input }) => {
      await flowInWorkspace(input.id, ctx.viewer.workspaceId);
      const savedAt = new Date();
      const saved = await db().flow.updateMany({
        where: { id: input.id, draftRevision: input.revision },
        data: { draft: input.graph as Prisma.InputJsonValue, draftRevision: { increment: 1 }, draftSavedById: ctx.viewer.userId, draftSavedAt: savedAt },
      });
      if (saved.count === 0) {
        const saver = await draftSaver(await flowInWorkspace(input.id, ctx.viewer.workspaceId), ctx.viewer);
        const who = !saver ? "Someone else" : saver.isViewer ? "You (in another window)" : saver.name;
        throw new TRPCError({ code: "CONFLICT", message: `${who} saved this flow since you opened it: reload to see those changes, or overwrite them with yours.` });
      }
      return { revision: input.revision + 1, savedAt, diagnostics: validateFlow(input.graph) };
    }),

  publish: procedureFor("editor").input(z.object({ id: z.string() })).mutation(async ({ ctx, input }) => {
    await flowInWorkspace(input.id, ctx.viewer.workspaceId);
    try {
      const published = await publishFlow({ flowId: input.id, userId: ctx.viewer.userId });
      await db().auditLog.create({
        data: { workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId, action: "flow.publish", target: input.id, details: { version: published.number } },
      });
      await syncFunctions();
      return published;
    } catch (error) {
      if (error instanceof FlowCompileError) {
        throw new TRPCError({ code: "BAD_REQUEST", message: `Fix the flow before publishing: ${error.diagnostics.map((d) => d.message).join(" ")}` });
      }
      throw error;
    }
  }),
});
