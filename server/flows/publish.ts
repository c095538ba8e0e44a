// Publishing freezes the draft into an immutable FlowVersion. Runs in flight keep the
// version they started on; new conversations get the new one.
import { db, Prisma, type Db } from "@/server/db/client";
import { FlowCompileError, compileFlow } from "@/flows/compiler";
import { flowGraphSchema } from "@/flows/schema";

export async function publishFlow(input: { flowId: string; userId?: string; db?: Db }): Promise<{ versionId: string; number: number }> {
  const client = input.db ?? db();
  const flow = await client.flow.findUniqueOrThrow({ where: { id: input.flowId }, select: { draft: true } });
  const graph = flowGraphSchema.parse(flow.draft);
  compileFlow(graph); // throws FlowCompileError with the diagnostics when the flow cannot run
  return client.$transaction(async (tx) => {
    const last = await tx.flowVersion.findFirst({ where: { flowId: input.flowId }, orderBy: { number: "desc" }, select: { number: true } });
    const number = (last?.number ?? 0) + 1;
    const version = await tx.flowVersion.create({
      data: { flowId: input.flowId, number, graph: graph as Prisma.InputJsonValue, publishedById: input.userId },
    });
    await tx.flow.update({ where: { id: input.flowId }, data: { publishedVersionId: version.id } });
    return { versionId: version.id, number };
  });
}

export { FlowCompileError };
