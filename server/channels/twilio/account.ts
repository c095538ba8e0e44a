// What every call to Twilio shares: where each of its hosts is, and the account's credentials.
import { decryptSecret } from "@/server/security/secrets";
import type { ProviderChannel } from "../provider";

/** Twilio's hosts: the Messages API, the Messaging API (typing indicators) and the Content API (templates). */
const TWILIO_HOSTS = { api: "https://api.twilio.com", messaging: "https://messaging.twilio.com", content: "https://content.twilio.com" } as const;

/** The host's URL: the number's API URL, else TWILIO_API_URL (set for a test server or a proxy, it stands for all of Twilio's hosts), else Twilio's. */
export function twilioUrl(channel: { graphBaseUrl: string | null }, host: keyof typeof TWILIO_HOSTS): string {
  return (channel.graphBaseUrl ?? process.env.TWILIO_API_URL ?? TWILIO_HOSTS[host]).replace(/\/+$/, "");
}

export function basicAuth(channel: ProviderChannel): string {
  return `Basic ${Buffer.from(`${channel.accountId}:${decryptSecret(channel.accessTokenCipher)}`).toString("base64")}`;
}
