// Starting a run. The new FlowRun takes its conversation by compare-and-set on
// Conversation.activeRunId, so at most one run owns a conversation (DESIGN.md invariant 1),
// whether a message, a schedule tick or an API event started it.
import { db, Prisma } from "@/server/db/client";
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

/** Creates the run and makes it the conversation's owner, in the caller's transaction. */
export async function claimConversation(
  tx: Prisma.TransactionClient,
  input: {
    flowId: string;
    flowVersionId: string;
    conversationId: string;
    trigger: RunTrigger;
    /** The run's inbox is the conversation's inbound messages after this one. */
    inboxAfterSeq: bigint;
    triggerMessageId?: string;
    startKey?: string;
    /** The run continues `fromRunId` at `nodeId` (a retry, a hand-back). */
    resumed?: { fromRunId: string; nodeId: string };
  },
): Promise<{ id: string }> {
  const run = await tx.flowRun.create({
    data: {
      flowId: input.flowId,
      flowVersionId: input.flowVersionId,
      conversationId: input.conversationId,
      triggerMessageId: input.triggerMessageId,
      triggerKind: input.trigger.kind,
      triggerData: { name: input.trigger.name ?? null, data: input.trigger.data } as Prisma.InputJsonValue,
      startKey: input.startKey,
      inboxAfterSeq: input.inboxAfterSeq,
      resumedFromRunId: input.resumed?.fromRunId,
      resumedAtNodeId: input.resumed?.nodeId,
    },
    select: { id: true },
  });
  // A conversation a person has taken over is not the bot's to claim.
  const owned = await tx.conversation.updateMany({ where: { id: input.conversationId, activeRunId: null, handedOffAt: null }, data: { activeRunId: run.id } });
  if (owned.count === 0) throw new ConversationTaken();
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
    const run = await db().$transaction(async (tx) => {
      const latest = await tx.message.aggregate({ where: { conversationId: conversation.id }, _max: { seq: true } });
      return claimConversation(tx, {
        flowId: input.flowId,
        flowVersionId,
        conversationId: conversation.id,
        trigger: input.trigger,
        inboxAfterSeq: latest._max.seq ?? 0n,
        startKey: input.startKey,
      });
    });
    return { kind: "started", start: runStartOf({ runId: run.id, flowId: input.flowId, flowVersionId, conversation, message: null, trigger: input.trigger }) };
  } catch (error) {
    if (error instanceof ConversationTaken) {
      const owner = await db().conversation.findUnique({ where: { id: conversation.id }, select: { activeRunId: true } });
      return { kind: "busy", runId: owner?.activeRunId ?? "" };
    }
    // The same start won a race with itself (a retried step): it is that run.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") return startRunWithoutMessage(input);
    throw error;
  }
}
