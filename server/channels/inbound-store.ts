// Inbound messages stored with their contact and conversation, group-committed: the
// messages of webhooks arriving together are written by one multi-row statement, one round
// trip for all of them, and each webhook's call returns once its own message is stored.
import { randomUUID } from "node:crypto";
import { db } from "@/server/db/client";
import { sql } from "@/server/db/sql";
import { withUniqueRetry } from "@/server/db/unique-retry";
import { groupCommit } from "@/server/executor/group-commit";
import type { MessageReceivedData } from "@/server/inngest/client";
import { WebhookPayloadError, type ParsedInbound } from "./provider";

interface InboundToStore {
  channel: { id: string; workspaceId: string };
  message: ParsedInbound;
}

interface StoredRow {
  ord: number;
  id: string;
  conversationId: string;
  contactId: string;
  created: boolean;
}

/** A contact whose message keeps coming back unstored (its contact created and changed by others meanwhile) fails. */
const STORE_ATTEMPTS = 3;

/**
 * Stores one inbound message once (by its provider id) with its contact and conversation,
 * and returns when it is committed. The contact is found by wa_id or business-scoped user
 * id, else created; the conversation is upserted and its 24-hour window moved forward, never
 * back; a message already stored (a replayed webhook) is returned as it is.
 */
export async function storeInbound(channel: { id: string; workspaceId: string }, message: ParsedInbound): Promise<MessageReceivedData> {
  if (!message.waId && !message.bsuid) throw new WebhookPayloadError(`Message ${message.wamid} names no sender.`);
  return storeTogether({ channel, message });
}

const storeTogether = groupCommit<InboundToStore, MessageReceivedData>(async (batch) => {
  const stored = new Map<number, MessageReceivedData>();
  let pending = batch.map((_, index) => index);
  for (let attempt = 0; attempt < STORE_ATTEMPTS && pending.length > 0; attempt++) {
    for (const round of roundsOfDistinctContacts(pending.map((index) => ({ index, ...batch[index]! })))) {
      for (const row of await storeRound(round)) {
        const { channel, message } = batch[row.ord]!;
        // Followed here, at once: a later round's failure retries this message alone, as a replay.
        if (row.created) await followIdentityChange(channel.workspaceId, row.contactId, message);
        stored.set(row.ord, { messageId: row.id, conversationId: row.conversationId });
      }
    }
    // A message without its row lost a race with a concurrent delivery (its contact just
    // created by another process): it is stored again, now finding that contact.
    pending = pending.filter((index) => !stored.has(index));
  }
  return batch.map(({ message }, index) => {
    const result = stored.get(index);
    if (!result) throw new Error(`Message ${message.wamid} could not be stored: its contact kept changing under it.`);
    return result;
  });
});

/**
 * Splits the batch so that no statement holds two messages of one sender: a statement sees
 * the database as it was when it began, so it could not find the contact it creates for the
 * first, and would upsert one conversation twice. A sender's messages keep their order: each
 * goes into the round after the last one holding that sender. (A sender named by wa_id in
 * one message and by user id alone in another is not told apart here: one of the two then
 * comes back without its row and is stored again, or the statement fails and the batch is
 * retried message by message.)
 */
function roundsOfDistinctContacts<T extends InboundToStore>(items: T[]): T[][] {
  const rounds: { items: T[]; senders: Set<string> }[] = [];
  for (const item of items) {
    const { workspaceId } = item.channel;
    const { waId, bsuid } = item.message;
    const senders = [waId && `${workspaceId} wa ${waId}`, bsuid && `${workspaceId} bs ${bsuid}`].filter((key): key is string => Boolean(key));
    const next = rounds.findLastIndex((round) => senders.some((key) => round.senders.has(key))) + 1;
    if (next === rounds.length) rounds.push({ items: [], senders: new Set() });
    rounds[next]!.items.push(item);
    for (const key of senders) rounds[next]!.senders.add(key);
  }
  return rounds.map((round) => round.items);
}

/**
 * One statement for the round, through its inputs as arrays (unnest): finds or creates each
 * contact, upserts each conversation, inserts each message ON CONFLICT (wamid) DO NOTHING,
 * and returns per input (`ord`) the message stored now, or the one stored before. An input
 * without a row lost its contact's creation to another transaction.
 */
