import { clientAddress, overLimit, RATE_LIMITS, tooManyRequests } from "@/server/security/rate-limits";
import { receiveWebhook, verifySubscription, type IngressResponse } from "@/server/channels/whatsapp/ingress";

export const dynamic = "force-dynamic";

/** Meta's payloads are small; anything larger is refused before it is read into memory. */
const MAX_BODY_BYTES = 1024 * 1024;

function respond(result: IngressResponse): Response {
  return new Response(result.body, {
    status: result.status,
    headers: { "content-type": result.contentType ?? "application/json" },
  });
}

export async function GET(request: Request): Promise<Response> {
  return respond(await verifySubscription(new URL(request.url).searchParams));
}

export async function POST(request: Request): Promise<Response> {
  const wait = await overLimit(RATE_LIMITS.webhook, clientAddress(request.headers));
  if (wait !== null) return tooManyRequests(wait, "webhook deliveries from this address");
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) return respond({ status: 413, body: JSON.stringify({ error: "Body over 1 MiB." }) });
  const body = new Uint8Array(await request.arrayBuffer());
  if (body.byteLength > MAX_BODY_BYTES) return respond({ status: 413, body: JSON.stringify({ error: "Body over 1 MiB." }) });
  return respond(await receiveWebhook(body, request.headers.get("x-hub-signature-256")));
}
