// The webhook ingress, for every provider (whatsapp.md facts 2–10): the provider reads and
// verifies the POST, then every message is stored once (unique provider message id),
// statuses are applied (never starting anything), the delivery is logged for the number's
// settings page, and each message goes to the conversation router as an Inngest event
// whose id is the message id. Storing comes before answering 200, so nothing delivered is lost.
import { withUniqueRetry } from "@/server/db/unique-retry";
import { db, Prisma } from "@/server/db/client";
import { inngest, MESSAGE_RECEIVED_EVENT, type MessageReceivedData } from "@/server/inngest/client";
import { log } from "@/server/observability/log";
import { decryptSecret } from "@/server/security/secrets";
import { WebhookPayloadError, type ChannelProvider, type ParsedInbound, type ParsedWebhook, type WebhookRequest } from "./provider";
import { recordStatus } from "./statuses";
import { logWebhookDelivery } from "./webhook-log";

export interface IngressResponse {
  status: number;
  body: string;
  contentType?: string;
}

export const json = (status: number, value: unknown): IngressResponse => ({ status, body: JSON.stringify(value) });

export async function receiveWebhook(provider: ChannelProvider, request: WebhookRequest): Promise<IngressResponse> {
  let parsed: ParsedWebhook;
  try {
    parsed = provider.parseWebhook(request);
  } catch (error) {
    if (error instanceof WebhookPayloadError) return json(400, { error: error.message });
    throw error;
  }
  const channels = await db().channel.findMany({
    where: { provider: provider.id, phoneNumberId: { in: parsed.phoneNumberIds } },
    select: { id: true, workspaceId: true, phoneNumberId: true, appSecretCipher: true },
  });
  if (channels.length === 0 && parsed.phoneNumberIds.length > 0) {
    return json(404, { error: `No ${provider.title} number ${parsed.phoneNumberIds.join(", ")} is set up: add it in Settings → WhatsApp numbers.` });
  }
  if (channels.length === 0) return json(401, { error: "The webhook names no phone number, so its signature cannot be checked." });

  // Each number's settings page shows the deliveries it was named in, and what came of them.
  const logged = (response: IngressResponse, outcome: { signatureOk: boolean; problem: string | null }) =>
    logDeliveries(channels, parsed, { ...outcome, httpStatus: response.status }).then(() => response);

  // One app (one Meta app, one Twilio account) signs the whole POST: every channel it names must share its secret.
  for (const channel of channels) {
    if (!provider.verifyWebhook(request, decryptSecret(channel.appSecretCipher))) {
      const problem = `The webhook's signature does not match the body signed with the number's ${provider.webhookSecretName}.`;
      return logged(json(401, { error: problem }), { signatureOk: false, problem });
    }
  }

  const byNumber = new Map(channels.map((channel) => [channel.phoneNumberId, channel]));
  const events: { id: string; name: string; data: MessageReceivedData }[] = [];
  const refused: { wamid: string; reason: string }[] = [];
  for (const message of parsed.messages) {
    const channel = byNumber.get(message.phoneNumberId);
    if (!channel) continue; // another app's number in the same batch: not ours to store
    let stored: MessageReceivedData;
    try {
      stored = await storeInbound(channel, message);
    } catch (error) {
      // A message that cannot be stored (no sender) must not hold back the rest of the batch:
      // refusing the POST would make the provider redeliver it, and its neighbours, forever.
      if (!(error instanceof WebhookPayloadError)) throw error;
      refused.push({ wamid: message.wamid, reason: error.message });
      log().warn({ wamid: message.wamid, reason: error.message }, "webhook message refused");
      continue;
    }
    events.push({ id: message.wamid, name: MESSAGE_RECEIVED_EVENT, data: stored });
  }
  for (const status of parsed.statuses) {
    if (byNumber.has(status.phoneNumberId)) await recordStatus(status);
  }
  const reported = parsed.errors.filter(({ phoneNumberId }) => byNumber.has(phoneNumberId)).map(({ error }) => error);
  for (const error of reported) log().warn({ provider: provider.id, error }, "the provider reported an error for the number");
  const problems = [
    ...refused.map((r) => `message ${r.wamid} refused: ${r.reason}`),
    ...reported.map((error) => `${provider.title} reported error ${error.code ?? "?"}: ${error.title ?? error.meaning}`),
  ];
  if (events.length > 0) {
    try {
      // Sent for replays too: the executor drops a repeated event id and the router skips
      // a routed message, while a message stored by an attempt whose send failed gets routed.
      await inngest().send(events);
    } catch (error) {
      const problem = `Messages stored, but the executor did not accept them (${(error as Error).message}); ${provider.title} will retry.`;
      return logged(json(503, { error: problem }), { signatureOk: true, problem });
    }
  }
  const answer = provider.acknowledge({ messages: events.length, statuses: parsed.statuses.length, refused });
  return logged(answer, { signatureOk: true, problem: problems.length > 0 ? problems.join("; ").slice(0, 2000) : null });
}

