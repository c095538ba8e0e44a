// Meta's Graph API for the Cloud API provider (whatsapp.md facts 11–14, 18): the wire
// format of each message kind, one POST to /{phone_number_id}/messages, read receipts.
import { request } from "undici";
import { z } from "zod";
import { decryptSecret } from "@/server/security/secrets";
import type { OutboundMessage } from "@/flows/message";
import type { CredentialsCheck, ProviderChannel, ProviderSendResult, Recipient } from "../provider";
import { ChannelSendError } from "../send-error";
import { deliveryError } from "./errors";

export const DEFAULT_GRAPH_URL = "https://graph.facebook.com";
export const DEFAULT_API_VERSION = "v23.0";

export function graphBaseUrl(channel: { graphBaseUrl: string | null }): string {
  return (channel.graphBaseUrl ?? process.env.WHATSAPP_GRAPH_URL ?? DEFAULT_GRAPH_URL).replace(/\/+$/, "");
}

export function graphApiVersion(): string {
  return process.env.WHATSAPP_API_VERSION ?? DEFAULT_API_VERSION;
}

const sendResponseSchema = z.object({ messages: z.array(z.object({ id: z.string().min(1) })).min(1) });
const graphErrorSchema = z.object({ error: z.unknown() });

/** A medium by its uploaded id, else by link. */
function mediaSource(message: { url?: string; mediaId?: string }): { id: string } | { link: string } {
  return message.mediaId ? { id: message.mediaId } : { link: message.url ?? "" };
}

/** A template's parameters as Graph API components (fact 14): header, body, then each button by index. */
function templateComponents(message: Extract<OutboundMessage, { type: "template" }>): { components?: Record<string, unknown>[] } {
  const components: Record<string, unknown>[] = [];
  const { header } = message;
  if (header) components.push({ type: "header", parameters: [header.type === "text" ? { type: "text", text: header.text } : { type: header.type, [header.type]: { link: header.url } }] });
  if (message.bodyParameters.length > 0) components.push({ type: "body", parameters: message.bodyParameters.map((text) => ({ type: "text", text })) });
  for (const button of message.buttons ?? []) {
    components.push({
      type: "button",
      sub_type: button.subType,
      index: String(button.index),
      parameters: [button.subType === "url" ? { type: "text", text: button.value } : { type: "payload", payload: button.value }],
    });
  }
  return components.length > 0 ? { components } : {};
}

