import { handleWebhookPost } from "@/server/channels/webhook-route";
import { twilioProvider } from "@/server/channels/twilio/provider";

export const dynamic = "force-dynamic";

/** Twilio's incoming WhatsApp messages and status callbacks. */
export async function POST(request: Request): Promise<Response> {
  return handleWebhookPost(twilioProvider, request);
}
