// A run's language model calls, answered by the workspace's provider chain.
import type { ChatOutcome } from "@/flows/runtime";
import type { ChatRequest } from "@/flows/models";

export async function chatForRun(input: { runId: string; conversationId: string; nodeId: string; request: ChatRequest }): Promise<ChatOutcome> {
  void input;
  return { ok: false, error: "No language model provider is configured.", attempts: [] };
}
