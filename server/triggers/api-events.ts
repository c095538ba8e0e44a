// Events other systems post to start a flow for one contact ("order shipped" for a phone
// number). The flow is chosen at once, so the caller learns right away when no flow listens;
// the run itself starts durably through a run request (server/triggers/run-requests.ts).
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { flowStart } from "@/flows/compiler";
import { EVENT_NAME_PATTERN } from "@/flows/define-node";
import { phoneNumberSchema } from "@/flows/message";
import { db } from "@/server/db/client";
import { sendEvents, RUN_REQUESTED_EVENT } from "@/server/inngest/client";
import { loadCompiledFlow } from "@/server/runs/flow-versions";
import { conversationWithPhone, flowChannels, RecipientError } from "./recipients";
import type { RunRequest } from "./run-requests";

export const apiEventSchema = z.object({
  event: z.string().regex(EVENT_NAME_PATTERN, "an event name: letters, digits and . _ : - (e.g. order.shipped)"),
  /** The contact's WhatsApp number, with country code. */
  to: phoneNumberSchema,
  /** The event's payload, `{{trigger.data.…}}` in the flow. */
  data: z.record(z.string(), z.unknown()).default({}),
  /** Your id for this event: posting it again within 24 hours starts nothing new. */
  id: z.string().min(1).max(200).optional(),
  /** The business number (phone_number_id) to write from, when the flow listens on several. */
  channel: z.string().min(1).max(64).optional(),
});
export type ApiEvent = z.infer<typeof apiEventSchema>;

export type ApiEventOutcome =
  | { status: 202; body: { accepted: true; id: string; flowId: string } }
  | { status: 400 | 404 | 422; body: { error: string; issues?: { path: string; message: string }[] } };

export async function acceptApiEvent(workspaceId: string, payload: unknown): Promise<ApiEventOutcome> {
  const parsed = apiEventSchema.safeParse(payload);
  if (!parsed.success) {
    return {
      status: 400,
      body: { error: "The event is not valid.", issues: parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })) },
    };
  }
  const event = parsed.data;
  const flowId = await flowForEvent(workspaceId, event.event);
  if (!flowId) return { status: 404, body: { error: `No published flow starts on the event “${event.event}”.` } };
  let conversationId: string;
  try {
    conversationId = await conversationWithPhone(await flowChannels(flowId, event.channel), event.to);
  } catch (error) {
    if (error instanceof RecipientError) return { status: 422, body: { error: error.message } };
    throw error;
  }
  const id = `event:${workspaceId}:${event.id ?? randomUUID()}`;
  const request: RunRequest = { flowId, conversationId, trigger: { kind: "event", name: event.event, data: event.data }, startKey: id };
  await sendEvents({ id, name: RUN_REQUESTED_EVENT, data: request });
  return { status: 202, body: { accepted: true, id: event.id ?? id, flowId } };
}

/** The published flow of the workspace whose trigger listens to `name`, highest priority first, then the oldest. */
async function flowForEvent(workspaceId: string, name: string): Promise<string | null> {
  const flows = await db().flow.findMany({
    where: { workspaceId, publishedVersionId: { not: null } },
    select: { id: true, publishedVersionId: true },
    orderBy: { createdAt: "asc" },
  });
  let best: { flowId: string; priority: number } | null = null;
  for (const flow of flows) {
    const start = flowStart(await loadCompiledFlow(flow.publishedVersionId!));
    if (start.kind === "event" && start.name === name && (!best || start.priority > best.priority)) best = { flowId: flow.id, priority: start.priority };
  }
  return best?.flowId ?? null;
}
