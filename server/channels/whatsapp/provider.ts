// Meta's WhatsApp Cloud API as a channel provider: JSON webhooks signed with
// X-Hub-Signature-256, sends and read receipts through the Graph API.
import type { ChannelProvider } from "../provider";
import { WebhookPayloadError } from "../provider";
import { checkGraphCredentials, markReadThroughGraph, sendThroughGraph } from "./graph-client";
import { downloadThroughGraph } from "./media";
import { isValidSignature } from "./signature";
import { listGraphTemplates, missingGraphTemplateSetup } from "./templates";
import { parseWebhook } from "./webhook-payload";

export const whatsappCloudProvider: ChannelProvider = {
  id: "whatsapp_cloud",
  title: "WhatsApp",
  webhookPath: "/api/webhooks/whatsapp",
  webhookSecretName: "app secret",
  parseWebhook(request) {
    let body: unknown;
    try {
      // PostgreSQL cannot store NUL in text or jsonb: drop it rather than fail the whole batch.
      body = JSON.parse(new TextDecoder().decode(request.rawBody), (_, value: unknown) => (typeof value === "string" ? value.replaceAll("\u0000", "") : value));
    } catch {
      throw new WebhookPayloadError("The body is not JSON.");
    }
    return parseWebhook(body);
  },
  verifyWebhook: (request, appSecret) => isValidSignature(request.rawBody, request.headers.get("x-hub-signature-256"), appSecret),
  acknowledge: ({ refused, ...counts }) => ({ status: 200, body: JSON.stringify({ ...counts, ...(refused.length > 0 ? { refused } : {}) }), contentType: "application/json" }),
  send: sendThroughGraph,
  checkCredentials: checkGraphCredentials,
  markRead: markReadThroughGraph,
  downloadMedia: downloadThroughGraph,
  templates: { missingSetup: missingGraphTemplateSetup, list: listGraphTemplates },
};
