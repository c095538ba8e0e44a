import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { importFlow } from "@/flows/exchange";
import { flowGraphSchema, type FlowGraph } from "@/flows/schema";
import type { Viewer } from "@/server/auth/session";
import { flowTemplate, flowTemplates } from "@/flows/templates";
import { validateFlow } from "@/flows/validator";
import { isSimulatorChannel } from "@/server/simulator/phone";
import { db, Prisma } from "@/server/db/client";
import { FlowCompileError, publishFlow, rollBackFlow, VersionNotFound } from "@/server/flows/publish";
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

async function audit(viewer: Viewer, action: string, target: string, details: Record<string, unknown> = {}) {
  await db().auditLog.create({ data: { workspaceId: viewer.workspaceId, userId: viewer.userId, action, target, details: details as Prisma.InputJsonValue } });
}

function compileRefusal(error: unknown, doing: string): never {
  if (error instanceof FlowCompileError) {
    throw new TRPCError({ code: "BAD_REQUEST", message: `Fix the flow before ${doing}: ${error.diagnostics.map((d) => d.message).join(" ")}` });
  }
  throw error;
}

const flowName = z.string().trim().min(1, "give the flow a name").max(80);

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
  /**
   * The flows (archived ones on request) with their status: published version, whether the
   * draft moved on since, the channels they listen on, their last run and runs in 24 h
   * (test runs from the canvas's test panel excluded).
   */
  list: procedureFor("viewer")
    .input(z.object({ archived: z.boolean().default(false) }).default({ archived: false }))
    .query(async ({ ctx, input }) => {
      const flows = await db().flow.findMany({
        where: { workspaceId: ctx.viewer.workspaceId, archivedAt: input.archived ? { not: null } : null },
        orderBy: { updatedAt: "desc" },
        include: {
          publishedVersion: { select: { number: true, publishedAt: true, draftRevision: true } },
          channels: { select: { id: true, name: true }, orderBy: { createdAt: "asc" } },
        },
      });
      const ids = flows.map((flow) => flow.id);
      const realRuns = { flowId: { in: ids }, flowVersion: { testOnly: false } };
      const [last, recent] = await Promise.all([
        db().flowRun.groupBy({ by: ["flowId"], where: realRuns, _max: { startedAt: true } }),
        db().flowRun.groupBy({ by: ["flowId"], where: { ...realRuns, startedAt: { gte: new Date(Date.now() - 86_400_000) } }, _count: { _all: true } }),
      ]);
      const lastRun = new Map(last.map((row) => [row.flowId, row._max.startedAt]));
      const runs24h = new Map(recent.map((row) => [row.flowId, row._count._all]));
      return flows.map((flow) => {
        const published = flow.publishedVersion;
        // Versions published before revisions were recorded: any later update counts as a change.
        const draftChanged = published ? (published.draftRevision !== null ? flow.draftRevision > published.draftRevision : flow.updatedAt > published.publishedAt) : true;
        return {
          id: flow.id,
          name: flow.name,
          updatedAt: flow.updatedAt,
          archivedAt: flow.archivedAt,
          publishedVersion: published?.number ?? null,
          publishedAt: published?.publishedAt ?? null,
          draftChanged,
          channels: flow.channels,
          lastRunAt: lastRun.get(flow.id) ?? null,
          runs24h: runs24h.get(flow.id) ?? 0,
        };
      });
    }),

  /** The workspace's WhatsApp numbers a flow can listen on. */
  channelOptions: procedureFor("viewer").query(async ({ ctx }) => {
    const channels = await db().channel.findMany({ where: { workspaceId: ctx.viewer.workspaceId }, orderBy: { createdAt: "asc" } });
    return channels.map((channel) => ({ id: channel.id, name: channel.name, displayPhoneNumber: channel.displayPhoneNumber, simulator: isSimulatorChannel(channel) }));
  }),

  /** The numbers the flow listens on (its published version answers there). */
  setChannels: procedureFor("editor")
    .input(z.object({ id: z.string(), channelIds: z.array(z.string()).max(100) }))
    .mutation(async ({ ctx, input }) => {
      await flowInWorkspace(input.id, ctx.viewer.workspaceId);
      const channels = await db().channel.findMany({ where: { id: { in: input.channelIds }, workspaceId: ctx.viewer.workspaceId }, select: { id: true } });
      if (channels.length !== new Set(input.channelIds).size) throw new TRPCError({ code: "BAD_REQUEST", message: "One of these numbers is not in your workspace (any more): reload the page." });
      await db().flow.update({ where: { id: input.id }, data: { channels: { set: channels } } });
      await audit(ctx.viewer, "flow.channels", input.id, { channelIds: input.channelIds });
    }),

  rename: procedureFor("editor")
    .input(z.object({ id: z.string(), name: flowName }))
    .mutation(async ({ ctx, input }) => {
      const flow = await flowInWorkspace(input.id, ctx.viewer.workspaceId);
      await db().flow.update({ where: { id: input.id }, data: { name: input.name } });
      await audit(ctx.viewer, "flow.rename", input.id, { from: flow.name, to: input.name });
    }),

  /** A new draft with the flow's draft, listening on the simulator like any new flow. */
  duplicate: procedureFor("editor")
    .input(z.object({ id: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const flow = await flowInWorkspace(input.id, ctx.viewer.workspaceId);
      const name = `Copy of ${flow.name}`.slice(0, 80);
      return createDraft(ctx.viewer, name, flowGraphSchema.parse(flow.draft), { duplicateOf: flow.id });
    }),

  /**
   * Archiving stops a flow: no new conversation starts on it (it is unpublished, its schedule
   * stops) while runs in flight finish on their version. Unarchiving brings back the draft.
   */
  archive: procedureFor("editor")
    .input(z.object({ id: z.string(), archived: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      await flowInWorkspace(input.id, ctx.viewer.workspaceId);
      await db().flow.update({
        where: { id: input.id },
        data: input.archived ? { archivedAt: new Date(), publishedVersionId: null } : { archivedAt: null },
      });
      await audit(ctx.viewer, input.archived ? "flow.archive" : "flow.unarchive", input.id);
      if (input.archived) await syncFunctions();
    }),

  /** Published versions, newest first: who, when, note, and which one runs now. */
  versions: procedureFor("viewer")
    .input(z.object({ id: z.string() }))
    .query(async ({ ctx, input }) => {
      const flow = await flowInWorkspace(input.id, ctx.viewer.workspaceId);
      const versions = await db().flowVersion.findMany({
        where: { flowId: input.id, testOnly: false },
        orderBy: { number: "desc" },
        select: { id: true, number: true, note: true, publishedAt: true, publishedById: true },
      });
      const users = await db().user.findMany({ where: { id: { in: versions.flatMap((v) => (v.publishedById ? [v.publishedById] : [])) } }, select: { id: true, name: true, email: true } });
      const names = new Map(users.map((user) => [user.id, user.name?.trim() || user.email]));
      return versions.map((version) => ({
        number: version.number,
        note: version.note,
        publishedAt: version.publishedAt,
        publishedBy: version.publishedById ? (names.get(version.publishedById) ?? "someone who left the workspace") : "Parley",
        live: version.id === flow.publishedVersionId,
      }));
    }),

  /** One published version's graph, to view read-only or compare. */
  version: procedureFor("viewer")
    .input(z.object({ id: z.string(), number: z.number().int().positive() }))
    .query(async ({ ctx, input }) => {
      await flowInWorkspace(input.id, ctx.viewer.workspaceId);
      const version = await db().flowVersion.findFirst({ where: { flowId: input.id, number: input.number, testOnly: false } });
      if (!version) throw new TRPCError({ code: "NOT_FOUND", message: `This flow has no published version ${input.number}.` });
      return { number: version.number, note: version.note, publishedAt: version.publishedAt, graph: flowGraphSchema.parse(version.graph) };
    }),

  /** Publishes a copy of an old version as the next one (and makes it the draft). */
  rollback: procedureFor("editor")
    .input(z.object({ id: z.string(), number: z.number().int().positive(), note: z.string().trim().max(500).optional() }))
    .mutation(async ({ ctx, input }) => {
      await flowInWorkspace(input.id, ctx.viewer.workspaceId);
      try {
        const published = await rollBackFlow({ flowId: input.id, number: input.number, userId: ctx.viewer.userId, note: input.note });
        await audit(ctx.viewer, "flow.rollback", input.id, { to: input.number, version: published.number });
        await syncFunctions();
        return published;
      } catch (error) {
        if (error instanceof VersionNotFound) throw new TRPCError({ code: "NOT_FOUND", message: error.message });
        return compileRefusal(error, "rolling back");
      }
    }),

  templates: procedureFor("viewer").query(() =>
    flowTemplates.map((template) => ({ id: template.id, name: template.name, description: template.description, nodes: template.graph.nodes.length })),
  ),

  /** A new draft from a template, listening on the workspace's simulator so it can be tried at once. */
  create: procedureFor("editor")
    .input(z.object({ name: flowName, templateId: z.string() }))
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

  publish: procedureFor("editor")
    .input(z.object({ id: z.string(), note: z.string().trim().max(500).optional() }))
    .mutation(async ({ ctx, input }) => {
      await flowInWorkspace(input.id, ctx.viewer.workspaceId);
      try {
        const published = await publishFlow({ flowId: input.id, userId: ctx.viewer.userId, note: input.note });
        await audit(ctx.viewer, "flow.publish", input.id, { version: published.number });
        await syncFunctions();
        return published;
      } catch (error) {
        return compileRefusal(error, "publishing");
      }
    }),
});
