// Sends one message to a contact through the conversation's channel, whatever its
// provider, and records it. A send is keyed by an idempotency key (run + node + turn): the
// row is written before the call and the provider's message id after it, so a retried step
// finds the message already sent and sends nothing. Before calling the provider a send
// checks the 24-hour window (a free-form message outside it is refused here, not by a
// failed status later) and waits for its turn under the number's throughput and the
// contact's pair rate (./pacing.ts); "slow down" answers are retried with backoff, and only
// those, since the provider did not take the message (docs/channels.md).
// Every bot answer passes here, so its statements are plain SQL (server/db/sql.ts).
import { randomUUID } from "node:crypto";
import { db, Prisma } from "@/server/db/client";
import { sql } from "@/server/db/sql";
import { CUSTOMER_SERVICE_WINDOW_MS, isFreeForm, outboundText, type OutboundMessage } from "@/flows/message";
import { log } from "@/server/observability/log";
import { sendEvents } from "@/server/inngest/client";
import { count } from "@/server/observability/metrics";
import { systemClock, type Clock } from "./clock";
import { retryDelayMs, windowClosedRefusal, type DeliveryError } from "./delivery-errors";
import { mayReachProactively, OPTED_OUT_MEANING } from "./contact-rules";
import { paceSend } from "./pacing";
import type { ProviderChannel, Recipient } from "./provider";
import { providerFor } from "./providers";
import { redeliveryAfter } from "./redelivery";
import { ChannelSendError } from "./send-error";
import { applyEarlyStatuses, linkEarlyStatuses, type EarlyStatusEvent } from "./statuses";

/** Attempts of one send within a step; after them the step fails and the executor retries it later. */
export const MAX_SEND_ATTEMPTS = 4;

/** A number as a send needs it: its provider, credentials and throughput. */
export interface SendingChannel extends ProviderChannel {
  provider: string;
  messagesPerSecond: number;
}

/** SendingChannel as one JSON column, selected from "Channel" aliased `ch`: it sits beside other tables' columns in a row. */
export const SENDING_CHANNEL_JSON = Prisma.sql`json_build_object(
  'id', ch.id, 'provider', ch.provider, 'phoneNumberId', ch."phoneNumberId", 'accountId', ch."accountId", 'graphBaseUrl', ch."graphBaseUrl",
  'accessTokenCipher', ch."accessTokenCipher", 'wabaId', ch."wabaId", 'messagesPerSecond', ch."messagesPerSecond")`;

/**
 * Marks an inbound message read and shows "typing…" where the provider can, while the bot
 * works on its answer (whatsapp.md fact 18). Cosmetic, so best effort: a failure is logged.
 */
export async function markReadAndTyping(channel: SendingChannel, message: { id: string; wamid: string | null }): Promise<void> {
  if (!message.wamid) return;
  try {
    await providerFor(channel.provider).markRead?.(channel, message.wamid);
  } catch (error) {
    log().warn({ messageId: message.id, err: error }, "read receipt not sent");
  }
}

/** The provider's id of the contact's message a reaction answers; the send fails when there is no such message in the conversation. */
async function reactionTarget(recordId: string, conversationId: string, messageId: string): Promise<string> {
  const target = await db().message.findFirst({ where: { id: messageId, conversationId, direction: "inbound", wamid: { not: null } }, select: { wamid: true } });
  if (target?.wamid) return target.wamid;
  const meaning = `A reaction goes on a message the contact sent in this conversation: ${messageId} is not one.`;
  const refusal: DeliveryError = { code: null, kind: "recipient", meaning, title: "Nothing to react to", details: null, retriable: false };
  await db().message.update({ where: { id: recordId }, data: { status: "failed", error: refusal as Prisma.InputJsonValue } });
  count.messageFailed(null);
  throw new ChannelSendError(meaning, false);
}

export type SendResult =
  | { messageId: string; wamid: string; windowClosed?: undefined }
  | { messageId: string; wamid?: undefined; windowClosed: { lastInboundAt: string | null } };

/** A conversation as a send reads it: the number it goes through and the contact it reaches. */
export interface SendingConversation {
  id: string;
  channelId: string;
  lastInboundAt: Date | null;
  channel: SendingChannel;
  contact: { id: string; waId: string | null; bsuid: string | null; optedOutAt: Date | null };
}

interface SendRow {
  lastInboundAt: Date | null;
  channelId: string;
  channel: SendingChannel;
  contactId: string;
  waId: string | null;
  bsuid: string | null;
  optedOutAt: Date | null;
  recordId: string;
  wamid: string | null;
}

