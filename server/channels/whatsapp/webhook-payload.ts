// The WhatsApp Cloud API webhook envelope (whatsapp.md facts 3–6), parsed leniently:
// unknown fields pass through, unknown message types are kept as "unsupported"
// rather than dropped, and every entry, change, message and status of a batch is read.
import { z } from "zod";
import type { InboundDetails } from "@/flows/message";
import { WebhookPayloadError, type ParsedInbound, type ParsedStatus, type ParsedWebhook } from "../provider";
import { deliveryError } from "./errors";

const contactSchema = z.looseObject({
  wa_id: z.string().optional(),
  user_id: z.string().optional(),
  profile: z.looseObject({ name: z.string().optional() }).optional(),
});

const messageSchema = z.looseObject({
  id: z.string().min(1),
  from: z.string().optional(),
  from_user_id: z.string().optional(),
  timestamp: z.string().optional(),
  type: z.string().default("unsupported"),
});

const statusSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  timestamp: z.string().optional(),
  recipient_id: z.string().optional(),
  errors: z.array(z.unknown()).optional(),
});

const valueSchema = z.looseObject({
  messaging_product: z.string().optional(),
  metadata: z.looseObject({ phone_number_id: z.string(), display_phone_number: z.string().optional() }).optional(),
  contacts: z.array(contactSchema).optional(),
  messages: z.array(messageSchema).optional(),
  statuses: z.array(statusSchema).optional(),
  errors: z.array(z.unknown()).optional(),
});

export const webhookEnvelopeSchema = z.object({
  object: z.string(),
  entry: z.array(
    z.looseObject({
      id: z.string().optional(),
      changes: z.array(z.looseObject({ field: z.string(), value: z.unknown() })).default([]),
    }),
  ),
});

export function parseWebhook(body: unknown): ParsedWebhook {
  const envelope = webhookEnvelopeSchema.safeParse(body);
  if (!envelope.success) throw new WebhookPayloadError(`Not a WhatsApp webhook: ${z.prettifyError(envelope.error)}`);
  if (envelope.data.object !== "whatsapp_business_account") {
    throw new WebhookPayloadError(`Unexpected object “${envelope.data.object}”: expected whatsapp_business_account.`);
  }
  const result: ParsedWebhook = { phoneNumberIds: [], messages: [], statuses: [], errors: [], ignoredChanges: 0 };
  const numbers = new Set<string>();
  for (const entry of envelope.data.entry) {
    for (const change of entry.changes) {
      if (change.field !== "messages") {
        result.ignoredChanges++;
        continue;
      }
      const value = valueSchema.safeParse(change.value);
      if (!value.success) throw new WebhookPayloadError(`Malformed “messages” change: ${z.prettifyError(value.error)}`);
      const phoneNumberId = value.data.metadata?.phone_number_id;
      if (!phoneNumberId) throw new WebhookPayloadError("A “messages” change has no metadata.phone_number_id.");
      numbers.add(phoneNumberId);
      const contacts = value.data.contacts ?? [];
      for (const message of value.data.messages ?? []) {
        const contact =
          contacts.find((c) => (c.wa_id && c.wa_id === message.from) || (c.user_id && c.user_id === message.from_user_id)) ??
          (contacts.length === 1 ? contacts[0] : undefined);
        result.messages.push(normaliseMessage(message, phoneNumberId, contact));
      }
      for (const status of value.data.statuses ?? []) {
        // Other statuses Meta may add ("deleted", "warning") change nothing Parley tracks.
        if (!isTrackedStatus(status.status)) continue;
        result.statuses.push({
          wamid: status.id,
          phoneNumberId,
          status: status.status,
          timestamp: fromUnixSeconds(status.timestamp),
          errors: status.errors ?? null,
          error: status.errors && status.errors.length > 0 ? deliveryError(status.errors[0]) : null,
        });
      }
      for (const error of value.data.errors ?? []) result.errors.push({ phoneNumberId, error: deliveryError(error) });
    }
  }
  result.phoneNumberIds = [...numbers];
  return result;
}

