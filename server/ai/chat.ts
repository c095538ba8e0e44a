// A run's language model calls (FlowServices.chat), answered by its workspace's provider chain.
import { chatRequestSchema, type ChatRequest } from "@/flows/models";
import type { ChatOutcome } from "@/flows/runtime";
import { db } from "@/server/db/client";
import { log } from "@/server/observability/log";
import { count } from "@/server/observability/metrics";
import { chatThroughProviders } from "./chain";
import { workspacePrices, workspaceProviders } from "./providers";

export async function chatForRun(input: { runId: string; conversationId: string; nodeId: string; request: ChatRequest }): Promise<ChatOutcome> {
  const request = chatRequestSchema.safeParse(input.request);
  if (!request.success) {
    const issue = request.error.issues[0];
    return { ok: false, error: `The node asked the model something malformed: ${issue?.path.join(".") || "request"}: ${issue?.message}.`, attempts: [] };
  }
  const conversation = await db().conversation.findUnique({ where: { id: input.conversationId }, select: { workspaceId: true } });
  if (!conversation) return { ok: false, error: "The conversation no longer exists.", attempts: [] };
  const [{ providers, passedOver }, prices] = await Promise.all([workspaceProviders(conversation.workspaceId), workspacePrices(conversation.workspaceId)]);
  const started = performance.now();
  const outcome = await chatThroughProviders(providers, request.data, { prices, passedOver, logger: log().child({ runId: input.runId, nodeId: input.nodeId }) });
  count.modelCall(outcome.ok ? outcome.result.provider : null, outcome.ok ? "answered" : "failed", (performance.now() - started) / 1000);
  return outcome;
}
