// What the webhook routes (app/api/webhooks/<provider>/route.ts) share: a rate limit per
// source address, a body cap, and the provider's ingress.
import { clientAddress, overLimit, RATE_LIMITS, tooManyRequests } from "@/server/security/rate-limits";
import { tracedRequest } from "@/server/observability/log";
import { receiveWebhook, type IngressResponse } from "./ingress";
import type { ChannelProvider } from "./provider";

/** Providers' payloads are small; anything larger is refused before it is read into memory. */
const MAX_BODY_BYTES = 1024 * 1024;

// Made only when needed: a Response costs a few microseconds, on every webhook otherwise.
const tooLarge = () => respond({ status: 413, body: JSON.stringify({ error: "Body over 1 MiB." }) });

export function respond(result: IngressResponse): Response {
  return new Response(result.body, { status: result.status, headers: { "content-type": result.contentType ?? "application/json" } });
}

export function handleWebhookPost(provider: ChannelProvider, request: Request): Promise<Response> {
  return tracedRequest(request, () => receive(provider, request));
}

async function receive(provider: ChannelProvider, request: Request): Promise<Response> {
  const wait = await overLimit(RATE_LIMITS.webhook, clientAddress(request.headers));
  if (wait !== null) return tooManyRequests(wait, "webhook deliveries from this address");
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) return tooLarge();
  const rawBody = new Uint8Array(await request.arrayBuffer());
  if (rawBody.byteLength > MAX_BODY_BYTES) return tooLarge();
  return respond(await receiveWebhook(provider, { rawBody, url: request.url, headers: request.headers }));
}
