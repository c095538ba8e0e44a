// Twilio's WhatsApp webhooks (form-encoded): incoming messages and status callbacks, read
// into the same messages and statuses as Meta's (flows/message.ts). Twilio names numbers
// "whatsapp:+<digits>"; a channel's phoneNumberId is the sender's digits.
import type { InboundDetails } from "@/flows/message";
import { WebhookPayloadError, type ParsedInbound, type ParsedStatus, type ParsedWebhook } from "../provider";
import { twilioError } from "./errors";

/** "whatsapp:+14155238886" → "14155238886". */
export function twilioNumber(address: string | null): string | null {
  const digits = address?.replace(/^whatsapp:/, "").replace(/\D/g, "") ?? "";
  return digits === "" ? null : digits;
}

const STATUSES: Record<string, ParsedStatus["status"]> = { sent: "sent", delivered: "delivered", read: "read", failed: "failed", undelivered: "failed" };

export function parseTwilioWebhook(params: URLSearchParams): ParsedWebhook {
  const get = (name: string) => {
    const value = params.get(name);
    return value === null || value === "" ? null : value;
  };
  const sid = get("MessageSid") ?? get("SmsMessageSid");
  if (!sid) throw new WebhookPayloadError("Not a Twilio messaging webhook: no MessageSid.");
  const result: ParsedWebhook = { phoneNumberIds: [], messages: [], statuses: [], errors: [], ignoredChanges: 0 };
  const status = get("MessageStatus");
  if (status && status !== "received") {
    // A status callback of a message the business sent: our number is the sender.
    const phoneNumberId = twilioNumber(get("From"));
    if (!phoneNumberId) throw new WebhookPayloadError("A Twilio status callback without From.");
    result.phoneNumberIds.push(phoneNumberId);
    const tracked = STATUSES[status];
    // queued, accepted, sending: not yet anything Parley tracks.
    if (!tracked) result.ignoredChanges++;
    else {
      const code = get("ErrorCode");
      const error = code !== null ? twilioError(Number(code), get("ErrorMessage")) : tracked === "failed" ? twilioError(null, null) : null;
      result.statuses.push({ wamid: sid, phoneNumberId, status: tracked, timestamp: new Date(), errors: code !== null ? [{ code: Number(code), message: get("ErrorMessage") }] : null, error });
    }
    return result;
  }
  const phoneNumberId = twilioNumber(get("To"));
  if (!phoneNumberId) throw new WebhookPayloadError("A Twilio message without To.");
  result.phoneNumberIds.push(phoneNumberId);
  result.messages.push(inbound(sid, phoneNumberId, get, params));
  return result;
}

function inbound(sid: string, phoneNumberId: string, get: (name: string) => string | null, params: URLSearchParams): ParsedInbound {
  const body = get("Body");
  const details: InboundDetails = {};
  let type = get("MessageType") ?? "text";
  let text = body;
  let replyId: string | null = null;
  const media = get("MediaUrl0");
  if (media) {
    const mimeType = get("MediaContentType0");
    if (!get("MessageType")) type = mimeType?.startsWith("image/") ? "image" : mimeType?.startsWith("audio/") ? "audio" : mimeType?.startsWith("video/") ? "video" : "document";
    // Twilio's media link, fetched with the account's credentials, stands for the media id.
    details.media = { id: media, mimeType, sha256: null, caption: body, filename: null };
  } else if (get("Latitude") && get("Longitude")) {
    type = "location";
    details.location = { latitude: Number(get("Latitude")), longitude: Number(get("Longitude")), name: get("Label"), address: get("Address"), url: null };
    text = get("Label") ?? get("Address");
  } else if (get("ButtonPayload") || get("ButtonText")) {
    // A quick reply button (of a template or an interactive message).
    type = "button";
    replyId = get("ButtonPayload");
    text = get("ButtonText") ?? body;
    details.reply = { kind: "template_button", id: replyId, title: text };
  } else if (get("ListId")) {
    type = "interactive";
    replyId = get("ListId");
    text = get("ListTitle") ?? body;
    details.reply = { kind: "list", id: replyId, title: text };
  } else if (type !== "text" || body === null) {
    details.unsupported = { reason: `Twilio delivered a “${type}” message without content Parley reads.` };
  }
  if (get("ReferralSourceUrl") || get("ReferralCtwaClid")) {
    details.referral = {
      sourceUrl: get("ReferralSourceUrl"),
      sourceType: get("ReferralSourceType"),
      sourceId: get("ReferralSourceId"),
      headline: get("ReferralHeadline"),
      body: get("ReferralBody"),
      mediaType: get("ReferralMediaContentType"),
      mediaUrl: get("ReferralMediaUrl"),
      ctwaClid: get("ReferralCtwaClid"),
    };
  }
  return {
    wamid: sid,
    phoneNumberId,
    waId: get("WaId") ?? twilioNumber(get("From")),
    bsuid: null,
    profileName: get("ProfileName"),
    type,
    text,
    replyId,
    details,
    sentAt: new Date(),
    raw: Object.fromEntries(params),
  };
}
