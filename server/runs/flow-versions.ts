import { db } from "@/server/db/client";
import { compileFlow, type CompiledFlow } from "@/flows/compiler";
import { flowGraphSchema, type FlowGraph } from "@/flows/schema";

// FlowVersions are immutable, so a parsed graph (and, once a run needs it, its compiled
// form) can be kept for the life of the process: replays then skip validation.
const versions = new Map<string, { graph: FlowGraph; compiled?: CompiledFlow }>();
const MAX_CACHED = 1_000;

async function loadVersion(flowVersionId: string) {
  const cached = versions.get(flowVersionId);
  if (cached) return cached;
  const version = await db().flowVersion.findUniqueOrThrow({ where: { id: flowVersionId }, select: { graph: true } });
  const entry = { graph: flowGraphSchema.parse(version.graph) };
  if (versions.size >= MAX_CACHED) versions.delete(versions.keys().next().value!);
  versions.set(flowVersionId, entry);
  return entry;
}

export async function loadFlowGraph(flowVersionId: string): Promise<FlowGraph> {
  return (await loadVersion(flowVersionId)).graph;
}

export async function loadCompiledFlow(flowVersionId: string): Promise<CompiledFlow> {
  const entry: { graph: FlowGraph; compiled?: CompiledFlow } = await loadVersion(flowVersionId);
  entry.compiled ??= compileFlow(entry.graph);
  return entry.compiled;
}

/** The published version of a flow another flow of the same workspace calls, or why it cannot run. */
export async function resolveCalledFlow(input: { runId: string; flowId: string }): Promise<{ flowVersionId: string } | { error: string }> {
  const run = await db().flowRun.findUniqueOrThrow({ where: { id: input.runId }, select: { flow: { select: { workspaceId: true } } } });
  const flow = await db().flow.findFirst({ where: { id: input.flowId, workspaceId: run.flow.workspaceId }, select: { name: true, publishedVersionId: true } });
  if (!flow) return { error: `The called flow ${input.flowId} does not exist in this workspace.` };
  if (!flow.publishedVersionId) return { error: `The called flow “${flow.name}” is not published.` };
  return { flowVersionId: flow.publishedVersionId };
}
