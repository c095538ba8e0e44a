// The message model nodes read and write, independent of the channel's wire format.
import { z } from "zod";

/** An image, audio, video, document or sticker the contact sent: the server downloads it by id. */
export const inboundMediaSchema = z.object({
  /** The channel's media id (WhatsApp: GET /{media-id} with the channel's token gives a short-lived link). */
  id: z.string(),
  mimeType: z.string().nullable(),
  sha256: z.string().nullable(),
  caption: z.string().nullable(),
  /** Documents: the file's name. */
  filename: z.string().nullable(),
  /** Audio recorded as a voice note. */
  voice: z.boolean().optional(),
  /** Animated stickers. */
  animated: z.boolean().optional(),
  /** A link to the file kept by Parley, for HTTP nodes and models: anyone holding it can open it for 7 days. */
  url: z.string().optional(),
});

export const inboundLocationSchema = z.object({
  latitude: z.number(),
  longitude: z.number(),
  name: z.string().nullable(),
  address: z.string().nullable(),
  url: z.string().nullable(),
});

/** A contact card the contact shared. */
export const sharedContactSchema = z.object({
  name: z.string().nullable(),
  phones: z.array(z.object({ phone: z.string(), waId: z.string().nullable(), type: z.string().nullable() })),
  emails: z.array(z.string()),
  organization: z.string().nullable(),
});

/** The contact answered with a button, a list row, a template's quick reply button or a WhatsApp Flow. */
export const inboundReplySchema = z.object({
  kind: z.enum(["button", "list", "template_button", "flow"]),
  /** The button's or row's id; a template button's payload; null for a WhatsApp Flow. */
  id: z.string().nullable(),
  title: z.string().nullable(),
  /** List rows: the row's description. */
  description: z.string().nullable().optional(),
  /** WhatsApp Flows: the answers the form sent back. */
  response: z.record(z.string(), z.unknown()).optional(),
});

/** An emoji put on (or taken off: emoji null) one of the business's messages. */
export const inboundReactionSchema = z.object({ messageId: z.string().nullable(), emoji: z.string().nullable() });

/** The ad or post a click-to-WhatsApp contact came from. */
export const inboundReferralSchema = z.object({
  sourceUrl: z.string().nullable(),
  sourceType: z.string().nullable(),
  sourceId: z.string().nullable(),
  headline: z.string().nullable(),
  body: z.string().nullable(),
  mediaType: z.string().nullable(),
  mediaUrl: z.string().nullable(),
  /** Click id for ad conversion tracking. */
  ctwaClid: z.string().nullable(),
});

/** A notice from WhatsApp itself, such as the contact changing their number. */
/** WhatsApp's notice; on a change of number or of business-scoped user id (`user_changed_number`, `user_changed_user_id`), the contact's new one. */
export const inboundSystemSchema = z.object({
  kind: z.string().nullable(),
  body: z.string().nullable(),
  newWaId: z.string().nullable(),
  // Messages stored before user id changes were read have none.
  newUserId: z.string().nullable().default(null),
});

/**
 * What a message holds beyond its text, as the flow language reads it (`{{message.media.id}}`,
 * `{{message.location.latitude}}`…). Each field is present only for the kinds that have it.
 */
export const inboundDetailsSchema = z.object({
  media: inboundMediaSchema.optional(),
  location: inboundLocationSchema.optional(),
  contacts: z.array(sharedContactSchema).optional(),
  reply: inboundReplySchema.optional(),
  reaction: inboundReactionSchema.optional(),
  referral: inboundReferralSchema.optional(),
  system: inboundSystemSchema.optional(),
  /** A message Parley cannot read (a type WhatsApp does not deliver to the API, or a new one): kept, with why. */
  unsupported: z.object({ reason: z.string() }).optional(),
});
export type InboundDetails = z.infer<typeof inboundDetailsSchema>;

export const inboundMessageSchema = inboundDetailsSchema.extend({
  /** Parley's Message id. */
  id: z.string(),
  /** The channel's message type: text, image, audio, video, document, sticker, location, contacts, interactive, button, reaction, system, unsupported… */
  type: z.string(),
  /** What the customer wrote or chose: the text, a button/list title, a caption, a place's name, a reaction's emoji. */
  text: z.string().nullable(),
  /** Id of the chosen reply button or list row (a template button's payload), when the message is such a reply. */
  replyId: z.string().nullable(),
  receivedAt: z.string(),
});
export type InboundMessage = z.infer<typeof inboundMessageSchema>;

/**
 * A phone number as WhatsApp names contacts (wa_id): country code and number, digits only.
 * Spaces, dashes, brackets and a leading + are dropped, so "+34 600-000-001" is accepted.
 */
