// Sends messages through the Graph API (whatsapp.md fact 11) and records them. A send is
// keyed by an idempotency key (run + node + turn): the row is written before the call and
// the wamid after it, so a retried step finds the message already sent and sends nothing.
import { z } from "zod";
import { db, Prisma } from "@/server/db/client";
import { decryptSecret } from "@/server/security/secrets";
import { outboundText, type OutboundMessage } from "@/flows/message";
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
const graphErrorSchema = z.object({
  error: z.object({ message: z.string().optional(), code: z.number().optional(), error_subcode: z.number().optional() }),
});

/** Graph error codes that mean "slow down or try again", not "this message is wrong". */
const RETRIABLE_CODES = new Set([1, 2, 4, 80007, 130429, 131000, 131056, 133004]);

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

export async function sendMessage(input: {
  conversationId: string;
  idempotencyKey: string;
  runId?: string;
  nodeId?: string;
  message: OutboundMessage;
}): Promise<{ messageId: string; wamid: string }> {
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

  const { response, body } = await postMessages(conversation.channel, toWireMessage(to, input.message));
  if (!response.ok) {
    const graphError = graphErrorSchema.safeParse(body);
    const code = graphError.success ? graphError.data.error.code : undefined;
    const reason = graphError.success ? graphError.data.error.message : `HTTP ${response.status}`;
    const retriable = response.status === 429 || response.status >= 500 || (code !== undefined && RETRIABLE_CODES.has(code));
    await db().message.update({
      where: { id: record.id },
      data: { error: { status: response.status, code: code ?? null, message: reason ?? null } },
    });
    throw new WhatsAppSendError(`WhatsApp refused the message (${response.status}${code ? `, code ${code}` : ""}): ${reason}`, retriable, code);
  }
  const sent = sendResponseSchema.safeParse(body);
  if (!sent.success) throw new WhatsAppSendError(`Unexpected Graph API answer: ${JSON.stringify(body)?.slice(0, 200)}`, true);
  const wamid = sent.data.messages[0]!.id;
  const now = new Date();
  await db().message.update({ where: { id: record.id }, data: { wamid, status: "sent", sentAt: now, error: Prisma.DbNull } });
  await db().conversation.update({ where: { id: conversation.id }, data: { lastMessageAt: now } });
  await applyEarlyStatuses(record.id, wamid);
  return { messageId: record.id, wamid };
}
