// A conversation handed to a person: the router starts no run for it until an admin hands
// it back. Messages keep being stored (and shown) meanwhile.
import { db } from "@/server/db/client";

export async function handOff(input: { runId: string; conversationId: string; reason: string }): Promise<void> {
  await db().conversation.update({
    where: { id: input.conversationId },
    data: { handedOffAt: new Date(), handoffReason: input.reason },
  });
}

/**
 * Gives the conversation back to the bot: the contact's next message is routed again.
 * Messages written while a person answered stay theirs: a run only takes messages written
 * after the one that started it.
 */
export async function handBack(input: { conversationId: string; workspaceId: string; userId: string }): Promise<boolean> {
  return db().$transaction(async (tx) => {
    const conversation = await tx.conversation.findFirst({ where: { id: input.conversationId, workspaceId: input.workspaceId } });
    if (!conversation?.handedOffAt) return false;
    await tx.conversation.update({ where: { id: conversation.id }, data: { handedOffAt: null, handoffReason: null } });
    await tx.auditLog.create({
      data: { workspaceId: input.workspaceId, userId: input.userId, action: "conversation.hand_back", target: conversation.id, details: { since: conversation.handedOffAt.toISOString() } },
    });
    return true;
  });
}
