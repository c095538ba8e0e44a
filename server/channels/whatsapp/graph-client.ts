// Sends messages through the Graph API (whatsapp.md fact 11) and records them. A send is
// keyed by an idempotency key (run + node + turn): the row is written before the call and
// the wamid after it, so a retried step finds the message already sent and sends nothing.
// Before calling Meta a send checks the 24-hour window (a free-form message outside it is
// refused here, not by a failed status later) and waits for its turn under the number's
// throughput and the contact's pair rate (../pacing.ts); Meta's "slow down" answers are
// retried with backoff, and only those, since Meta did not take the message.
import { z } from "zod";
import { db, Prisma } from "@/server/db/client";
import { decryptSecret } from "@/server/security/secrets";
import { CUSTOMER_SERVICE_WINDOW_MS, isFreeForm, outboundText, type OutboundMessage } from "@/flows/message";
import { systemClock, type Clock } from "../clock";
import { paceSend } from "../pacing";
import { deliveryError, windowClosedRefusal, type DeliveryError } from "./errors";
import { applyEarlyStatuses } from "./statuses";

export const DEFAULT_GRAPH_URL = "https://graph.facebook.com";
export const DEFAULT_API_VERSION = "v23.0";

export function graphBaseUrl(channel: { graphBaseUrl: string | null }): string {
  return (channel.graphBaseUrl ?? process.env.WHATSAPP_GRAPH_URL ?? DEFAULT_GRAPH_URL).replace(/\/+$/, "");
}

export function graphApiVersion(): string {
  return process.env.WHATSAPP_API_VERSION ?? DEFAULT_API_VERSION;
}

export class WhatsAppSendError extends Error {
  name = "WhatsAppSendError";
  constructor(
    message: string,
    /** Worth retrying later: throttling, Meta's 5xx, a network failure. */
    readonly retriable: boolean,
    readonly code?: number,
  ) {
    super(message);
  }
}

const sendResponseSchema = z.object({ messages: z.array(z.object({ id: z.string().min(1) })).min(1) });
const graphErrorSchema = z.object({ error: z.unknown() });

/** Attempts of one send within a step; after them the step fails and the executor retries it later. */
export const MAX_SEND_ATTEMPTS = 4;

/**
 * The pause before attempt `attempt + 1`: Meta's Retry-After when given; 4^n seconds after
 * the pair rate (Meta's advice: 1 s, 4 s, 16 s); doubling from 1 s otherwise.
 */
export function retryDelayMs(attempt: number, error: DeliveryError, retryAfterSeconds: number | null): number {
  if (retryAfterSeconds !== null) return retryAfterSeconds * 1000;
  return (error.kind === "pair_rate" ? 4 ** attempt : 2 ** attempt) * 1000;
}

/** The Graph API body for one message (whatsapp.md facts 11–14); optional fields are left out, not sent empty. */
export function toWireMessage(to: string, message: OutboundMessage): Record<string, unknown> {
  const base = { messaging_product: "whatsapp", recipient_type: "individual", to };
  switch (message.type) {
    case "text":
      return { ...base, type: "text", text: { body: message.text, preview_url: message.previewUrl ?? false } };
    case "image":
    case "video":
      return { ...base, type: message.type, [message.type]: { link: message.url, ...present({ caption: message.caption }) } };
    case "audio":
      return { ...base, type: "audio", audio: { link: message.url } };
    case "document":
      return { ...base, type: "document", document: { link: message.url, ...present({ caption: message.caption, filename: message.filename }) } };
    case "buttons":
      return {
        ...base,
        type: "interactive",
        interactive: {
          type: "button",
          ...interactiveTexts(message),
          action: { buttons: message.buttons.map((button) => ({ type: "reply", reply: { id: button.id, title: button.title } })) },
        },
      };
    case "list":
      return {
        ...base,
        type: "interactive",
        interactive: {
          type: "list",
          ...interactiveTexts(message),
          action: {
            button: message.button,
            sections: message.sections.map((section) => ({
              ...present({ title: section.title }),
              rows: section.rows.map((row) => ({ id: row.id, title: row.title, ...present({ description: row.description }) })),
            })),
          },
        },
      };
    case "location":
      return {
        ...base,
        type: "location",
        location: { latitude: message.latitude, longitude: message.longitude, ...present({ name: message.name, address: message.address }) },
      };
    case "template":
      return {
        ...base,
        type: "template",
        template: {
          name: message.name,
          language: { code: message.language },
          ...(message.bodyParameters.length > 0
            ? { components: [{ type: "body", parameters: message.bodyParameters.map((text) => ({ type: "text", text })) }] }
            : {}),
        },
      };
  }
}

function interactiveTexts(message: { body: string; header?: string; footer?: string }): Record<string, unknown> {
  return {
    ...(message.header ? { header: { type: "text", text: message.header } } : {}),
    body: { text: message.body },
    ...(message.footer ? { footer: { text: message.footer } } : {}),
  };
}

/** The entries of `fields` that hold a non-empty string: Meta rejects some empty optional fields. */
function present(fields: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string] => typeof entry[1] === "string" && entry[1] !== ""));
}

type ChannelRecord = { phoneNumberId: string; graphBaseUrl: string | null; accessTokenCipher: string };

