// The webhook ingress, for every provider (whatsapp.md facts 2–10): the provider reads and
// verifies the POST, then every message is stored once (unique provider message id),
// statuses are applied (never starting a flow; a failure for a passing reason schedules the
// message's redelivery, ./redelivery.ts), the delivery is logged for the number's
// settings page, and each message goes to the conversation router as an Inngest event
// whose id is the message id. Storing comes before answering 200, so nothing delivered is lost.
import { withUniqueRetry } from "@/server/db/unique-retry";
import { randomUUID } from "node:crypto";
import { db } from "@/server/db/client";
import { sql } from "@/server/db/sql";
import { sendEvents, MESSAGE_RECEIVED_EVENT, type MessageReceivedData } from "@/server/inngest/client";
import { MEDIA_RECEIVED_EVENT } from "@/server/media/files";
import { log } from "@/server/observability/log";
import { count } from "@/server/observability/metrics";
import { decryptSecret } from "@/server/security/secrets";
import { WebhookPayloadError, type ChannelProvider, type ParsedInbound, type ParsedWebhook, type WebhookRequest } from "./provider";
import { redeliveryAfter, type Redelivery } from "./redelivery";
import { recordStatus } from "./statuses";
import { logWebhookDelivery } from "./webhook-log";

export interface IngressResponse {
  status: number;
  body: string;
  contentType?: string;
}

export const json = (status: number, value: unknown): IngressResponse => ({ status, body: JSON.stringify(value) });

interface WebhookChannel {
  id: string;
  workspaceId: string;
  phoneNumberId: string;
  appSecret: string;
}

/**
 * Numbers as the ingress needs them, with their app secret decrypted, kept for a few seconds:
 * every webhook names its number. Saving or deleting a number forgets them at once in this
 * process (forgetWebhookChannels); other processes see the change within the period.
 */
const CHANNEL_CACHE_MS = 5_000;
// On globalThis: the settings' tRPC route and the webhook route are separate bundles under Next.
const cacheHolder = globalThis as unknown as { parleyWebhookChannels?: Map<string, { channel: WebhookChannel; until: number }> };
const channelCache = (cacheHolder.parleyWebhookChannels ??= new Map());

async function webhookChannels(providerId: string, phoneNumberIds: string[]): Promise<WebhookChannel[]> {
  const now = Date.now();
  const cached = phoneNumberIds.map((id) => channelCache.get(`${providerId}:${id}`)).filter((entry) => entry !== undefined && entry.until > now);
  if (cached.length === phoneNumberIds.length) return cached.map((entry) => entry!.channel);
  const rows = await db().channel.findMany({
    where: { provider: providerId, phoneNumberId: { in: phoneNumberIds } },
    select: { id: true, workspaceId: true, phoneNumberId: true, appSecretCipher: true },
  });
  return rows.map(({ appSecretCipher, ...row }) => {
    const channel = { ...row, appSecret: decryptSecret(appSecretCipher) };
    channelCache.set(`${providerId}:${row.phoneNumberId}`, { channel, until: now + CHANNEL_CACHE_MS });
    return channel;
  });
}

export function forgetWebhookChannels(): void {
  channelCache.clear();
}

export async function receiveWebhook(provider: ChannelProvider, request: WebhookRequest): Promise<IngressResponse> {
  count.webhookReceived(provider.id);
  let parsed: ParsedWebhook;
  try {
    parsed = provider.parseWebhook(request);
  } catch (error) {
    if (error instanceof WebhookPayloadError) {
      count.webhookRejected(provider.id, "payload");
      return json(400, { error: error.message });
    }
    throw error;
  }
  const channels = await webhookChannels(provider.id, parsed.phoneNumberIds);
  if (channels.length === 0) count.webhookRejected(provider.id, "unknown_number");
  if (channels.length === 0 && parsed.phoneNumberIds.length > 0) {
    return json(404, { error: `No ${provider.title} number ${parsed.phoneNumberIds.join(", ")} is set up: add it in Settings → WhatsApp numbers.` });
  }
  if (channels.length === 0) return json(401, { error: "The webhook names no phone number, so its signature cannot be checked." });

  // Each number's settings page shows the deliveries it was named in, and what came of them.
  const logged = (response: IngressResponse, outcome: { signatureOk: boolean; problem: string | null }) =>
    logDeliveries(channels, parsed, { ...outcome, httpStatus: response.status }).then(() => response);

  // One app (one Meta app, one Twilio account) signs the whole POST: every channel it names must share its secret.
  for (const channel of channels) {
    if (!provider.verifyWebhook(request, channel.appSecret)) {
      const problem = `The webhook's signature does not match the body signed with the number's ${provider.webhookSecretName}.`;
      count.webhookRejected(provider.id, "signature");
      return logged(json(401, { error: problem }), { signatureOk: false, problem });
    }
  }

  const byNumber = new Map(channels.map((channel) => [channel.phoneNumberId, channel]));
  const events: { id: string; name: string; data: MessageReceivedData | Redelivery }[] = [];
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
    // Media is fetched from the provider at once: Meta keeps it for 30 days only.
    if (message.details.media) events.push({ id: `media:${message.wamid}`, name: MEDIA_RECEIVED_EVENT, data: stored });
  }
  for (const status of parsed.statuses) {
    if (!byNumber.has(status.phoneNumberId)) continue;
    await recordStatus(status);
    const redelivery = await redeliveryAfter(status);
    if (redelivery) events.push(redelivery);
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
      await sendEvents(events);
    } catch (error) {
      count.webhookRejected(provider.id, "executor_unavailable");
      const problem = `Messages stored, but the executor did not accept them (${(error as Error).message}); ${provider.title} will retry.`;
      return logged(json(503, { error: problem }), { signatureOk: true, problem });
    }
  }
  const answer = provider.acknowledge({ messages: events.filter((event) => event.name === MESSAGE_RECEIVED_EVENT).length, statuses: parsed.statuses.length, refused });
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