/** The Graph API body for one message (whatsapp.md facts 11–14); optional fields are left out, not sent empty. */
export function toWireMessage(to: Recipient, message: OutboundMessage): Record<string, unknown> {
  // A phone number goes in `to`; a business-scoped user id in `recipient` (Meta reads `to` first when both are given).
  const base = { messaging_product: "whatsapp", recipient_type: "individual", ...("phone" in to ? { to: to.phone } : { recipient: to.userId }) };
  switch (message.type) {
    case "text":
      return { ...base, type: "text", text: { body: message.text, preview_url: message.previewUrl ?? false } };
    case "image":
    case "video":
      return { ...base, type: message.type, [message.type]: { ...mediaSource(message), ...present({ caption: message.caption }) } };
    case "audio":
      return { ...base, type: "audio", audio: mediaSource(message) };
    case "document":
      return { ...base, type: "document", document: { ...mediaSource(message), ...present({ caption: message.caption, filename: message.filename }) } };
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
        template: { name: message.name, language: { code: message.language }, ...templateComponents(message) },
      };
    case "reaction":
      return { ...base, type: "reaction", reaction: { message_id: message.wamid ?? "", emoji: message.emoji } };
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

/** What a POST to /messages answered: its status, its Retry-After (seconds, when given) and its JSON body. */
interface GraphAnswer {
  ok: boolean;
  status: number;
  retryAfter: string | null;
  body: unknown;
}

/**
 * POST {graph base}/{version}/{phone_number_id}/messages with the channel's token (whatsapp.md
 * fact 11). Every bot answer and read receipt passes here, so it uses undici's request(),
 * about a quarter of fetch()'s CPU per call (bench/README.md).
 */
async function postMessages(channel: ProviderChannel, payload: Record<string, unknown>): Promise<GraphAnswer> {
  const url = `${graphBaseUrl(channel)}/${graphApiVersion()}/${encodeURIComponent(channel.phoneNumberId)}/messages`;
  try {
    const response = await request(url, {
      method: "POST",
      headers: { authorization: `Bearer ${decryptSecret(channel.accessTokenCipher)}`, "content-type": "application/json" },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(15_000),
    });
    const retryAfter = response.headers["retry-after"];
    return {
      ok: response.statusCode >= 200 && response.statusCode < 300,
      status: response.statusCode,
      retryAfter: (Array.isArray(retryAfter) ? retryAfter[0] : retryAfter) ?? null,
      body: await response.body.json().catch(() => null),
    };
  } catch (error) {
    throw new ChannelSendError(`Graph API unreachable at ${url}: ${(error as Error).message}`, true);
  }
}

/** One message through the Graph API; Meta's refusal comes back with its meaning. */
export async function sendThroughGraph(channel: ProviderChannel, to: Recipient, message: OutboundMessage): Promise<ProviderSendResult> {
  const answer = await postMessages(channel, toWireMessage(to, message));
  const { body } = answer;
  if (answer.ok) {
    const sent = sendResponseSchema.safeParse(body);
    if (!sent.success) throw new ChannelSendError(`Unexpected Graph API answer: ${JSON.stringify(body)?.slice(0, 200)}`, true);
    return { ok: true, messageId: sent.data.messages[0]!.id };
  }
  const graphError = graphErrorSchema.safeParse(body);
  const error = graphError.success ? deliveryError(graphError.data.error) : { ...deliveryError(null), title: `HTTP ${answer.status}` };
  const retryAfter = Number(answer.retryAfter);
  return { ok: false, status: answer.status, error, retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null };
}

/**
 * Marks an inbound message read and shows "typing…" to the contact while the bot works on
 * its answer (whatsapp.md fact 18).
 */
export async function markReadThroughGraph(channel: ProviderChannel, wamid: string): Promise<void> {
  const answer = await postMessages(channel, { messaging_product: "whatsapp", status: "read", message_id: wamid, typing_indicator: { type: "text" } });
  if (!answer.ok) throw new ChannelSendError(`${answer.status} ${JSON.stringify(answer.body)?.slice(0, 200)}`, false);
}

const phoneNumberSchema = z.looseObject({
  display_phone_number: z.string().optional(),
  verified_name: z.string().optional(),
  quality_rating: z.string().optional(),
});

/** GET /{phone_number_id} through the number's Graph API with its token: proves the token can reach the number. */
export async function checkGraphCredentials(channel: ProviderChannel): Promise<CredentialsCheck> {
  const url = `${graphBaseUrl(channel)}/${graphApiVersion()}/${encodeURIComponent(channel.phoneNumberId)}?fields=display_phone_number,verified_name,quality_rating`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: `Bearer ${decryptSecret(channel.accessTokenCipher)}` }, signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    return { ok: false, error: `The Graph API at ${graphBaseUrl(channel)} could not be reached: ${(error as Error).message}` };
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = deliveryError((body as { error?: unknown } | null)?.error);
    return { ok: false, error: `${response.status}${error.code !== null ? `, code ${error.code}` : ""}: ${error.title ? `${error.title}. ` : ""}${error.meaning}` };
  }
  const number = phoneNumberSchema.safeParse(body);
  const found = number.success ? number.data : {};
  return { ok: true, displayPhoneNumber: found.display_phone_number ?? null, verifiedName: found.verified_name ?? null, qualityRating: found.quality_rating ?? null };
}
