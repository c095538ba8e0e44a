// Who a run started without a message goes to: a conversation between one of the flow's
// numbers and a contact, found or created. A contact who already talks to one of the
// flow's numbers is written to from the number they know.
import { db } from "@/server/db/client";
import { withUniqueRetry } from "@/server/db/unique-retry";
import type { ScheduleAudience } from "@/flows/define-node";

export class RecipientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RecipientError";
  }
}

/** The flow's numbers, oldest first; `phoneNumberId` narrows them to one. */
export async function flowChannels(flowId: string, phoneNumberId?: string): Promise<{ id: string; workspaceId: string }[]> {
  const channels = await db().channel.findMany({
    where: { flows: { some: { id: flowId } }, ...(phoneNumberId ? { phoneNumberId } : {}) },
    select: { id: true, workspaceId: true },
    orderBy: { createdAt: "asc" },
  });
  if (channels.length === 0) {
    throw new RecipientError(phoneNumberId ? `The flow does not listen on number ${phoneNumberId}.` : "The flow listens on no WhatsApp number.");
  }
  return channels;
}

/** The conversation with the contact whose wa_id is `phone` on one of `channels`, created when new. */
export async function conversationWithPhone(channels: { id: string; workspaceId: string }[], phone: string): Promise<string> {
  const { workspaceId } = channels[0]!;
  return withUniqueRetry(() =>
    db().$transaction(async (tx) => {
      const contact = await tx.contact.upsert({
        where: { workspaceId_waId: { workspaceId, waId: phone } },
        create: { workspaceId, waId: phone },
        update: {},
        select: { id: true },
      });
      const known = await tx.conversation.findFirst({
        where: { contactId: contact.id, channelId: { in: channels.map((channel) => channel.id) } },
        orderBy: { lastMessageAt: { sort: "desc", nulls: "last" } },
        select: { id: true },
      });
      if (known) return known.id;
      const created = await tx.conversation.create({ data: { workspaceId, channelId: channels[0]!.id, contactId: contact.id }, select: { id: true } });
      return created.id;
    }),
  );
}

/** The conversations a schedule tick writes to. */
export async function audienceConversations(flowId: string, audience: ScheduleAudience, now = new Date()): Promise<string[]> {
  const channels = await flowChannels(flowId);
  if (audience.kind === "recent") {
    const since = new Date(now.getTime() - audience.days * 86_400_000);
    const rows = await db().conversation.findMany({
      where: { channelId: { in: channels.map((channel) => channel.id) }, lastInboundAt: { gte: since } },
      select: { id: true, contactId: true },
      orderBy: { lastInboundAt: "desc" },
    });
    // A contact on two of the flow's numbers hears from the one they wrote to last.
    const seen = new Set<string>();
    return rows.filter((row) => !seen.has(row.contactId) && seen.add(row.contactId)).map((row) => row.id);
  }
  const ids: string[] = [];
  for (const phone of new Set(audience.phones)) ids.push(await conversationWithPhone(channels, phone));
  return ids;
}
