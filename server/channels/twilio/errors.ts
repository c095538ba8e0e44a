// What Twilio's error codes mean for a WhatsApp message (a send's refusal, an ErrorCode on
// a failed or undelivered status), as DeliveryErrors. Codes from Twilio's error reference.
import { isRetriableKind, WINDOW_CLOSED_MEANING, type DeliveryError, type DeliveryErrorKind } from "../delivery-errors";

const CODES: Record<number, { kind: DeliveryErrorKind; meaning: string }> = {
  20003: { kind: "auth", meaning: "Twilio refused the Account SID and auth token: check them in Settings → WhatsApp numbers." },
  20404: { kind: "auth", meaning: "No such Twilio resource: check the Account SID." },
  20429: { kind: "rate_limit", meaning: "Too many requests to Twilio: slowed down and retried." },
  21211: { kind: "recipient", meaning: "The contact's number is not a valid phone number." },
  21408: { kind: "account", meaning: "The Twilio account may not send to this region." },
  21610: { kind: "recipient", meaning: "The contact unsubscribed from this sender." },
  21617: { kind: "invalid", meaning: "The message is longer than Twilio accepts." },
  21620: { kind: "media", meaning: "Twilio could not use the media link." },
  21655: { kind: "template", meaning: "Twilio has no Content template with this SID: refresh the number's templates and pick it again." },
  21656: { kind: "template", meaning: "The template's variables are invalid." },
  30001: { kind: "throughput", meaning: "Twilio's queue for the sender overflowed: slowed down and retried." },
  30003: { kind: "recipient", meaning: "The contact's phone is unreachable." },
  30005: { kind: "recipient", meaning: "The contact's number is unknown." },
  30007: { kind: "recipient", meaning: "The message was filtered before reaching the contact." },
  30008: { kind: "unknown", meaning: "Twilio could not deliver the message for an unknown reason." },
  63001: { kind: "auth", meaning: "WhatsApp refused the sender's credentials at Twilio." },
  63003: { kind: "recipient", meaning: "The contact is not on WhatsApp." },
  63005: { kind: "invalid", meaning: "WhatsApp did not accept the message's content." },
  63007: { kind: "account", meaning: "Twilio has no WhatsApp sender with this number: check the number in Settings → WhatsApp numbers." },
  63013: { kind: "account", meaning: "WhatsApp refused the message for a policy violation by the sender." },
  63015: { kind: "recipient", meaning: "The Twilio Sandbox only reaches numbers that joined it: the contact has to send the sandbox's join code first." },
  63016: { kind: "window_closed", meaning: WINDOW_CLOSED_MEANING },
  // Twilio gives one code for the sender's messages per second (80 by default; the sandbox takes one every 3 s), too many to one contact, and the portfolio's daily limit of new conversations.
  63018: { kind: "throughput", meaning: "The sender's WhatsApp rate limit was exceeded (its messages per second, messages to this contact, or the daily limit of business-initiated conversations): slowed down and retried." },
  63019: { kind: "media", meaning: "WhatsApp could not download the media from its link." },
  63024: { kind: "recipient", meaning: "The contact cannot receive WhatsApp messages from this sender." },
  63027: { kind: "template", meaning: "No such template in this language at Twilio." },
  63028: { kind: "template", meaning: "The template's variables do not match the number it expects." },
  63030: { kind: "invalid", meaning: "WhatsApp does not take one of the message's parameters." },
  63031: { kind: "invalid", meaning: "The sender and the recipient are the same number." },
  63038: { kind: "account", meaning: "The Twilio account reached its daily message limit (50 on a trial account): sends resume when the rolling 24 hours allow." },
  63032: { kind: "recipient", meaning: "Meta held the message back: the contact is part of an experiment." },
  63049: { kind: "recipient", meaning: "Meta chose not to deliver this marketing message." },
  63051: { kind: "account", meaning: "The WhatsApp Business Account is locked." },
};

export function twilioError(code: number | null, message: string | null): DeliveryError {
  const known = code === null ? undefined : CODES[code];
  const { kind, meaning } = known ?? { kind: "unknown" as const, meaning: code === null ? "Twilio refused the message without an error code." : `Twilio error ${code}.` };
  return { code, kind, meaning, title: message, details: null, retriable: isRetriableKind(kind) };
}
