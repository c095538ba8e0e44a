// Sends one message to a contact through the conversation's channel, whatever its
// provider, and records it. A send is keyed by an idempotency key (run + node + turn): the
// row is written before the call and the provider's message id after it, so a retried step
// finds the message already sent and sends nothing. Before calling the provider a send
// checks the 24-hour window (a free-form message outside it is refused here, not by a
// failed status later) and waits for its turn under the number's throughput and the
// contact's pair rate (./pacing.ts); "slow down" answers are retried with backoff, and only
// those, since the provider did not take the message (docs/channels.md).
import { db, Prisma } from "@/server/db/client";
import { CUSTOMER_SERVICE_WINDOW_MS, isFreeForm, outboundText, type OutboundMessage } from "@/flows/message";
import { log } from "@/server/observability/log";
import { sendEvents } from "@/server/inngest/client";
import { count } from "@/server/observability/metrics";
import { systemClock, type Clock } from "./clock";
import { retryDelayMs, windowClosedRefusal, type DeliveryError } from "./delivery-errors";
import { mayReachProactively, OPTED_OUT_MEANING } from "./contact-rules";
import { paceSend } from "./pacing";
import type { Recipient } from "./provider";
import { providerFor } from "./providers";
import { redeliveryAfter } from "./redelivery";
import { ChannelSendError } from "./send-error";
import { applyEarlyStatuses } from "./statuses";

/** Attempts of one send within a step; after them the step fails and the executor retries it later. */
export const MAX_SEND_ATTEMPTS = 4;

/**
 * Marks an inbound message read and shows "typing…" where the provider can, while the bot
 * works on its answer (whatsapp.md fact 18). Cosmetic, so best effort: a failure is logged.
 */
export async function markReadAndTyping(messageId: string): Promise<void> {
  const message = await db().message.findUnique({ where: { id: messageId }, include: { channel: true } });
  if (!message?.wamid || message.direction !== "inbound") return;
  const provider = providerFor(message.channel.provider);
  try {
    await provider.markRead?.(message.channel, message.wamid);
  } catch (error) {
    log().warn({ messageId, err: error }, "read receipt not sent");
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
export type SendingConversation = Prisma.ConversationGetPayload<{ include: { channel: true; contact: true } }>;

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
  const conversation = await db().conversation.findUniqueOrThrow({
    where: { id: input.conversationId },
    include: { channel: true, contact: true },
  });
  const record = await db().message.upsert({
    where: { idempotencyKey: input.idempotencyKey },
    create: {
      conversationId: conversation.id,
      channelId: conversation.channelId,
      direction: "outbound",
      type: input.message.type,
      text: outboundText(input.message),
      payload: input.message as Prisma.InputJsonValue,
      status: "pending",
      idempotencyKey: input.idempotencyKey,
      runId: input.runId,
      nodeId: input.nodeId,
      sentByUserId: input.sentByUserId,
    },
    update: {},
  });
  if (record.wamid) return { messageId: record.id, wamid: record.wamid };
  return deliverStoredMessage(record.id, conversation, input.message, options);
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
      await db().message.update({ where: { id: recordId }, data: { wamid, status: "sent", sentAt: now, error: Prisma.DbNull } });
      count.messageSent(provider.id);
      await db().conversation.update({ where: { id: conversation.id }, data: { lastMessageAt: now } });
      // A failure reported before the provider's answer came back is redelivered as one reported after it.
      const early = await applyEarlyStatuses(recordId, wamid);
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