/** One log row per number named in the delivery; a failure to log never fails the webhook. */
async function logDeliveries(
  channels: { id: string; phoneNumberId: string }[],
  parsed: ParsedWebhook,
  outcome: { signatureOk: boolean; httpStatus: number; problem: string | null },
): Promise<void> {
  for (const channel of channels) {
    try {
      await logWebhookDelivery({
        channelId: channel.id,
        ...outcome,
        messages: parsed.messages.filter((m) => m.phoneNumberId === channel.phoneNumberId).length,
        statuses: parsed.statuses.filter((s) => s.phoneNumberId === channel.phoneNumberId).length,
      });
    } catch (error) {
      log().warn({ channelId: channel.id, err: error }, "webhook delivery not logged");
    }
  }
}

async function storeInbound(
  channel: { id: string; workspaceId: string },
  message: ParsedInbound,
): Promise<MessageReceivedData> {
  return withUniqueRetry(() =>
    db().$transaction(async (tx) => {
      const existing = await tx.message.findUnique({ where: { wamid: message.wamid }, select: { id: true, conversationId: true } });
      if (existing) return { messageId: existing.id, conversationId: existing.conversationId };
      const contact = await upsertContact(tx, channel.workspaceId, message);
      await followNumberChange(tx, channel.workspaceId, contact.id, message);
      // The 24-hour window runs from when the contact wrote (never in the future); a message
      // delivered late or out of order does not move it back.
      const wroteAt = new Date(Math.min(message.sentAt.getTime(), Date.now()));
      const conversation = await tx.conversation.upsert({
        where: { channelId_contactId: { channelId: channel.id, contactId: contact.id } },
        create: { workspaceId: channel.workspaceId, channelId: channel.id, contactId: contact.id, lastInboundAt: wroteAt, lastMessageAt: wroteAt },
        update: {},
        select: { id: true, lastInboundAt: true },
      });
      if (conversation.lastInboundAt === null || conversation.lastInboundAt < wroteAt) {
        await tx.conversation.update({ where: { id: conversation.id }, data: { lastInboundAt: wroteAt, lastMessageAt: wroteAt } });
      }
      const stored = await tx.message.create({
        data: {
          conversationId: conversation.id,
          channelId: channel.id,
          direction: "inbound",
          wamid: message.wamid,
          type: message.type,
          text: message.text,
          payload: { replyId: message.replyId, details: message.details, raw: message.raw } as Prisma.InputJsonValue,
          status: "received",
          createdAt: new Date(),
        },
        select: { id: true },
      });
      return { messageId: stored.id, conversationId: conversation.id };
    }),
  );
}

type Tx = Prisma.TransactionClient;

async function upsertContact(tx: Tx, workspaceId: string, message: ParsedInbound) {
  const or = [
    ...(message.waId ? [{ waId: message.waId }] : []),
    ...(message.bsuid ? [{ bsuid: message.bsuid }] : []),
  ];
  if (or.length === 0) throw new WebhookPayloadError(`Message ${message.wamid} names no sender.`);
  const found = await tx.contact.findFirst({ where: { workspaceId, OR: or } });
  const fields = {
    ...(message.waId ? { waId: message.waId } : {}),
    ...(message.bsuid ? { bsuid: message.bsuid } : {}),
    ...(message.profileName ? { name: message.profileName } : {}),
  };
  if (found) return tx.contact.update({ where: { id: found.id }, data: fields });
  return tx.contact.create({ data: { workspaceId, ...fields } });
}

/**
 * WhatsApp says the contact changed their number (a "user_changed_number" system message):
 * the contact keeps their conversations under the new number, unless another contact of the
 * workspace already has it.
 */
async function followNumberChange(tx: Tx, workspaceId: string, contactId: string, message: ParsedInbound) {
  const newWaId = message.details.system?.kind === "user_changed_number" ? message.details.system.newWaId : null;
  if (!newWaId) return;
  const taken = await tx.contact.findFirst({ where: { workspaceId, waId: newWaId }, select: { id: true } });
  if (!taken) await tx.contact.update({ where: { id: contactId }, data: { waId: newWaId } });
}