async function storeRound(round: (InboundToStore & { index: number })[]): Promise<StoredRow[]> {
  const column = <T>(value: (item: InboundToStore) => T) => round.map(value);
  // The 24-hour window runs from when the contact wrote (never in the future).
  const now = Date.now();
  return sql().$queryRaw<StoredRow>`
    WITH input AS (
      SELECT * FROM unnest(
        ${round.map((item) => item.index)}::int[], ${column((item) => item.channel.workspaceId)}::text[], ${column((item) => item.channel.id)}::text[],
        ${column((item) => item.message.waId)}::text[], ${column((item) => item.message.bsuid)}::text[], ${column((item) => item.message.profileName)}::text[],
        ${column((item) => new Date(Math.min(item.message.sentAt.getTime(), now)).toISOString())}::timestamp(3)[],
        ${column((item) => item.message.wamid)}::text[], ${column((item) => item.message.type)}::text[], ${column((item) => item.message.text)}::text[],
        ${column(({ message }) => JSON.stringify({ replyId: message.replyId, details: message.details, raw: message.raw }))}::jsonb[],
        ${column(() => randomUUID())}::text[], ${column(() => randomUUID())}::text[], ${column(() => randomUUID())}::text[]
      ) AS i(ord, "workspaceId", "channelId", "waId", bsuid, name, "wroteAt", wamid, type, text, payload, "newContactId", "newConversationId", "newMessageId")
    ), looked_up AS MATERIALIZED (
      -- By wa_id first, else by user id, as scalar subqueries: each is one probe of a unique
      -- index whatever the table's statistics say. (Written as joins, a plan made while the
      -- table was new and small hashed every contact of the workspace for each batch.)
      SELECT i.ord, COALESCE(
        (SELECT c FROM "Contact" c WHERE c."workspaceId" = i."workspaceId" AND c."waId" = i."waId"),
        (SELECT c FROM "Contact" c WHERE c."workspaceId" = i."workspaceId" AND c.bsuid = i.bsuid)
      ) AS contact
      FROM input i
    ), found AS (
      SELECT ord, (contact).id, (contact)."waId", (contact).bsuid, (contact).name FROM looked_up WHERE (contact).id IS NOT NULL
    ), changed AS (
      -- Only a contact whose details the message changes is written: most messages change none.
      SELECT found.id, COALESCE(found."waId", i."waId") AS "waId", COALESCE(i.bsuid, found.bsuid) AS bsuid, COALESCE(i.name, found.name) AS name
      FROM found JOIN input i USING (ord)
      WHERE found."waId" IS NULL AND i."waId" IS NOT NULL OR i.bsuid IS DISTINCT FROM found.bsuid AND i.bsuid IS NOT NULL OR i.name IS DISTINCT FROM found.name AND i.name IS NOT NULL
    ), updated AS (
      UPDATE "Contact" c SET "waId" = changed."waId", bsuid = changed.bsuid, name = changed.name, "updatedAt" = now()
      FROM changed WHERE c.id = changed.id
    ), inserted AS (
      INSERT INTO "Contact" (id, "workspaceId", "waId", bsuid, name, "updatedAt")
      SELECT "newContactId", "workspaceId", "waId", bsuid, name, now() FROM input i
      WHERE NOT EXISTS (SELECT 1 FROM found WHERE found.ord = i.ord)
      ON CONFLICT DO NOTHING
      RETURNING id
    ), contact AS (
      SELECT ord, id FROM found
      UNION ALL
      SELECT i.ord, inserted.id FROM inserted JOIN input i ON i."newContactId" = inserted.id
    ), conversation AS (
      INSERT INTO "Conversation" (id, "workspaceId", "channelId", "contactId", "lastInboundAt", "lastMessageAt")
      SELECT i."newConversationId", i."workspaceId", i."channelId", contact.id, i."wroteAt", i."wroteAt" FROM input i JOIN contact USING (ord)
      ON CONFLICT ("channelId", "contactId") DO UPDATE SET
        "lastInboundAt" = GREATEST("Conversation"."lastInboundAt", EXCLUDED."lastInboundAt"),
        "lastMessageAt" = GREATEST("Conversation"."lastMessageAt", EXCLUDED."lastMessageAt")
      RETURNING id, "channelId", "contactId"
    ), conversed AS (
      SELECT contact.ord, conversation.id AS "conversationId", conversation."contactId"
      FROM contact JOIN input i USING (ord)
      JOIN conversation ON conversation."contactId" = contact.id AND conversation."channelId" = i."channelId"
    ), stored AS (
      INSERT INTO "Message" (id, "conversationId", "channelId", direction, wamid, type, text, payload, status)
      SELECT i."newMessageId", conversed."conversationId", i."channelId", 'inbound'::"MessageDirection", i.wamid, i.type, i.text, i.payload, 'received'::"MessageStatus"
      FROM conversed JOIN input i USING (ord)
      ORDER BY ord
      ON CONFLICT (wamid) DO NOTHING
      RETURNING id, "conversationId"
    )
    SELECT i.ord, stored.id, stored."conversationId", conversed."contactId", true AS created
    FROM stored JOIN input i ON i."newMessageId" = stored.id JOIN conversed USING (ord)
    UNION ALL
    SELECT conversed.ord, m.id, m."conversationId", conversed."contactId", false
    FROM conversed JOIN input i USING (ord) JOIN "Message" m ON m.wamid = i.wamid`;
}

/**
 * WhatsApp says the contact changed their number or their business-scoped user id (a
 * "user_changed_number" or "user_changed_user_id" system message): the contact keeps their
 * conversations under the new one, unless another contact of the workspace already has it.
 */
async function followIdentityChange(workspaceId: string, contactId: string, message: ParsedInbound) {
  const system = message.details.system;
  const newWaId = system?.kind === "user_changed_number" ? system.newWaId : null;
  const newUserId = system?.kind === "user_changed_number" || system?.kind === "user_changed_user_id" ? system.newUserId : null;
  if (newWaId) await moveContactTo(workspaceId, contactId, { waId: newWaId });
  if (newUserId) await moveContactTo(workspaceId, contactId, { bsuid: newUserId });
}

async function moveContactTo(workspaceId: string, contactId: string, identity: { waId: string } | { bsuid: string }) {
  await withUniqueRetry(async () => {
    const taken = await db().contact.findFirst({ where: { workspaceId, ...identity }, select: { id: true } });
    if (!taken) await db().contact.update({ where: { id: contactId }, data: identity });
  });
}