function isTrackedStatus(status: string): status is ParsedStatus["status"] {
  return status === "sent" || status === "delivered" || status === "read" || status === "failed";
}

function fromUnixSeconds(value: string | undefined): Date {
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : new Date();
}

type RawMessage = z.infer<typeof messageSchema>;
type RawContact = z.infer<typeof contactSchema>;

const nullableText = z.string().nullish().transform((value) => value ?? null);

const mediaSchema = z.looseObject({
  id: z.string().min(1),
  mime_type: nullableText,
  sha256: nullableText,
  caption: nullableText,
  filename: nullableText,
  voice: z.boolean().optional(),
  animated: z.boolean().optional(),
});

const coordinate = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);
const locationSchema = z.looseObject({ latitude: coordinate, longitude: coordinate, name: nullableText, address: nullableText, url: nullableText });

const sharedContactSchema = z.looseObject({
  name: z.looseObject({ formatted_name: nullableText, first_name: nullableText, last_name: nullableText }).optional(),
  phones: z.array(z.looseObject({ phone: z.string().optional(), wa_id: nullableText, type: nullableText })).optional(),
  emails: z.array(z.looseObject({ email: z.string().optional() })).optional(),
  org: z.looseObject({ company: nullableText }).optional(),
});

const replySchema = z.looseObject({ id: z.string(), title: nullableText, description: nullableText });

const referralSchema = z.looseObject({
  source_url: nullableText,
  source_type: nullableText,
  source_id: nullableText,
  headline: nullableText,
  body: nullableText,
  media_type: nullableText,
  image_url: nullableText,
  video_url: nullableText,
  ctwa_clid: nullableText,
});

const MEDIA_TYPES = new Set(["image", "audio", "video", "document", "sticker"]);

/** What the flow language reads of one message: its text, reply id and details. */
interface Normalised {
  text: string | null;
  replyId: string | null;
  details: InboundDetails;
}

/** A part of the message that does not read as its type promises: kept, and said why. */
function malformed(type: string, error: z.ZodError): Normalised {
  return { text: null, replyId: null, details: { unsupported: { reason: `A ${type} message Parley could not read: ${z.prettifyError(error)}` } } };
}

