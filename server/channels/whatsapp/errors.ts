// What WhatsApp Cloud API error codes mean, for people and for code: a send's refusal and
// a "failed" status webhook are recorded on the Message with their meaning, and the sender
// decides from the kind whether to retry. Codes from Meta's Cloud API error reference.
import { z } from "zod";
import { isRetriableKind, WINDOW_CLOSED_MEANING, type DeliveryError, type DeliveryErrorKind } from "../delivery-errors";

interface CodeMeaning {
  kind: DeliveryErrorKind;
  meaning: string;
}

const CODES: Record<number, CodeMeaning> = {
  0: { kind: "auth", meaning: "The access token could not be authenticated." },
  1: { kind: "temporary", meaning: "Unknown error on Meta's side: try again later." },
  2: { kind: "temporary", meaning: "Meta's service is temporarily unavailable." },
  3: { kind: "auth", meaning: "The app lacks the capability or permission for this call." },
  4: { kind: "rate_limit", meaning: "The app made too many API calls: slowed down and retried." },
  10: { kind: "auth", meaning: "Permission denied: the token lacks whatsapp_business_messaging or the number is not in its WABA." },
  100: { kind: "invalid", meaning: "A parameter of the request is invalid." },
  190: { kind: "auth", meaning: "The access token expired or is invalid: set a new one in Settings → WhatsApp numbers." },
  368: { kind: "account", meaning: "The account is temporarily blocked for policy violations." },
  80007: { kind: "rate_limit", meaning: "The WhatsApp Business Account reached its API rate limit: slowed down and retried." },
  130429: { kind: "throughput", meaning: "The number's throughput (messages per second) was exceeded: slowed down and retried." },
  130472: { kind: "recipient", meaning: "Meta held the message back: the contact is part of an experiment." },
  130497: { kind: "account", meaning: "The business account may not message contacts in this country." },
  131000: { kind: "temporary", meaning: "Something went wrong on Meta's side: try again later." },
  131005: { kind: "auth", meaning: "Access denied: check the token's permissions." },
  131008: { kind: "invalid", meaning: "A required parameter is missing." },
  131009: { kind: "invalid", meaning: "A parameter value is invalid." },
  131016: { kind: "temporary", meaning: "Meta's service is temporarily unavailable." },
  131021: { kind: "recipient", meaning: "The recipient is the sending number itself." },
  131026: { kind: "recipient", meaning: "Undeliverable: the contact is not on WhatsApp, has not accepted its terms, or uses an old version." },
  131031: { kind: "account", meaning: "The business account is locked." },
  131042: { kind: "account", meaning: "A payment problem with the business account." },
  131045: { kind: "account", meaning: "The number's certificate is wrong: register the number again." },
  131047: { kind: "window_closed", meaning: WINDOW_CLOSED_MEANING },
  131048: { kind: "account", meaning: "Spam rate limit: too many of the number's messages were blocked or reported." },
  131049: { kind: "recipient", meaning: "Meta chose not to deliver this marketing message, to keep the contact's experience healthy." },
  131050: { kind: "recipient", meaning: "The contact stopped marketing messages from this business." },
  131051: { kind: "invalid", meaning: "WhatsApp does not support this message type." },
  131052: { kind: "media", meaning: "The contact's media could not be downloaded." },
  131053: { kind: "media", meaning: "The media could not be uploaded: check its link and type." },
  131056: { kind: "pair_rate", meaning: "Too many messages to this contact in a short time (pair rate): slowed down and retried." },
  131057: { kind: "throughput", meaning: "The number is in maintenance (a throughput upgrade): retried later." },
  131062: { kind: "recipient", meaning: "This message cannot go to a contact known only by their business-scoped user id (one-tap, zero-tap and copy-code authentication templates need a phone number)." },
  132000: { kind: "template", meaning: "The template's parameters do not match the number it expects." },
  132001: { kind: "template", meaning: "No such template in this language: check its name and language in WhatsApp Manager." },
  132005: { kind: "template", meaning: "The template with its parameters is too long." },
  132007: { kind: "template", meaning: "The template's text breaks WhatsApp's format policy." },
  132012: { kind: "template", meaning: "A template parameter has the wrong format." },
  132015: { kind: "template", meaning: "The template is paused for low quality." },
  132016: { kind: "template", meaning: "The template is disabled." },
  133004: { kind: "temporary", meaning: "Meta's server is temporarily unavailable." },
  133010: { kind: "account", meaning: "The number is not registered with the Cloud API." },
  135000: { kind: "unknown", meaning: "WhatsApp refused the message for an unknown reason." },
};

export function errorMeaning(code: number | null | undefined): CodeMeaning & { retriable: boolean } {
  const known = code === null || code === undefined ? undefined : CODES[code];
  const meaning = known ?? { kind: "unknown" as const, meaning: code === null || code === undefined ? "WhatsApp refused the message without an error code." : `WhatsApp error ${code}.` };
  return { ...meaning, retriable: isRetriableKind(meaning.kind) };
}

const metaErrorSchema = z.looseObject({
  code: z.number().optional(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
});

/**
 * A DeliveryError from one of Meta's error objects: an entry of a status webhook's
 * `errors[]` or the `error` of a Graph API answer. Unreadable input still gives a record.
 */
export function deliveryError(raw: unknown): DeliveryError {
  const parsed = metaErrorSchema.safeParse(raw);
  const error = parsed.success ? parsed.data : {};
  const code = error.code ?? null;
  const { kind, meaning, retriable } = errorMeaning(code);
  return {
    code,
    kind,
    meaning,
    title: error.title ?? error.message ?? null,
    details: error.error_data?.details ?? (error.title && error.message && error.message !== error.title ? error.message : null),
    retriable,
  };
}
