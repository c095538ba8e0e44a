// One JSON API call for the example nodes, through ctx.fetch (the server's SSRF-guarded
// HTTP): whatever happens, a result the node can branch on and trace, never a throw.
import { OutboundHttpError, type OutboundFetch, type OutboundRequest } from "@/flows/http/outbound";

export interface ApiResult {
  /** The HTTP status; null when no response came. */
  status: number | null;
  /** The parsed body; null when it is empty or not JSON. */
  json: unknown;
  /** Why no response came (timeout, connection refused, address refused by the SSRF policy). */
  failure: string | null;
}

const TIMEOUT_MS = 10_000;

export async function callJsonApi(fetch: OutboundFetch, request: Omit<OutboundRequest, "signal">): Promise<ApiResult> {
  try {
    const response = await fetch({ ...request, headers: { accept: "application/json", ...request.headers }, signal: AbortSignal.timeout(TIMEOUT_MS) });
    let json: unknown = null;
    try {
      json = response.body === "" ? null : JSON.parse(response.body);
    } catch {
      // An HTML error page from a proxy: the status says enough.
    }
    return { status: response.status, json, failure: null };
  } catch (error) {
    if (error instanceof OutboundHttpError) return { status: null, json: null, failure: error.kind === "timeout" ? `No answer within ${TIMEOUT_MS / 1000} s.` : error.message };
    throw error;
  }
}