/** POST {graph base}/{version}/{phone_number_id}/messages with the channel's token (whatsapp.md fact 11). */
async function postMessages(channel: ChannelRecord, payload: Record<string, unknown>): Promise<{ response: Response; body: unknown }> {
  const url = `${graphBaseUrl(channel)}/${graphApiVersion()}/${encodeURIComponent(channel.phoneNumberId)}/messages`;
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${decryptSecret(channel.accessTokenCipher)}`, "content-type": "application/json" },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(15_000),
    });
    return { response, body: await response.json().catch(() => null) };
  } catch (error) {
    throw new WhatsAppSendError(`Graph API unreachable at ${url}: ${(error as Error).message}`, true);
  }
}

/**
 * Marks an inbound message read and shows "typing…" to the contact while the bot works on
 * its answer (whatsapp.md fact 18). Cosmetic, so best effort: a failure is logged, not thrown.
 */
export async function markReadAndTyping(messageId: string): Promise<void> {
  const message = await db().message.findUnique({ where: { id: messageId }, include: { channel: true } });
  if (!message?.wamid || message.direction !== "inbound") return;
  try {
    const { response, body } = await postMessages(message.channel, {
      messaging_product: "whatsapp",
      status: "read",
      message_id: message.wamid,
      typing_indicator: { type: "text" },
    });
    if (!response.ok) console.warn(`[parley] read receipt for message ${messageId} refused: ${response.status} ${JSON.stringify(body)?.slice(0, 200)}`);
  } catch (error) {
    console.warn(`[parley] read receipt for message ${messageId} not sent: ${(error as Error).message}`);
  }
}

export type SendResult =
  | { messageId: string; wamid: string; windowClosed?: undefined }
  | { messageId: string; wamid?: undefined; windowClosed: { lastInboundAt: string | null } };

export async function sendMessage(
  input: {
    conversationId: string;
    idempotencyKey: string;
    runId?: string;
    nodeId?: string;
    message: OutboundMessage;
  },
  options: { clock?: Clock } = {},
): Promise<SendResult> {
  const clock = options.clock ?? systemClock;
  const conversation = await db().conversation.findUniqueOrThrow({
    where: { id: input.conversationId },
    include: { channel: true, contact: true },
  });
  const to = conversation.contact.waId ?? conversation.contact.bsuid;
  if (!to) throw new WhatsAppSendError(`Contact ${conversation.contact.id} has neither a wa_id nor a user id.`, false);

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
    },
    update: {},
  });
  if (record.wamid) return { messageId: record.id, wamid: record.wamid };

  const { lastInboundAt } = conversation;
  if (isFreeForm(input.message) && (!lastInboundAt || clock.now() - lastInboundAt.getTime() >= CUSTOMER_SERVICE_WINDOW_MS)) {
    await db().message.update({
      where: { id: record.id },
      data: { status: "failed", error: windowClosedRefusal(lastInboundAt) as Prisma.InputJsonValue },
    });
    return { messageId: record.id, windowClosed: { lastInboundAt: lastInboundAt?.toISOString() ?? null } };
  }

  const wire = toWireMessage(to, input.message);
  for (let attempt = 0; ; attempt++) {
    await paceSend({ channelId: conversation.channelId, conversationId: conversation.id, messagesPerSecond: conversation.channel.messagesPerSecond }, clock);
    const { response, body } = await postMessages(conversation.channel, wire);
    if (response.ok) {
      const sent = sendResponseSchema.safeParse(body);
      if (!sent.success) throw new WhatsAppSendError(`Unexpected Graph API answer: ${JSON.stringify(body)?.slice(0, 200)}`, true);
      const wamid = sent.data.messages[0]!.id;
      const now = new Date(clock.now());
      await db().message.update({ where: { id: record.id }, data: { wamid, status: "sent", sentAt: now, error: Prisma.DbNull } });
      await db().conversation.update({ where: { id: conversation.id }, data: { lastMessageAt: now } });
      await applyEarlyStatuses(record.id, wamid);
      return { messageId: record.id, wamid };
    }
    const graphError = graphErrorSchema.safeParse(body);
    const error = graphError.success ? deliveryError(graphError.data.error) : { ...deliveryError(null), title: `HTTP ${response.status}` };
    // Meta answers "slow down" with 429, a 5xx or a throughput code: it did not take the message.
    const retriable = response.status === 429 || response.status >= 500 || error.retriable;
    if (retriable && attempt + 1 < MAX_SEND_ATTEMPTS) {
      const retryAfter = Number(response.headers.get("retry-after"));
      await clock.sleep(retryDelayMs(attempt, error, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null));
      continue;
    }
    // A permanent refusal fails the message; one still worth retrying stays pending for the executor's retry.
    await db().message.update({
      where: { id: record.id },
      data: { error: { ...error, retriable } as Prisma.InputJsonValue, ...(retriable ? {} : { status: "failed" as const }) },
    });
    throw new WhatsAppSendError(
      `WhatsApp refused the message (${response.status}${error.code !== null ? `, code ${error.code}` : ""}): ${error.title ? `${error.title}. ` : ""}${error.meaning}`,
      retriable,
      error.code ?? undefined,
    );
  }
}
