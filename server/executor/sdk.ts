// Calls to the app's serve handler: the request the real Inngest server would send (protocol
// doc §3) and the interpretation of its reply.
import { parseRetryAfter } from "./ids";
import { opsSchema, sdkErrorSchema, type Json, type Op, type RunEvent } from "./schemas";
import { canonicalJson, signBody } from "./signing";

export interface CallRequest {
  /** The function's registered URL (`…?fnId=<id>&stepId=step`). */
  url: string;
  /** "step" for discovery, or the hashed id of a planned step. */
  stepId: string;
  runId: string;
  event: RunEvent;
  steps: Record<string, Json>;
  stack: string[];
  attempt: number;
  maxAttempts: number;
  disableImmediateExecution: boolean;
  /** -1 lets the SDK choose; afterwards the version it answered with. */
  requestVersion: number;
  /**
   * Sent as ctx.fn_id / ctx.qi_id: the SDK then checkpoints (protocol doc §5), POSTing each
   * step result to /v1/checkpoint/<run>/async while it keeps running the function. qi_id is
   * the worker's lease token, so a checkpoint is persisted only under the live lease.
   */
  checkpoint?: { fnId: string; queueItemId: string };
}

export type CallOutcome =
  | { kind: "complete"; output: Json }
  | { kind: "ops"; ops: Op[]; retryAfterMs: number | null }
  | { kind: "error"; retriable: boolean; error: Json; retryAfterMs: number | null };

export interface CallResult {
  outcome: CallOutcome;
  /** x-inngest-req-version of the reply, when present. */
  requestVersion: number | null;
}

/** How requests reach the serve handler: `fetch` over HTTP, or a handler in this process (ExecutorOptions.transport). */
export type Transport = (url: URL, init: RequestInit & { signal: AbortSignal }) => Promise<Response>;

export async function callFunction(
  request: CallRequest,
  signingKey: string,
  signal: AbortSignal,
  transport: Transport = fetch,
): Promise<CallResult> {
  const url = new URL(request.url);
  url.searchParams.set("stepId", request.stepId);
  // With ctx.fn_id the SDK checkpoints (protocol doc §5 option c; see worker.ts checkpoint):
  // step results arrive on /v1/checkpoint and are persisted before the SDK goes on. Without it
  // (option a) every result comes back in the reply.
  const body = canonicalJson({
    event: request.event,
    events: [request.event],
    steps: request.steps,
    ctx: {
      run_id: request.runId,
      ...(request.checkpoint ? { fn_id: request.checkpoint.fnId, qi_id: request.checkpoint.queueItemId } : {}),
      attempt: request.attempt,
      max_attempts: request.maxAttempts,
      disable_immediate_execution: request.disableImmediateExecution,
      use_api: false,
      stack: { stack: request.stack, current: request.stack.length },
    },
    version: request.requestVersion,
  });
  let response: Response;
  let text: string;
  try {
    response = await transport(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-inngest-signature": signBody(body, signingKey),
        "x-inngest-req-version": String(request.requestVersion),
        "x-run-id": request.runId,
        "x-inngest-step-id": request.stepId,
      },
      body,
      signal,
    });
    text = await response.text();
  } catch (error) {
    if (signal.aborted) throw error;
    // A network failure is a retriable attempt, like any 5xx.
    return {
      outcome: { kind: "error", retriable: true, error: errorJson("NetworkError", messageOf(error)), retryAfterMs: null },
      requestVersion: null,
    };
  }
  const versionHeader = Number(response.headers.get("x-inngest-req-version"));
  const requestVersion = Number.isInteger(versionHeader) && versionHeader > 0 ? versionHeader : null;
  const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
  const parsed = parseJson(text);

  if (response.status === 200) {
    return { outcome: { kind: "complete", output: parsed.ok ? parsed.value : text }, requestVersion };
  }
  if (response.status === 206) {
    const ops = parsed.ok ? opsSchema.safeParse(parsed.value) : null;
    if (ops?.success) return { outcome: { kind: "ops", ops: ops.data, retryAfterMs }, requestVersion };
    return {
      outcome: {
        kind: "error",
        retriable: true,
        error: errorJson("ProtocolError", `Unexpected 206 body from the SDK: ${text.slice(0, 200)}`),
        retryAfterMs: null,
      },
      requestVersion,
    };
  }
  // Errors: the SDK says whether to retry in x-inngest-no-retry (400 = no retry, 500 = retry).
  const noRetry = response.headers.get("x-inngest-no-retry") === "true";
  const error = parsed.ok && sdkErrorSchema.safeParse(parsed.value).success
    ? parsed.value
    : errorJson("Error", `HTTP ${response.status} from the serve handler: ${text.slice(0, 500)}`);
  return { outcome: { kind: "error", retriable: !noRetry, error, retryAfterMs }, requestVersion };
}

export function errorJson(name: string, message: string): Json {
  return { name, message };
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return error.message + cause;
  }
  return String(error);
}

function parseJson(text: string): { ok: true; value: Json } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as Json };
  } catch {
    return { ok: false };
  }
}