function normaliseContent(message: RawMessage): Normalised {
  const none: Normalised = { text: null, replyId: null, details: {} };
  const part = (message as Record<string, unknown>)[message.type];
  if (MEDIA_TYPES.has(message.type)) {
    const media = mediaSchema.safeParse(part);
    if (!media.success) return malformed(message.type, media.error);
    const { id, mime_type, sha256, caption, filename, voice, animated } = media.data;
    return {
      text: caption,
      replyId: null,
      details: { media: { id, mimeType: mime_type, sha256, caption, filename, ...(voice !== undefined ? { voice } : {}), ...(animated !== undefined ? { animated } : {}) } },
    };
  }
  switch (message.type) {
    case "text":
      return { ...none, text: text(message, "text", "body") };
    case "location": {
      const location = locationSchema.safeParse(part);
      if (!location.success) return malformed("location", location.error);
      const { latitude, longitude, name, address, url } = location.data;
      return { ...none, text: name ?? address, details: { location: { latitude, longitude, name, address, url } } };
    }
    case "contacts": {
      const cards = z.array(sharedContactSchema).min(1).safeParse(part);
      if (!cards.success) return malformed("contacts", cards.error);
      const contacts = cards.data.map((card) => ({
        name: card.name?.formatted_name ?? ([card.name?.first_name, card.name?.last_name].filter(Boolean).join(" ") || null),
        phones: (card.phones ?? []).filter((p) => p.phone).map((p) => ({ phone: p.phone!, waId: p.wa_id, type: p.type })),
        emails: (card.emails ?? []).flatMap((e) => (e.email ? [e.email] : [])),
        organization: card.org?.company ?? null,
      }));
      const names = contacts.map((c) => c.name).filter((name): name is string => Boolean(name));
      return { ...none, text: names.length > 0 ? names.join(", ") : null, details: { contacts } };
    }
    case "interactive": {
      const kind = text(message, "interactive", "type");
      if (kind === "button_reply" || kind === "list_reply") {
        const reply = replySchema.safeParse(field(message, "interactive", kind));
        if (!reply.success) return malformed("interactive", reply.error);
        const { id, title, description } = reply.data;
        return {
          text: title,
          replyId: id,
          details: { reply: { kind: kind === "button_reply" ? "button" : "list", id, title, ...(kind === "list_reply" ? { description } : {}) } },
        };
      }
      if (kind === "nfm_reply") {
        const json = text(message, "interactive", "nfm_reply", "response_json");
        let response: Record<string, unknown> | undefined;
        try {
          const value: unknown = json === null ? undefined : JSON.parse(json);
          if (typeof value === "object" && value !== null && !Array.isArray(value)) response = value as Record<string, unknown>;
        } catch {
          // Kept as the text below; the flow sees no parsed response.
        }
        return { ...none, text: json, details: { reply: { kind: "flow", id: null, title: text(message, "interactive", "nfm_reply", "body"), ...(response ? { response } : {}) } } };
      }
      return { ...none, details: { unsupported: { reason: `Interactive messages of type “${kind ?? "none"}” are not read by Parley.` } } };
    }
    case "button": {
      const title = text(message, "button", "text");
      const payload = text(message, "button", "payload");
      return { text: title, replyId: payload, details: { reply: { kind: "template_button", id: payload, title } } };
    }
    case "reaction": {
      const emoji = text(message, "reaction", "emoji");
      // An empty emoji takes the reaction off.
      return { ...none, text: emoji || null, details: { reaction: { messageId: text(message, "reaction", "message_id"), emoji: emoji || null } } };
    }
    case "system": {
      const body = text(message, "system", "body");
      const system = { kind: text(message, "system", "type"), body, newWaId: text(message, "system", "wa_id") ?? text(message, "system", "new_wa_id"), newUserId: text(message, "system", "user_id") };
      return { ...none, text: body, details: { system } };
    }
    case "unsupported": {
      const errors = field(message, "errors");
      const first = Array.isArray(errors) ? errors[0] : undefined;
      const reason = text(first, "error_data", "details") ?? text(first, "title") ?? text(first, "message") ?? "WhatsApp did not pass this message type to the API.";
      return { ...none, details: { unsupported: { reason } } };
    }
    default:
      return { ...none, details: { unsupported: { reason: `“${message.type}” messages are not read by Parley yet.` } } };
  }
}

function normaliseMessage(message: RawMessage, phoneNumberId: string, contact: RawContact | undefined): ParsedInbound {
  const { text: body, replyId, details } = normaliseContent(message);
  const referral = referralSchema.safeParse(field(message, "referral"));
  if (referral.success) {
    const r = referral.data;
    details.referral = {
      sourceUrl: r.source_url,
      sourceType: r.source_type,
      sourceId: r.source_id,
      headline: r.headline,
      body: r.body,
      mediaType: r.media_type,
      mediaUrl: r.image_url ?? r.video_url,
      ctwaClid: r.ctwa_clid,
    };
  }
  return {
    wamid: message.id,
    phoneNumberId,
    waId: message.from ?? contact?.wa_id ?? null,
    bsuid: message.from_user_id ?? contact?.user_id ?? null,
    profileName: contact?.profile?.name ?? null,
    type: message.type,
    text: body,
    replyId,
    details,
    sentAt: fromUnixSeconds(message.timestamp),
    raw: message,
  };
}

function field(object: unknown, ...path: string[]): unknown {
  let current: unknown = object;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function text(object: unknown, ...path: string[]): string | null {
  const value = field(object, ...path);
  return typeof value === "string" ? value : null;
}