export const phoneNumberSchema = z
  .string()
  .transform((phone) => phone.replace(/[\s().+-]/g, ""))
  .pipe(z.string().regex(/^[1-9]\d{7,14}$/, "a phone number with its country code, like +34 600 000 001"));

/**
 * What WhatsApp accepts (docs/whatsapp.md facts 12–13). Node configs check their templates
 * against these at design time; the outbound schema checks the rendered message again, since
 * a variable can make a text longer than its template.
 */
export const WHATSAPP_LIMITS = {
  text: 4096,
  caption: 1024,
  interactiveBody: 1024,
  headerText: 60,
  footerText: 60,
  buttons: 3,
  buttonTitle: 20,
  replyId: 256,
  listButtonLabel: 20,
  listSections: 10,
  listRows: 10,
  sectionTitle: 24,
  rowTitle: 24,
  rowDescription: 72,
} as const;

const L = WHATSAPP_LIMITS;

const httpUrl = z
  .string()
  .max(2048)
  .refine((value) => /^https?:\/\/[^\s/]+\.[^\s]*$/i.test(value), "a public http(s) link WhatsApp can download");

const replyIdSchema = z.string().min(1).max(L.replyId, `ids hold at most ${L.replyId} characters`);

/** True when `values` has no repeats, comparing as WhatsApp does (titles ignore case). */
function unique(values: string[], fold: (value: string) => string = (value) => value): boolean {
  return new Set(values.map(fold)).size === values.length;
}
const foldTitle = (title: string) => title.trim().toLowerCase();

export const replyButtonSchema = z.object({
  id: replyIdSchema,
  title: z.string().trim().min(1, "give the button a title").max(L.buttonTitle, `button titles hold at most ${L.buttonTitle} characters`),
});

export const listRowSchema = z.object({
  id: replyIdSchema,
  title: z.string().trim().min(1, "give the row a title").max(L.rowTitle, `row titles hold at most ${L.rowTitle} characters`),
  description: z.string().max(L.rowDescription, `row descriptions hold at most ${L.rowDescription} characters`).optional(),
});

export const listSectionSchema = z.object({
  title: z.string().max(L.sectionTitle, `section titles hold at most ${L.sectionTitle} characters`).optional(),
  rows: z.array(listRowSchema).min(1, "a section needs at least one row"),
});

const interactiveBody = z.string().min(1, "write the text above the options").max(L.interactiveBody, `the body holds at most ${L.interactiveBody} characters`);
const headerText = z.string().max(L.headerText, `the header holds at most ${L.headerText} characters`).optional();
const footerText = z.string().max(L.footerText, `the footer holds at most ${L.footerText} characters`).optional();
const caption = z.string().max(L.caption, `captions hold at most ${L.caption} characters`).optional();

/** Media goes out by a public link WhatsApp downloads, or by the id of a file uploaded to the number (POST /{phone_number_id}/media). */
const mediaSource = { url: httpUrl.optional(), mediaId: z.string().regex(/^\d{1,40}$/, "an uploaded media id: the digits Meta answered the upload with").optional() };
const oneSource = (media: { url?: string; mediaId?: string }) => Boolean(media.url) !== Boolean(media.mediaId);
const ONE_SOURCE = { message: "give either a link or an uploaded media id", path: ["url"] };

