// A conversation answered by a person instead of the bot. A flow's hand-off node or an
// admin's "take over" sets Conversation.handedOffAt; from then the router starts no run
// and no run may claim the conversation (server/runs/start.ts), while the contact's
// messages keep being stored and shown. The person writes through the same channel,
// under the same 24-hour window, and hands the conversation back: the bot then answers
// the next message, or continues at a node the person chose.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { db, type Prisma } from "@/server/db/client";
import { sendMessage } from "@/server/channels/send";
import { ChannelSendError } from "@/server/channels/send-error";
import { WHATSAPP_LIMITS } from "@/flows/message";
import { cancelRun } from "@/server/runs/cancel";
import { announceRun, claimResumedRun } from "@/server/runs/resume";

/** Something the person must fix or know; the message says what. */
export class HandoffError extends Error {
  constructor(
    message: string,
    readonly reason: "not_found" | "conflict" | "window_closed" | "send_failed",
  ) {
    super(message);
    this.name = "HandoffError";
  }
}

interface Actor {
  conversationId: string;
  workspaceId: string;
  userId: string;
}

async function conversationOf(actor: Actor) {
  const conversation = await db().conversation.findFirst({ where: { id: actor.conversationId, workspaceId: actor.workspaceId } });
  if (!conversation) throw new HandoffError("No such conversation in your workspace.", "not_found");
  return conversation;
}

/** The flow's hand-off node: the run ends after it, and the conversation waits for a person. */
export async function handOff(input: { runId: string; conversationId: string; reason: string }): Promise<void> {
  await db().conversation.update({
    where: { id: input.conversationId },
    data: { handedOffAt: new Date(), handoffReason: input.reason, handedOffById: null },
  });
}

/**
 * A person takes the conversation from the bot: the run that owns it is cancelled (its
 * state stays on record, so handing back can continue it) and no run starts until the
 * conversation is handed back. Taking over a conversation already handed off changes nothing.
 */
export async function takeOver(actor: Actor): Promise<{ cancelledRunId: string | null }> {
  const conversation = await conversationOf(actor);
  if (conversation.handedOffAt) return { cancelledRunId: null };
  const user = await db().user.findUniqueOrThrow({ where: { id: actor.userId }, select: { name: true, email: true } });
  const activeRunId = await db().$transaction(async (tx) => {
    const taken = await tx.conversation.updateMany({
      where: { id: conversation.id, handedOffAt: null },
      data: { handedOffAt: new Date(), handoffReason: `Taken over by ${user.name ?? user.email}`, handedOffById: actor.userId },
    });
    if (taken.count === 0) return null;
    const current = await tx.conversation.findUniqueOrThrow({ where: { id: conversation.id }, select: { activeRunId: true } });
    await tx.auditLog.create({
      data: { workspaceId: actor.workspaceId, userId: actor.userId, action: "conversation.take_over", target: conversation.id, details: { cancelledRunId: current.activeRunId } },
    });
    return current.activeRunId;
  });
  if (activeRunId) await cancelRun({ runId: activeRunId, conversationId: conversation.id });
  return { cancelledRunId: activeRunId };
}

export const handBackSchema = z.discriminatedUnion("kind", [
  /** The bot answers the contact's next message with whichever flow it matches. */
  z.object({ kind: z.literal("next_message") }),
  /** The bot continues the conversation's last run at this node, with that run's variables. */
  z.object({ kind: z.literal("continue_at"), runId: z.string(), nodeId: z.string() }),
]);
export type HandBack = z.infer<typeof handBackSchema>;

/** Gives the conversation back to the bot. Returns the continuing run's id, when one was started. */
export async function handBack(actor: Actor & { to?: HandBack }): Promise<{ runId: string | null }> {
  const to = actor.to ?? { kind: "next_message" };
  const conversation = await conversationOf(actor);
  if (!conversation.handedOffAt) throw new HandoffError("This conversation is not handed off (anymore).", "conflict");
  const since = conversation.handedOffAt;
  const start = await db().$transaction(async (tx) => {
    const released = await tx.conversation.updateMany({
      where: { id: conversation.id, handedOffAt: since },
      data: { handedOffAt: null, handoffReason: null, handedOffById: null },
    });
    if (released.count === 0) throw new HandoffError("Someone else handed this conversation back first.", "conflict");
    const resumed = to.kind === "continue_at" ? await continueAt(tx, actor, to) : null;
    await tx.auditLog.create({
      data: {
        workspaceId: actor.workspaceId,
        userId: actor.userId,
        action: "conversation.hand_back",
        target: conversation.id,
        details: { since: since.toISOString(), ...(to.kind === "continue_at" ? { runId: to.runId, nodeId: to.nodeId, newRunId: resumed?.runId } : {}) },
      },
    });
    return resumed;
  });
  if (start) await announceRun(start);
  return { runId: start?.runId ?? null };
}

async function continueAt(tx: Prisma.TransactionClient, actor: Actor, to: Extract<HandBack, { kind: "continue_at" }>) {
  const run = await tx.flowRun.findFirst({ where: { id: to.runId, conversationId: actor.conversationId }, select: { id: true } });
  if (!run) throw new HandoffError("That run is not one of this conversation's.", "not_found");
  return claimResumedRun(tx, { runId: run.id, workspaceId: actor.workspaceId, nodeId: to.nodeId });
}

export const manualMessageSchema = z.object({
  text: z.string().trim().min(1, "write something first").max(WHATSAPP_LIMITS.text, `WhatsApp texts hold at most ${WHATSAPP_LIMITS.text} characters`),
  /** Chosen by the browser per message, so a double click or a retried request sends once. */
  clientKey: z.uuid().default(() => randomUUID()),
});

/**
 * A message a person writes in a conversation they took over, sent through its channel
 * like the bot's. Outside the 24-hour window WhatsApp only takes templates: the message is
 * stored as refused and the person told, nothing reaches the provider.
 */
export async function sendByHand(actor: Actor & { message: z.input<typeof manualMessageSchema> }): Promise<{ messageId: string }> {
  const { text, clientKey } = manualMessageSchema.parse(actor.message);
  const conversation = await conversationOf(actor);
  if (!conversation.handedOffAt) throw new HandoffError("Take the conversation over first: the bot is answering it.", "conflict");
  const idempotencyKey = `manual:${conversation.id}:${clientKey}`;
  let sent;
  try {
    sent = await sendMessage({ conversationId: conversation.id, idempotencyKey, sentByUserId: actor.userId, message: { type: "text", text } });
  } catch (error) {
    if (error instanceof ChannelSendError) throw new HandoffError(error.message, "send_failed");
    throw error;
  }
  if (sent.windowClosed) {
    throw new HandoffError("Not sent: the contact last wrote more than 24 hours ago, and WhatsApp only delivers approved templates now.", "window_closed");
  }
  return { messageId: sent.messageId };
}
