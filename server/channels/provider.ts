// The one interface between Parley and a provider carrying WhatsApp numbers (Meta's Cloud
// API, Twilio…). A provider reads and verifies its webhooks and sends one message; the
// rest is shared by all: storing every message once, statuses in any order, the 24-hour
// window, pacing, retries, idempotency (./ingress.ts, ./send.ts). A new provider is one
// folder implementing this, listed in ./providers.ts (docs/channels.md).
import type { InboundDetails, OutboundMessage } from "@/flows/message";
import type { DeliveryError } from "./delivery-errors";
import type { DownloadedMedia } from "./media";

export type ProviderId = "whatsapp_cloud" | "twilio";

/** A webhook POST as the route received it. */
export interface WebhookRequest {
  rawBody: Uint8Array;
  /** The URL the provider called (some sign it). */
  url: string;
  headers: Headers;
}

/** One message a contact sent, normalised into the flow language's message model. */
export interface ParsedInbound {
  /** The provider's message id: unique, so a redelivery is stored once. */
  wamid: string;
  /** The channel's `phoneNumberId` the message arrived on. */
  phoneNumberId: string;
  /** The sender's phone number (digits), absent when they hide it behind a username. */
  waId: string | null;
  /** Business-scoped user id (whatsapp.md fact 9). */
  bsuid: string | null;
  profileName: string | null;
  type: string;
  text: string | null;
  replyId: string | null;
  /** Media, place, contact cards, the reply chosen, reaction, ad referral… (flows/message.ts). */
  details: InboundDetails;
  sentAt: Date;
  raw: Record<string, unknown>;
}

/** A delivery status of a message the business sent. */
export interface ParsedStatus {
  wamid: string;
  phoneNumberId: string;
  status: "sent" | "delivered" | "read" | "failed";
  timestamp: Date;
  /** The provider's errors as received (kept on the status event). */
  errors: unknown[] | null;
  /** The first error with its meaning (kept on the message). */
  error: DeliveryError | null;
}

export interface ParsedWebhook {
  /** The channels' `phoneNumberId`s the webhook names. */
  phoneNumberIds: string[];
  messages: ParsedInbound[];
  statuses: ParsedStatus[];
  /** Errors the provider reports for a number as a whole, not about one message. */
  errors: { phoneNumberId: string; error: DeliveryError }[];
  /** Changes Parley does not act on (Meta: account updates, template statuses…). */
  ignoredChanges: number;
}

/** A webhook body that is not what the provider sends: answered 400, nothing stored. */
export class WebhookPayloadError extends Error {
  name = "WebhookPayloadError";
}

/**
 * Whom a send goes to: the contact's phone number (digits) when Parley knows it, else the
 * business-scoped user id they write from behind a username (whatsapp.md fact 9).
 */
export type Recipient = { phone: string } | { userId: string };

/** What a provider needs of a channel to send through it and list its templates. */
export interface ProviderChannel {
  id: string;
  phoneNumberId: string;
  accountId: string | null;
  graphBaseUrl: string | null;
  accessTokenCipher: string;
  /** Meta's WhatsApp Business Account, which holds the number's templates. */
  wabaId: string | null;
}

/**
 * A message template as a provider lists it, its parts in the shape of Meta's components
 * (HEADER, BODY, FOOTER, BUTTONS), so the template cache, the reply node's picker and
 * broadcasts read every provider's templates alike (../channels/templates.ts).
 */
export interface ListedTemplate {
  name: string;
  language: string;
  /** APPROVED, PENDING, REJECTED, PAUSED…: only approved ones can be sent. */
  status: string;
  category: string | null;
  components: Record<string, unknown>[];
  /** The provider's own id for it when it sends templates by id (Twilio's Content SID); null when by name. */
  providerTemplateId: string | null;
}

/** A provider would not list the number's templates: the message says why and what to do. */
export class TemplateListError extends Error {
  name = "TemplateListError";
}

export type ProviderSendResult =
  | { ok: true; messageId: string }
  | {
      ok: false;
      /** The HTTP status of the refusal. */
      status: number;
      error: DeliveryError;
      /** Seconds the provider asked to wait (Retry-After). */
      retryAfterSeconds: number | null;
    };

export type CredentialsCheck =
  | { ok: true; displayPhoneNumber: string | null; verifiedName: string | null; qualityRating: string | null }
  | { ok: false; error: string };

export interface ChannelProvider {
  id: ProviderId;
  /** What the settings page calls it. */
  title: string;
  /** The webhook route the provider posts to (the callback URL's path). */
  webhookPath: string;
  /** What the number's webhook secret is called where people find it ("app secret", "auth token"). */
  webhookSecretName: string;
  /** Reads a webhook POST; throws WebhookPayloadError when it is not the provider's. */
  parseWebhook(request: WebhookRequest): ParsedWebhook;
  /** Whether the POST is signed with the channel's webhook secret (its app secret or auth token). */
  verifyWebhook(request: WebhookRequest, secret: string): boolean;
  /** The answer the provider expects for a delivery Parley took. */
  acknowledge(taken: { messages: number; statuses: number; refused: { wamid: string; reason: string }[] }): { status: number; body: string; contentType: string };
  /**
   * Sends one message to `to`. A refusal comes back as a result, with its meaning and
   * whether it is worth retrying; a lost connection throws.
   */
  send(channel: ProviderChannel, to: Recipient, message: OutboundMessage): Promise<ProviderSendResult>;
  /** Asks the provider about the number with its credentials: do they work, and what does it call the number? */
  checkCredentials(channel: ProviderChannel): Promise<CredentialsCheck>;
  /**
   * Downloads a medium a contact sent, by the id its webhook gave (`message.media.id`: Meta's
   * media id, Twilio's media link). Throws MediaDownloadError (./media.ts) when it cannot.
   */
  downloadMedia(channel: ProviderChannel, mediaId: string): Promise<DownloadedMedia>;
  /** Marks an inbound message read, with a typing indicator where the provider has one. Best effort. */
  markRead?(channel: ProviderChannel, messageId: string): Promise<void>;
  /** The number's message templates, cached by ./templates.ts. */
  templates: {
    /** What the number lacks before its templates can be listed (Meta: its WABA id), or null. */
    missingSetup(channel: ProviderChannel): string | null;
    /** Every template of the number, read from the provider; throws TemplateListError when it refuses. */
    list(channel: ProviderChannel): Promise<ListedTemplate[]>;
  };
}
