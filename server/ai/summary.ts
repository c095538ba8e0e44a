// A conversation's running summary (`ctx.summary`, the LLM node's "summary" history): the
// stored summary, and the messages since it up to the one being answered, split into those
// that fell out of the node's window (to fold into the summary) and the window itself. The
// summary's cursor is the `seq` of the last message it folds, so each message is folded once.
import type { ConversationSummary, HistoryEntry, SummaryRead } from "@/flows/models";
import { db } from "@/server/db/client";

/** Messages folded into the summary in one go, at most: a long gap (a node switched to "summary" late) starts from its recent end. */
export const MAX_FOLDED_TURNS = 100;

export async function readConversationSummary(input: { conversationId: string; keep: number; beforeMessageId: string | null }): Promise<SummaryRead> {
  const keep = Math.max(0, Math.floor(input.keep));
  const [stored, current] = await Promise.all([
    db().conversationSummary.findUnique({ where: { conversationId: input.conversationId } }),
    input.beforeMessageId
      ? db().message.findFirst({ where: { id: input.beforeMessageId, conversationId: input.conversationId }, select: { seq: true, consumedAt: true } })
      : null,
  ]);
  const seq = { ...(stored ? { gt: stored.throughSeq } : {}), ...(current ? { lt: current.seq } : {}) };
  const rows = await db().message.findMany({
    where: {
      conversationId: input.conversationId,
      seq,
      // As in `ctx.history`: undelivered messages were never seen, and the current burst is the message itself.
      NOT: { direction: "outbound", status: "failed" },
      ...(current?.consumedAt ? { OR: [{ consumedAt: null }, { consumedAt: { not: current.consumedAt } }] } : {}),
    },
    orderBy: { seq: "desc" },
    take: keep + MAX_FOLDED_TURNS,
    select: { seq: true, direction: true, type: true, text: true, createdAt: true },
  });
  rows.reverse();
  const entry = (row: (typeof rows)[number]): HistoryEntry => ({ from: row.direction === "inbound" ? "contact" : "bot", text: row.text ?? `[${row.type}]`, at: row.createdAt.toISOString() });
  const split = Math.max(0, rows.length - keep);
  const older = rows.slice(0, split);
  return {
    summary: stored ? { text: stored.text, turns: stored.turns, through: String(stored.throughSeq) } : null,
    older: older.length > 0 ? { entries: older.map(entry), through: String(older.at(-1)!.seq) } : null,
    recent: rows.slice(split).map(entry),
  };
}

export async function saveConversationSummary(input: { conversationId: string; summary: ConversationSummary }): Promise<void> {
  const { text, turns, through } = input.summary;
  const data = { text, turns, throughSeq: BigInt(through) };
  await db().conversationSummary.upsert({ where: { conversationId: input.conversationId }, create: { conversationId: input.conversationId, ...data }, update: data });
}
