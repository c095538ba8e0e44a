import { authenticateApiKey } from "@/server/security/api-keys";
import { overLimit, RATE_LIMITS, tooManyRequests } from "@/server/security/rate-limits";
import { acceptApiEvent } from "@/server/triggers/api-events";
import { tracedRequest } from "@/server/observability/log";

export const dynamic = "force-dynamic";

const MAX_BODY_BYTES = 64 * 1024;

const json = (status: number, body: unknown) => Response.json(body, { status });

/** POST /api/events — starts the flow listening to an event, for one contact. See docs/api-events.md. */
export function POST(request: Request): Promise<Response> {
  return tracedRequest(request, () => acceptEvent(request));
}

async function acceptEvent(request: Request): Promise<Response> {
  const caller = await authenticateApiKey(request.headers.get("authorization"));
  if (!caller) return json(401, { error: "Send a valid API key: Authorization: Bearer pk_… (Settings → API keys)." });
  const wait = await overLimit(RATE_LIMITS.events, caller.keyId);
  if (wait !== null) return tooManyRequests(wait, "events with this key");
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) return json(413, { error: "The event is over 64 KB." });
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) return json(413, { error: "The event is over 64 KB." });
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    return json(400, { error: "The body is not JSON." });
  }
  const outcome = await acceptApiEvent(caller.workspaceId, payload);
  return json(outcome.status, outcome.body);
}
