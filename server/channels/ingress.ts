// The webhook ingress, for every provider (whatsapp.md facts 2–10): the provider reads and
// verifies the POST, then every message is stored once (unique provider message id),
// statuses are applied (never starting a flow; a failure for a passing reason schedules the
// message's redelivery, ./redelivery.ts), the delivery is logged for the number's
// settings page, and each message goes to the conversation router as an Inngest event
// whose id is the message id. Storing comes before answering 200, so nothing delivered is lost.
import { db } from "@/server/db/client";
import { sendEvents, MESSAGE_RECEIVED_EVENT, type MessageReceivedData } from "@/server/inngest/client";
import { MEDIA_RECEIVED_EVENT } from "@/server/media/files";
import { log } from "@/server/observability/log";
import { count } from "@/server/observability/metrics";
import { decryptSecret } from "@/server/security/secrets";
import { storeInbound } from "./inbound-store";
import { WebhookPayloadError, type ChannelProvider, type ParsedWebhook, type WebhookRequest } from "./provider";
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
  const receivedAt = new Date();
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
  // The provider needs none of it, so the answer does not wait for the log's write (a
  // failed write is logged as a warning); the log is group-committed all the same.
  const logged = (response: IngressResponse, outcome: { signatureOk: boolean; problem: string | null }) => {
    void logDeliveries(channels, parsed, { ...outcome, receivedAt, httpStatus: response.status });
    return response;
  };

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
  // Stored together: the messages of one delivery join the same group commit.
  const ours = parsed.messages.filter((message) => byNumber.has(message.phoneNumberId)); // another app's numbers are not ours to store
  const outcomes = await Promise.allSettled(ours.map((message) => storeInbound(byNumber.get(message.phoneNumberId)!, message)));
  for (const [index, message] of ours.entries()) {
    const outcome = outcomes[index]!;
    if (outcome.status === "rejected") {
      // A message that cannot be stored (no sender) must not hold back the rest of the batch:
      // refusing the POST would make the provider redeliver it, and its neighbours, forever.
      if (!(outcome.reason instanceof WebhookPayloadError)) throw outcome.reason;
      refused.push({ wamid: message.wamid, reason: outcome.reason.message });
      log().warn({ wamid: message.wamid, reason: outcome.reason.message }, "webhook message refused");
      continue;
    }
    events.push({ id: message.wamid, name: MESSAGE_RECEIVED_EVENT, data: outcome.value });
    // Media is fetched from the provider at once: Meta keeps it for 30 days only.
    if (message.details.media) events.push({ id: `media:${message.wamid}`, name: MEDIA_RECEIVED_EVENT, data: outcome.value });
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

/** One log row per number named in the delivery; never rejects: a failure to log is a warning. */
async function logDeliveries(
  channels: { id: string; phoneNumberId: string }[],
  parsed: ParsedWebhook,
  outcome: { receivedAt: Date; signatureOk: boolean; httpStatus: number; problem: string | null },
): Promise<void> {
  await Promise.all(
    channels.map((channel) =>
      logWebhookDelivery({
        channelId: channel.id,
        ...outcome,
        messages: parsed.messages.filter((m) => m.phoneNumberId === channel.phoneNumberId).length,
        statuses: parsed.statuses.filter((s) => s.phoneNumberId === channel.phoneNumberId).length,
      }).catch((error: unknown) => log().warn({ channelId: channel.id, err: error }, "webhook delivery not logged")),
    ),
  );
}
