// Meta's webhook subscription handshake (whatsapp.md fact 1): Meta names no number, so the
// channel is found by its verify token's hash.
import { db } from "@/server/db/client";
import { sha256Hex } from "@/server/security/secrets";
import { json, type IngressResponse } from "../ingress";

/** Meta's subscription handshake: echo the challenge when the verify token is a channel's. */
export async function verifySubscription(params: URLSearchParams): Promise<IngressResponse> {
  const mode = params.get("hub.mode");
  const token = params.get("hub.verify_token");
  const challenge = params.get("hub.challenge");
  if (mode !== "subscribe" || !token || challenge === null) {
    return json(400, { error: "Expected hub.mode=subscribe, hub.verify_token and hub.challenge." });
  }
  const channel = await db().channel.findUnique({ where: { verifyTokenHash: sha256Hex(token) }, select: { id: true } });
  if (!channel) return json(403, { error: "The verify token matches no channel." });
  return { status: 200, body: challenge, contentType: "text/plain" };
}
