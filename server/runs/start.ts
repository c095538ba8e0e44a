// Starting a run. The new FlowRun takes its conversation by compare-and-set on
// Conversation.activeRunId, so at most one run owns a conversation (DESIGN.md invariant 1),
// whether a message, a schedule tick or an API event started it.
import { randomUUID } from "node:crypto";
import { db } from "@/server/db/client";
import { sql, type RawSql } from "@/server/db/sql";
import { isUniqueViolation } from "@/server/db/unique-retry";
import { mayReachProactively } from "@/server/channels/contact-rules";
import type { RunTrigger } from "@/flows/define-node";
import type { InboundMessage } from "@/flows/message";
import type { RunResume, RunStart } from "@/flows/runtime";

/** Another run took the conversation first. */
export class ConversationTaken extends Error {
  constructor() {
    super("Another run owns this conversation.");
    this.name = "ConversationTaken";
  }
}

/**
 * Creates the run and makes it the conversation's owner, in one statement on `tx` (a
 * transaction of the caller's, or none: the statement is atomic on its own). The messages
 * named by `consumes` are taken as the run's first, together.
 */
export async function claimConversation(
  tx: RawSql,
  input: {
    flowId: string;
    flowVersionId: string;
    conversationId: string;
    trigger: RunTrigger;
    /** The run's inbox is the conversation's inbound messages after this one. */
    inboxAfterSeq: bigint;
    triggerMessageId?: string;
    consumes?: string[];
    startKey?: string;
    /** The run continues `fromRunId` at `nodeId` (a retry, a hand-back). */
    resumed?: { fromRunId: string; nodeId: string };
  },
): Promise<{ id: string }> {
  const id = randomUUID();
  const now = new Date();
  // A conversation a person has taken over is not the bot's to claim. The run is inserted
  // only when the claim succeeded, so a lost race leaves nothing behind.
  const [run] = await tx.$queryRaw<{ id: string }>`
    WITH claimed AS (
      UPDATE "Conversation" SET "activeRunId" = ${id}
      WHERE id = ${input.conversationId} AND "activeRunId" IS NULL AND "handedOffAt" IS NULL
      RETURNING id
    ), run AS (
      INSERT INTO "FlowRun" (id, "flowId", "flowVersionId", "conversationId", "triggerMessageId", "triggerKind", "triggerData", "startKey",
        "inboxAfterSeq", "resumedFromRunId", "resumedAtNodeId", "startedAt")
      SELECT ${id}, ${input.flowId}, ${input.flowVersionId}, claimed.id, ${input.triggerMessageId ?? null}, ${input.trigger.kind},
        ${JSON.stringify({ name: input.trigger.name ?? null, data: input.trigger.data })}::jsonb, ${input.startKey ?? null},
        ${input.inboxAfterSeq}::bigint, ${input.resumed?.fromRunId ?? null}, ${input.resumed?.nodeId ?? null}, ${now}::timestamp
      FROM claimed
      RETURNING id
    ), consumed AS (
      UPDATE "Message" SET "consumedByRunId" = ${id}, "consumedAt" = ${now}::timestamp
      WHERE id = ANY(${input.consumes ?? []}::text[]) AND EXISTS (SELECT 1 FROM run)
    )
    SELECT id FROM run`;
  if (!run) throw new ConversationTaken();
  return run;
}

export function runStartOf(input: {
  runId: string;
  flowId: string;
  flowVersionId: string;
  conversation: { id: string; contact: { id: string; name: string | null; waId: string | null } };
  message: InboundMessage | null;
  trigger: RunTrigger;
  resume?: RunResume;
}): RunStart {
  const { contact } = input.conversation;
  return {
    runId: input.runId,
    flowId: input.flowId,
    flowVersionId: input.flowVersionId,
    conversationId: input.conversation.id,
    contact: { id: contact.id, name: contact.name, waId: contact.waId },
    message: input.message,
    trigger: input.trigger,
    ...(input.resume ? { resume: input.resume } : {}),
  };
}

export type StartOutcome =
  | { kind: "started"; start: RunStart }
  /** Another run owns the conversation: try again once it has finished. */
  | { kind: "busy"; runId: string }
  | { kind: "skipped"; reason: string };

/**
 * Starts a run of a flow's published version in a conversation without a message from the
 * contact (a schedule tick, an API event). `startKey` names the start: asking again with
 * the same key returns the run already started, so a retried step never starts two.
 */
export async function startRunWithoutMessage(input: { flowId: string; conversationId: string; trigger: RunTrigger; startKey: string }): Promise<StartOutcome> {
  const conversationWithContact = { include: { contact: true } } as const;
  const existing = await db().flowRun.findUnique({ where: { startKey: input.startKey }, include: { conversation: conversationWithContact } });
  if (existing) {
    return {
      kind: "started",
      start: runStartOf({ runId: existing.id, flowId: existing.flowId, flowVersionId: existing.flowVersionId, conversation: existing.conversation, message: null, trigger: input.trigger }),
    };
  }
  const flow = await db().flow.findUnique({ where: { id: input.flowId }, select: { publishedVersionId: true } });
  if (!flow?.publishedVersionId) return { kind: "skipped", reason: "the flow is no longer published" };
  const flowVersionId = flow.publishedVersionId;
  const conversation = await db().conversation.findUniqueOrThrow({ where: { id: input.conversationId }, ...conversationWithContact });
  if (conversation.handedOffAt) return { kind: "skipped", reason: "a person is answering this conversation" };
  if (!mayReachProactively(conversation.contact, conversation.lastInboundAt)) return { kind: "skipped", reason: "the contact opted out of messages" };
  if (conversation.activeRunId) return { kind: "busy", runId: conversation.activeRunId };
  try {
    const latest = await db().message.aggregate({ where: { conversationId: conversation.id }, _max: { seq: true } });
    const run = await claimConversation(sql(), {
      flowId: input.flowId,
      flowVersionId,
      conversationId: conversation.id,
      trigger: input.trigger,
      inboxAfterSeq: latest._max.seq ?? 0n,
      startKey: input.startKey,
    });
    return { kind: "started", start: runStartOf({ runId: run.id, flowId: input.flowId, flowVersionId, conversation, message: null, trigger: input.trigger }) };
  } catch (error) {
    if (error instanceof ConversationTaken) {
      const owner = await db().conversation.findUnique({ where: { id: conversation.id }, select: { activeRunId: true } });
      return { kind: "busy", runId: owner?.activeRunId ?? "" };
    }
    // The same start won a race with itself (a retried step): it is that run.
    if (isUniqueViolation(error)) return startRunWithoutMessage(input);
    throw error;
  }
}