export async function sendMessage(
  input: {
    conversationId: string;
    idempotencyKey: string;
    runId?: string;
    nodeId?: string;
    /** A person's message from the inbox (server/conversations/handoff.ts), not the bot's. */
    sentByUserId?: string;
    message: OutboundMessage;
  },
  options: { clock?: Clock } = {},
): Promise<SendResult> {
  // One statement reads the conversation with its number and contact, and writes the
  // message's row, or finds the one an earlier attempt of this send wrote.
  const [row] = await sql().$queryRaw<SendRow>`
    WITH conversation AS (
      SELECT c.id, c."channelId", c."lastInboundAt", ${SENDING_CHANNEL_JSON} AS channel,
        ct.id AS "contactId", ct."waId", ct.bsuid, ct."optedOutAt"
      FROM "Conversation" c JOIN "Contact" ct ON ct.id = c."contactId" JOIN "Channel" ch ON ch.id = c."channelId"
      WHERE c.id = ${input.conversationId}
    ), record AS (
      INSERT INTO "Message" (id, "conversationId", "channelId", direction, type, text, payload, status, "idempotencyKey", "runId", "nodeId", "sentByUserId", "createdAt")
      SELECT ${randomUUID()}, id, "channelId", 'outbound'::"MessageDirection", ${input.message.type}, ${outboundText(input.message)}, ${JSON.stringify(input.message)}::jsonb,
        'pending'::"MessageStatus", ${input.idempotencyKey}, ${input.runId ?? null}, ${input.nodeId ?? null}, ${input.sentByUserId ?? null}, ${new Date()}::timestamp
      FROM conversation
      -- The no-op update makes RETURNING give the row already there.
      ON CONFLICT ("idempotencyKey") DO UPDATE SET "idempotencyKey" = EXCLUDED."idempotencyKey"
      RETURNING id, wamid
    )
    SELECT conversation.*, record.id AS "recordId", record.wamid FROM conversation, record`;
  if (!row) throw new ChannelSendError(`Conversation ${input.conversationId} does not exist.`, false);
  if (row.wamid) return { messageId: row.recordId, wamid: row.wamid };
  const conversation: SendingConversation = {
    id: input.conversationId,
    channelId: row.channelId,
    lastInboundAt: row.lastInboundAt,
    channel: row.channel,
    contact: { id: row.contactId, waId: row.waId, bsuid: row.bsuid, optedOutAt: row.optedOutAt },
  };
  return deliverStoredMessage(row.recordId, conversation, input.message, options);
}

/**
 * Sends a message whose row is written (`recordId`): consent and the 24-hour window are
 * checked, the send is paced and retried, and the provider's message id is written after
 * it. Shared by a first send and a redelivery (./redelivery.ts).
 */
export async function deliverStoredMessage(
  recordId: string,
  conversation: SendingConversation,
  message: OutboundMessage,
  options: { clock?: Clock } = {},
): Promise<SendResult> {
  const clock = options.clock ?? systemClock;
  const { waId, bsuid } = conversation.contact;
  const to: Recipient | null = waId ? { phone: waId } : bsuid ? { userId: bsuid } : null;
  if (!to) throw new ChannelSendError(`Contact ${conversation.contact.id} has neither a wa_id nor a user id.`, false);
  const { lastInboundAt } = conversation;
  // Templates are how a business writes first: not to a contact who said STOP and has not written since.
  if (!isFreeForm(message) && !mayReachProactively(conversation.contact, lastInboundAt)) {
    const refusal: DeliveryError = { code: null, kind: "recipient", meaning: OPTED_OUT_MEANING, title: "Not sent: the contact opted out", details: null, retriable: false };
    await db().message.update({ where: { id: recordId }, data: { status: "failed", error: refusal as Prisma.InputJsonValue } });
    count.messageFailed(null);
    throw new ChannelSendError(OPTED_OUT_MEANING, false);
  }
  if (isFreeForm(message) && (!lastInboundAt || clock.now() - lastInboundAt.getTime() >= CUSTOMER_SERVICE_WINDOW_MS)) {
    await db().message.update({
      where: { id: recordId },
      data: { status: "failed", error: windowClosedRefusal(lastInboundAt) as Prisma.InputJsonValue },
    });
    count.messageFailed(null);
    return { messageId: recordId, windowClosed: { lastInboundAt: lastInboundAt?.toISOString() ?? null } };
  }

  const outgoing = message.type === "reaction" ? { ...message, wamid: await reactionTarget(recordId, conversation.id, message.messageId) } : message;
  const provider = providerFor(conversation.channel.provider);
  for (let attempt = 0; ; attempt++) {
    await paceSend({ channelId: conversation.channelId, conversationId: conversation.id, messagesPerSecond: conversation.channel.messagesPerSecond }, clock);
    const result = await provider.send(conversation.channel, to, outgoing);
    if (result.ok) {
      const wamid = result.messageId;
      const now = new Date(clock.now());
      // One statement stores the wamid and links the statuses that came before it.
      const linked = await sql().$queryRaw<EarlyStatusEvent>`
        WITH sent AS (UPDATE "Message" SET wamid = ${wamid}, status = 'sent', "sentAt" = ${now}, error = NULL WHERE id = ${recordId}),
          conversation AS (UPDATE "Conversation" SET "lastMessageAt" = ${now} WHERE id = ${conversation.id})
        ${linkEarlyStatuses(recordId, wamid)}`;
      count.messageSent(provider.id);
      // A failure reported before the provider's answer came back is redelivered as one reported after it.
      const early = await applyEarlyStatuses(recordId, linked);
      const redelivery = early && (await redeliveryAfter({ wamid, ...early }));
      if (redelivery) await sendEvents(redelivery);
      return { messageId: recordId, wamid };
    }
    const { error, status } = result;
    // "Slow down" comes as a 429, a 5xx or a throughput code: the provider did not take the message.
    const retriable = status === 429 || status >= 500 || error.retriable;
    if (retriable && attempt + 1 < MAX_SEND_ATTEMPTS) {
      await clock.sleep(retryDelayMs(attempt, error, result.retryAfterSeconds));
      continue;
    }
    // A permanent refusal fails the message; one still worth retrying stays pending for the executor's retry.
    if (!retriable) count.messageFailed(error.code);
    await db().message.update({
      where: { id: recordId },
      data: { error: { ...error, retriable } as Prisma.InputJsonValue, ...(retriable ? {} : { status: "failed" as const }) },
    });
    throw new ChannelSendError(
      `${provider.title} refused the message (${status}${error.code !== null ? `, code ${error.code}` : ""}): ${error.title ? `${error.title}. ` : ""}${error.meaning}`,
      retriable,
      error.code ?? undefined,
    );
  }
}