/**
 * Stores one inbound message with its contact and conversation in a single SQL statement, in
 * plain SQL (the webhook's hot path: one round trip, no interactive transaction). The contact is found by
 * wa_id or business-scoped user id, else created; the conversation is upserted and its
 * 24-hour window moved forward, never back; a message already stored (a replayed webhook)
 * is returned as it is. A race lost to a concurrent delivery (the contact just created by
 * another) returns no row, and the statement runs again.
 */
async function storeInbound(channel: { id: string; workspaceId: string }, message: ParsedInbound): Promise<MessageReceivedData> {
  if (!message.waId && !message.bsuid) throw new WebhookPayloadError(`Message ${message.wamid} names no sender.`);
  // The 24-hour window runs from when the contact wrote (never in the future).
  const wroteAt = new Date(Math.min(message.sentAt.getTime(), Date.now()));
  const payload = JSON.stringify({ replyId: message.replyId, details: message.details, raw: message.raw });
  for (let attempt = 0; attempt < 3; attempt++) {
    const rows = await sql().$queryRaw<{ id: string; conversationId: string; contactId: string; created: boolean }>`
      WITH found AS (
        SELECT id FROM "Contact"
        WHERE "workspaceId" = ${channel.workspaceId} AND ("waId" = ${message.waId} OR bsuid = ${message.bsuid})
        ORDER BY ("waId" = ${message.waId}) DESC NULLS LAST
        LIMIT 1
      ), updated AS (
        UPDATE "Contact" c SET
          "waId" = COALESCE(c."waId", ${message.waId}), bsuid = COALESCE(${message.bsuid}, c.bsuid),
          name = COALESCE(${message.profileName}, c.name), "updatedAt" = now()
        FROM found WHERE c.id = found.id
        RETURNING c.id
      ), inserted AS (
        INSERT INTO "Contact" (id, "workspaceId", "waId", bsuid, name, "updatedAt")
        SELECT ${randomUUID()}, ${channel.workspaceId}, ${message.waId}::text, ${message.bsuid}::text, ${message.profileName}::text, now()
        WHERE NOT EXISTS (SELECT 1 FROM found)
        ON CONFLICT DO NOTHING
        RETURNING id
      ), contact AS (
        SELECT id FROM updated UNION ALL SELECT id FROM inserted
      ), conversation AS (
        INSERT INTO "Conversation" (id, "workspaceId", "channelId", "contactId", "lastInboundAt", "lastMessageAt")
        SELECT ${randomUUID()}, ${channel.workspaceId}, ${channel.id}, contact.id, ${wroteAt}::timestamp(3), ${wroteAt}::timestamp(3) FROM contact
        ON CONFLICT ("channelId", "contactId") DO UPDATE SET
          "lastInboundAt" = GREATEST("Conversation"."lastInboundAt", EXCLUDED."lastInboundAt"),
          "lastMessageAt" = GREATEST("Conversation"."lastMessageAt", EXCLUDED."lastMessageAt")
        RETURNING id, "contactId"
      ), stored AS (
        INSERT INTO "Message" (id, "conversationId", "channelId", direction, wamid, type, text, payload, status)
        SELECT ${randomUUID()}, conversation.id, ${channel.id}, 'inbound'::"MessageDirection", ${message.wamid}, ${message.type}, ${message.text}, ${payload}::jsonb, 'received'::"MessageStatus"
        FROM conversation
        ON CONFLICT (wamid) DO NOTHING
        RETURNING id, "conversationId"
      )
      SELECT stored.id, stored."conversationId", conversation."contactId", true AS created FROM stored, conversation
      UNION ALL
      SELECT m.id, m."conversationId", conversation."contactId", false FROM "Message" m, conversation WHERE m.wamid = ${message.wamid}`;
    const row = rows.find((candidate) => candidate.created) ?? rows[0];
    if (!row) continue;
    if (row.created) await followIdentityChange(channel.workspaceId, row.contactId, message);
    return { messageId: row.id, conversationId: row.conversationId };
  }
  throw new Error(`Message ${message.wamid} could not be stored: its contact kept changing under it.`);
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
