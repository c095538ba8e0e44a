import { db } from "@/server/db/client";
import { flowGraphSchema, type FlowGraph } from "@/flows/schema";

// FlowVersions are immutable, so a parsed graph can be kept for the life of the process.
const graphs = new Map<string, FlowGraph>();
const MAX_CACHED = 1_000;

export async function loadFlowGraph(flowVersionId: string): Promise<FlowGraph> {
  const cached = graphs.get(flowVersionId);
  if (cached) return cached;
  const version = await db().flowVersion.findUniqueOrThrow({ where: { id: flowVersionId }, select: { graph: true } });
  const graph = flowGraphSchema.parse(version.graph);
  if (graphs.size >= MAX_CACHED) graphs.delete(graphs.keys().next().value!);
  graphs.set(flowVersionId, graph);
  return graph;
}
