// Meta-shaped webhooks to the live number the e2e server runs (E2E_CHANNEL), signed with its
// app secret as Meta signs them, for the specs that play the customer's side.
import { createHmac } from "node:crypto";
import { whatsappWebhookEnvelope } from "../server/channels/whatsapp/envelope";
import { E2E_CHANNEL } from "./env";

/** A one-message text webhook's body, from `from` (shown as `name`), with its wamid. */
export function textWebhookBody(from: string, text: string, options: { name?: string; wamid?: string } = {}): string {
  return messageWebhookBody(from, { type: "text", text: { body: text } }, options);
}

/** A one-message webhook's body: `message` is its type and the type's object (`{ type: "image", image: {…} }`). */
export function messageWebhookBody(from: string, message: Record<string, unknown>, options: { name?: string; wamid?: string } = {}): string {
  const wamid = options.wamid ?? `wamid.E2E.${from}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}`;
  return JSON.stringify(
    whatsappWebhookEnvelope(
      { phoneNumberId: E2E_CHANNEL.phoneNumberId, displayPhoneNumber: "15550001234" },
      { contacts: [{ profile: { name: options.name ?? "Eve" }, wa_id: from }], messages: [{ from, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), ...message }] },
      "WABA-E2E",
    ),
  );
}

/** X-Hub-Signature-256 of `body`, with the number's app secret unless told otherwise. */
export function signature(body: string, secret = E2E_CHANNEL.appSecret): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Options for Playwright's `request.post` of a signed webhook body. */
export function signedPost(body: string) {
  return { data: body, headers: { "content-type": "application/json", "x-hub-signature-256": signature(body) } };
}
