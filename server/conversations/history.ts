// A conversation's recent messages as a model prompt reads them (`ctx.history`): what the
// contact wrote and what the business sent, oldest first, up to the message being answered.
import type { HistoryEntry } from "@/flows/models";
import { db } from "@/server/db/client";

/** At most this many messages are read, whatever a node asks for. */
export const MAX_HISTORY_TURNS = 50;

export async function conversationHistory(input: { conversationId: string; turns: number; beforeMessageId: string | null }): Promise<HistoryEntry[]> {
  const turns = Math.min(Math.max(0, Math.floor(input.turns)), MAX_HISTORY_TURNS);
  if (turns === 0) return [];
  const current = input.beforeMessageId
    ? await db().message.findFirst({ where: { id: input.beforeMessageId, conversationId: input.conversationId }, select: { seq: true, consumedAt: true } })
    : null;
  const rows = await db().message.findMany({
    where: {
      conversationId: input.conversationId,
      ...(current ? { seq: { lt: current.seq } } : {}),
      // Never delivered: the contact did not see it.
      NOT: { direction: "outbound", status: "failed" },
      // A burst taken together with the current message is part of it, not history. (Spelled
      // out with `null`: SQL's NOT over a null column would drop the bot's own messages too.)
      ...(current?.consumedAt ? { OR: [{ consumedAt: null }, { consumedAt: { not: current.consumedAt } }] } : {}),
    },
    orderBy: { seq: "desc" },
    take: turns,
    select: { direction: true, type: true, text: true, createdAt: true },
  });
  return rows.reverse().map((row) => ({
    from: row.direction === "inbound" ? "contact" : "bot",
    text: row.text ?? `[${row.type}]`,
    at: row.createdAt.toISOString(),
  }));
}
