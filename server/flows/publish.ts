// Publishing freezes the draft into an immutable FlowVersion. Runs in flight keep the
// version they started on; new conversations get the new one. Published versions are
// numbered 1, 2, 3…; the studio's test versions (testOnly, numbered below zero) never count.
import { db, Prisma, type Db } from "@/server/db/client";
import { FlowCompileError, compileFlow } from "@/flows/compiler";
import { flowGraphSchema, type FlowGraph } from "@/flows/schema";

type Tx = Prisma.TransactionClient;

async function writeVersion(tx: Tx, input: { flowId: string; graph: FlowGraph; userId?: string; note?: string; draftRevision: number }) {
  const last = await tx.flowVersion.findFirst({ where: { flowId: input.flowId, testOnly: false }, orderBy: { number: "desc" }, select: { number: true } });
  const number = (last?.number ?? 0) + 1;
  const version = await tx.flowVersion.create({
    data: {
      flowId: input.flowId,
      number,
      graph: input.graph as Prisma.InputJsonValue,
      publishedById: input.userId,
      note: input.note?.trim() || null,
      draftRevision: input.draftRevision,
    },
  });
  await tx.flow.update({ where: { id: input.flowId }, data: { publishedVersionId: version.id, archivedAt: null } });
  return { versionId: version.id, number };
}

export async function publishFlow(input: { flowId: string; userId?: string; note?: string; db?: Db }): Promise<{ versionId: string; number: number }> {
  const client = input.db ?? db();
  const flow = await client.flow.findUniqueOrThrow({ where: { id: input.flowId }, select: { draft: true, draftRevision: true } });
  const graph = flowGraphSchema.parse(flow.draft);
  compileFlow(graph); // throws FlowCompileError with the diagnostics when the flow cannot run
  return client.$transaction((tx) => writeVersion(tx, { flowId: input.flowId, graph, userId: input.userId, note: input.note, draftRevision: flow.draftRevision }));
}

/**
 * Roll back: publishes a copy of published version `number` as the next version, and makes
 * it the draft too, so the canvas shows what now runs. Refused if it no longer compiles
 * (a node type it uses was removed).
 */
export async function rollBackFlow(input: { flowId: string; number: number; userId: string; note?: string }): Promise<{ versionId: string; number: number }> {
  const old = await db().flowVersion.findFirst({ where: { flowId: input.flowId, number: input.number, testOnly: false }, select: { graph: true } });
  if (!old) throw new VersionNotFound(input.number);
  const graph = flowGraphSchema.parse(old.graph);
  compileFlow(graph);
  return db().$transaction(async (tx) => {
    const flow = await tx.flow.update({
      where: { id: input.flowId },
      data: { draft: graph as Prisma.InputJsonValue, draftRevision: { increment: 1 }, draftSavedById: input.userId, draftSavedAt: new Date() },
      select: { draftRevision: true },
    });
    const note = [`Rolled back to version ${input.number}.`, input.note?.trim()].filter(Boolean).join(" ");
    return writeVersion(tx, { flowId: input.flowId, graph, userId: input.userId, note, draftRevision: flow.draftRevision });
  });
}

export class VersionNotFound extends Error {
  constructor(readonly number: number) {
    super(`This flow has no published version ${number}.`);
    this.name = "VersionNotFound";
  }
}

export { FlowCompileError };
