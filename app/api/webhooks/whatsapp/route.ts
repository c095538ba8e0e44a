import { handleWebhookPost, respond } from "@/server/channels/webhook-route";
import { verifySubscription } from "@/server/channels/whatsapp/subscription";
import { whatsappCloudProvider } from "@/server/channels/whatsapp/provider";

export const dynamic = "force-dynamic";

/** Meta's subscription handshake. */
export async function GET(request: Request): Promise<Response> {
  return respond(await verifySubscription(new URL(request.url).searchParams));
}

export async function POST(request: Request): Promise<Response> {
  return handleWebhookPost(whatsappCloudProvider, request);
}
