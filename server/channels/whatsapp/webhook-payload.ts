// The WhatsApp Cloud API webhook envelope (whatsapp.md facts 3–6), parsed leniently:
// unknown fields pass through, unknown message types are kept as "unsupported"
// rather than dropped, and every entry, change, message and status of a batch is read.
import { z } from "zod";

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

export interface ParsedInbound {
  wamid: string;
  phoneNumberId: string;
  /** The sender's phone number, absent when they hide it behind a username. */
  waId: string | null;
  /** Business-scoped user id (whatsapp.md fact 9). */
  bsuid: string | null;
  profileName: string | null;
  type: string;
  text: string | null;
  replyId: string | null;
  sentAt: Date;
  raw: Record<string, unknown>;
}

export interface ParsedStatus {
  wamid: string;
  phoneNumberId: string;
  status: string;
  timestamp: Date;
  errors: unknown[] | null;
}

export interface ParsedWebhook {
  phoneNumberIds: string[];
  messages: ParsedInbound[];
  statuses: ParsedStatus[];
  /** Changes of other fields (account updates, template statuses…) that Parley does not act on yet. */
  ignoredChanges: number;
}

export class WebhookPayloadError extends Error {
  name = "WebhookPayloadError";
}

export function parseWebhook(body: unknown): ParsedWebhook {
  const envelope = webhookEnvelopeSchema.safeParse(body);
  if (!envelope.success) throw new WebhookPayloadError(`Not a WhatsApp webhook: ${z.prettifyError(envelope.error)}`);
  if (envelope.data.object !== "whatsapp_business_account") {
    throw new WebhookPayloadError(`Unexpected object “${envelope.data.object}”: expected whatsapp_business_account.`);
  }
  const result: ParsedWebhook = { phoneNumberIds: [], messages: [], statuses: [], ignoredChanges: 0 };
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
        result.statuses.push({
          wamid: status.id,
          phoneNumberId,
          status: status.status,
          timestamp: fromUnixSeconds(status.timestamp),
          errors: status.errors ?? null,
        });
      }
    }
  }
  result.phoneNumberIds = [...numbers];
  return result;
}

function fromUnixSeconds(value: string | undefined): Date {
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : new Date();
}

type RawMessage = z.infer<typeof messageSchema>;
type RawContact = z.infer<typeof contactSchema>;

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

const MEDIA_TYPES = new Set(["image", "audio", "video", "document", "sticker"]);

function normaliseMessage(message: RawMessage, phoneNumberId: string, contact: RawContact | undefined): ParsedInbound {
  let body: string | null = null;
  let replyId: string | null = null;
  switch (message.type) {
    case "text":
      body = text(message, "text", "body");
      break;
    case "interactive": {
      const kind = text(message, "interactive", "type");
      if (kind === "button_reply" || kind === "list_reply") {
        body = text(message, "interactive", kind, "title");
        replyId = text(message, "interactive", kind, "id");
      } else if (kind === "nfm_reply") {
        body = text(message, "interactive", "nfm_reply", "response_json");
      }
      break;
    }
    case "button":
      body = text(message, "button", "text");
      replyId = text(message, "button", "payload");
      break;
    case "reaction":
      body = text(message, "reaction", "emoji");
      break;
    case "location":
      body = text(message, "location", "name") ?? text(message, "location", "address");
      break;
    default:
      if (MEDIA_TYPES.has(message.type)) body = text(message, message.type, "caption");
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
    sentAt: fromUnixSeconds(message.timestamp),
    raw: message,
  };
}