export const outboundMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text"), text: z.string().min(1, "the text is empty").max(L.text, `texts hold at most ${L.text} characters`), previewUrl: z.boolean().optional() }),
  z.object({ type: z.literal("image"), ...mediaSource, caption }).refine(oneSource, ONE_SOURCE),
  z.object({ type: z.literal("video"), ...mediaSource, caption }).refine(oneSource, ONE_SOURCE),
  // WhatsApp plays audio as a voice note: it takes no caption.
  z.object({ type: z.literal("audio"), ...mediaSource }).refine(oneSource, ONE_SOURCE),
  z.object({ type: z.literal("document"), ...mediaSource, caption, filename: z.string().min(1).max(240).optional() }).refine(oneSource, ONE_SOURCE),
  z.object({
    type: z.literal("buttons"),
    body: interactiveBody,
    header: headerText,
    footer: footerText,
    buttons: z
      .array(replyButtonSchema)
      .min(1, "add at least one button")
      .max(L.buttons, `at most ${L.buttons} buttons`)
      .refine((buttons) => unique(buttons.map((b) => b.title), foldTitle), "button titles must differ")
      .refine((buttons) => unique(buttons.map((b) => b.id)), "button ids must differ"),
  }),
  z.object({
    type: z.literal("list"),
    body: interactiveBody,
    header: headerText,
    footer: footerText,
    button: z.string().min(1, "name the button that opens the list").max(L.listButtonLabel, `the list button label holds at most ${L.listButtonLabel} characters`),
    sections: z
      .array(listSectionSchema)
      .min(1, "add at least one section")
      .max(L.listSections, `at most ${L.listSections} sections`)
      .refine((sections) => sections.flatMap((s) => s.rows).length <= L.listRows, `at most ${L.listRows} rows in all sections together`)
      .refine((sections) => unique(sections.flatMap((s) => s.rows.map((r) => r.id))), "row ids must differ")
      .refine((sections) => sections.length === 1 || sections.every((s) => s.title), "with several sections each needs a title"),
  }),
  z.object({
    type: z.literal("location"),
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    name: z.string().max(1000).optional(),
    address: z.string().max(1000).optional(),
  }),
  z.object({
    type: z.literal("template"),
    /** The approved template's name in WhatsApp Manager. */
    name: z.string().regex(/^[a-z0-9_]{1,512}$/, "template names use lowercase letters, digits and '_'"),
    /** Its language code, e.g. "en_US" or "es". */
    language: z.string().regex(/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/, 'a language code such as "en_US" or "es"'),
    /** Values for the body's {{1}}, {{2}}…, in order. */
    bodyParameters: z.array(z.string().min(1, "template parameters cannot be empty").max(32768)).max(100),
    /** The header's one parameter: its {{1}} text, or the media a media header shows. */
    header: z
      .discriminatedUnion("type", [
        z.object({ type: z.literal("text"), text: z.string().min(1, "the header parameter is empty").max(60, "header parameters hold at most 60 characters") }),
        z.object({ type: z.enum(["image", "video", "document"]), url: httpUrl }),
      ])
      .optional(),
    /** Parameters of its buttons, by position: a dynamic link's URL suffix, or the payload a quick reply sends back. */
    buttons: z
      .array(z.object({ index: z.number().int().min(0).max(9), subType: z.enum(["url", "quick_reply"]), value: z.string().min(1, "button parameters cannot be empty").max(2000) }))
      .max(10)
      .optional(),
  }),
  z.object({
    type: z.literal("reaction"),
    /** Parley's id of the contact's message to react to (the one being answered: `{{message.id}}`). */
    messageId: z.string().min(1),
    /** One emoji; empty takes the reaction back. */
    emoji: z.string().max(16, "a reaction is one emoji"),
    /** The provider's id of that message: filled in by sendMessage from `messageId`. */
    wamid: z.string().optional(),
  }),
]);
export type OutboundMessage = z.infer<typeof outboundMessageSchema>;

/** What a person reading the transcript should see of an outbound message. */
export function outboundText(message: OutboundMessage): string | null {
  switch (message.type) {
    case "text":
      return message.text;
    case "image":
    case "video":
    case "document":
      return message.caption ?? null;
    case "audio":
      return null;
    case "buttons":
      return `${message.body}\n${message.buttons.map((b) => `[${b.title}]`).join(" ")}`;
    case "list":
      return `${message.body}\n[${message.button}]`;
    case "location":
      return message.name ?? message.address ?? `${message.latitude}, ${message.longitude}`;
    case "template":
      return `template ${message.name} (${message.language})`;
    case "reaction":
      return message.emoji ? `reacted ${message.emoji}` : "reaction removed";
  }
}

/**
 * WhatsApp's customer service window (whatsapp.md fact 15): free-form messages only within
 * 24 hours of the contact's last message; approved templates at any time.
 */
export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Whether WhatsApp refuses `message` outside the customer service window: all but templates. */
export function isFreeForm(message: OutboundMessage): boolean {
  return message.type !== "template";
}

/**
 * What a send came to: the message was sent (or had been, on a replay), or it was refused
 * before reaching WhatsApp because the contact's 24-hour window is closed.
 */
export interface SendOutcome {
  messageId: string;
  windowClosed?: { lastInboundAt: string | null };
}

/**
 * `ctx.send` of a free-form message outside the 24-hour window: nothing was sent. A node
 * with a connected “window closed” output continues there (with a template, say); otherwise
 * the node fails.
 */
export class WindowClosedError extends Error {
  name = "WindowClosedError";
  constructor(readonly lastInboundAt: string | null) {
    super(
      `Not sent: the contact ${lastInboundAt ? `last wrote at ${lastInboundAt}, over 24 hours ago` : "has never written"}, so WhatsApp's 24-hour window is closed and only an approved template can reach them. Connect the node's “window closed” output to a template message.`,
    );
  }
}

/** The output a node sending free-form messages offers for WindowClosedError; the runtime follows it when connected. */
export const WINDOW_CLOSED_PORT = { id: "window_closed", label: "window closed" } as const;

export interface ContactInfo {
  id: string;
  name: string | null;
  /** The WhatsApp id (phone number), or null when only a business-scoped user id is known. */
  waId: string | null;
}
