// Twilio's WhatsApp as a channel provider: form-encoded webhooks signed with
// X-Twilio-Signature, sends through its Messages API. The channel's phoneNumberId is the
// sender's number (digits), accountId its Account SID, and both secrets its auth token.
// Its templates are the account's Content API templates approved for WhatsApp.
import { z } from "zod";
import { fetchMedia, MediaDownloadError } from "../media";
import type { ChannelProvider } from "../provider";
import { listContentTemplates, missingContentTemplateSetup } from "./content";
import { basicAuth, twilioUrl } from "./account";
import { markReadThroughTwilio, sendThroughTwilio } from "./messages";
import { isValidTwilioSignature } from "./signature";
import { parseTwilioWebhook } from "./webhook";

const form = (rawBody: Uint8Array) => new URLSearchParams(new TextDecoder().decode(rawBody).replaceAll("\u0000", ""));

/** The URLs Twilio may have signed: the one the app saw, and the same path on its public address. */
function signedUrls(url: string): string[] {
  const seen = new URL(url);
  return process.env.NEXTAUTH_URL ? [url, new URL(seen.pathname + seen.search, process.env.NEXTAUTH_URL).toString()] : [url];
}

const accountSchema = z.looseObject({ friendly_name: z.string().optional(), status: z.string().optional() });

export const twilioProvider: ChannelProvider = {
  id: "twilio",
  title: "Twilio",
  webhookPath: "/api/webhooks/twilio",
  webhookSecretName: "auth token",
  parseWebhook: (request) => parseTwilioWebhook(form(request.rawBody)),
  verifyWebhook: (request, authToken) => isValidTwilioSignature(request.headers.get("x-twilio-signature"), authToken, signedUrls(request.url), form(request.rawBody)),
  // Empty TwiML: Parley answers through the Messages API, not in the webhook's response.
  acknowledge: () => ({ status: 200, body: "<Response/>", contentType: "text/xml" }),
  send: sendThroughTwilio,
  markRead: markReadThroughTwilio,
  templates: { missingSetup: missingContentTemplateSetup, list: listContentTemplates },
  // The "media id" is Twilio's media link: read with the account's credentials, which go to Twilio's own API only.
  async downloadMedia(channel, link) {
    if (!link.startsWith(`${twilioUrl(channel, "api")}/`)) throw new MediaDownloadError(`The media link ${link} is not on Twilio's API (${twilioUrl(channel, "api")}).`, false);
    return fetchMedia(link, { authorization: basicAuth(channel) }, "Twilio's media link");
  },
  async checkCredentials(channel) {
    if (!channel.accountId) return { ok: false, error: "Set the number's Twilio Account SID." };
    const url = `${twilioUrl(channel, "api")}/2010-04-01/Accounts/${encodeURIComponent(channel.accountId)}.json`;
    let response: Response;
    try {
      response = await fetch(url, { headers: { authorization: basicAuth(channel) }, signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      return { ok: false, error: `Twilio at ${twilioUrl(channel, "api")} could not be reached: ${(error as Error).message}` };
    }
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) return { ok: false, error: `${response.status}: ${(body as { message?: string } | null)?.message ?? "Twilio refused the Account SID and auth token."}` };
    const account = accountSchema.safeParse(body);
    const status = account.success ? account.data.status : undefined;
    if (status && status !== "active") return { ok: false, error: `The Twilio account is ${status}.` };
    return { ok: true, displayPhoneNumber: `+${channel.phoneNumberId}`, verifiedName: account.success ? (account.data.friendly_name ?? null) : null, qualityRating: null };
  },
};
