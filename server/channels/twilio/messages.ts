// Sends through Twilio's Messages API: POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json,
// form-encoded, with the Account SID and auth token as Basic credentials. Templates go as
// their Content SID with ContentVariables (./content.ts). Twilio sends interactive WhatsApp
// messages only as Content API templates, so reply buttons and lists go as text with
// numbered options (the Ask node accepts an option's number or title).
import { z } from "zod";
import { outboundText, type OutboundMessage } from "@/flows/message";
import { db } from "@/server/db/client";
import type { ProviderChannel, ProviderSendResult, Recipient } from "../provider";
import { ChannelSendError } from "../send-error";
import { basicAuth, twilioUrl } from "./account";
import { contentFields, type ContentTemplate } from "./content";
import { twilioError } from "./errors";

/** The form fields of one message (a template's from its cached Content template), or why Twilio cannot carry it. */
export function toTwilioForm(from: string, to: string, message: OutboundMessage, template: ContentTemplate | null = null): URLSearchParams | { refused: string } {
  const form = new URLSearchParams({ From: `whatsapp:+${from}`, To: `whatsapp:+${to}` });
  switch (message.type) {
    case "text":
      form.set("Body", message.text);
      break;
    case "image":
    case "video":
    case "audio":
    case "document":
      if (!message.url) return { refused: "Twilio sends media by link only: an id uploaded to Meta means nothing to it." };
      form.set("MediaUrl", message.url);
      if ("caption" in message && message.caption) form.set("Body", message.caption);
      break;
    case "buttons":
      form.set("Body", numbered(message.body, message.buttons.map((button) => button.title), message.footer));
      break;
    case "list":
      form.set("Body", numbered(message.body, message.sections.flatMap((section) => section.rows.map((row) => (row.description ? `${row.title} — ${row.description}` : row.title))), message.footer));
      break;
    case "location":
      form.set("Body", outboundText(message) ?? "");
      form.set("PersistentAction", `geo:${message.latitude},${message.longitude}${message.name ? `|${message.name}` : ""}`);
      break;
    case "template": {
      const content = contentFields(template, message);
      if ("refused" in content) return content;
      form.set("ContentSid", content.ContentSid);
      form.set("ContentVariables", content.ContentVariables);
      break;
    }
    case "reaction":
      return { refused: "Twilio's Messages API does not send WhatsApp reactions." };
  }
  return form;
}

function numbered(body: string, options: string[], footer: string | undefined): string {
  return [body, "", ...options.map((option, index) => `${index + 1}. ${option}`), ...(footer ? ["", footer] : [])].join("\n");
}

const createdSchema = z.looseObject({ sid: z.string().min(1) });
const errorSchema = z.looseObject({ code: z.number().optional(), message: z.string().optional() });

export async function sendThroughTwilio(channel: ProviderChannel, to: Recipient, message: OutboundMessage): Promise<ProviderSendResult> {
  if (!channel.accountId) return { ok: false, status: 400, error: { ...twilioError(20404, null), meaning: "Set the number's Twilio Account SID in Settings → WhatsApp numbers." }, retryAfterSeconds: null };
  if (!("phone" in to)) return { ok: false, status: 400, error: { ...twilioError(21211, null), details: "Twilio addresses contacts by phone number; this contact has only a WhatsApp user id." }, retryAfterSeconds: null };
  // Twilio knows a template by its Content SID, which the number's template cache holds by name and language.
  const template =
    message.type === "template"
      ? await db().messageTemplate.findUnique({
          where: { channelId_name_language: { channelId: channel.id, name: message.name, language: message.language } },
          select: { name: true, status: true, providerTemplateId: true, components: true },
        })
      : null;
  const form = toTwilioForm(channel.phoneNumberId, to.phone, message, template);
  if ("refused" in form) return { ok: false, status: 400, error: { ...twilioError(null, null), kind: "template", meaning: form.refused }, retryAfterSeconds: null };
  // Status callbacks come back to Parley's public address when it knows it (else the sender's setting in Twilio applies).
  if (process.env.NEXTAUTH_URL) form.set("StatusCallback", new URL("/api/webhooks/twilio", process.env.NEXTAUTH_URL).toString());
  const url = `${twilioUrl(channel, "api")}/2010-04-01/Accounts/${encodeURIComponent(channel.accountId)}/Messages.json`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { authorization: basicAuth(channel), "content-type": "application/x-www-form-urlencoded" },
      body: form,
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new ChannelSendError(`Twilio unreachable at ${url}: ${(error as Error).message}`, true);
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.ok) {
    const created = createdSchema.safeParse(body);
    if (!created.success) throw new ChannelSendError(`Unexpected Twilio answer: ${JSON.stringify(body)?.slice(0, 200)}`, true);
    return { ok: true, messageId: created.data.sid };
  }
  const refusal = errorSchema.safeParse(body);
  const error = twilioError(refusal.success ? (refusal.data.code ?? null) : null, refusal.success ? (refusal.data.message ?? null) : `HTTP ${response.status}`);
  const retryAfter = Number(response.headers.get("retry-after"));
  return { ok: false, status: response.status, error, retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null };
}

/**
 * Twilio's typing indicator (public beta): marks the contact's message read and shows
 * "typing…" until the answer arrives or 25 seconds pass, as Meta's read receipt does.
 */
export async function markReadThroughTwilio(channel: ProviderChannel, messageSid: string): Promise<void> {
  const url = `${twilioUrl(channel, "messaging")}/v2/Indicators/Typing.json`;
  const response = await fetch(url, {
    method: "POST",
    headers: { authorization: basicAuth(channel), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ messageId: messageSid, channel: "whatsapp" }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new ChannelSendError(`Twilio refused the typing indicator: ${response.status} ${(await response.text()).slice(0, 200)}`, false);
}
