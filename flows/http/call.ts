// One API call of a node (the HTTP request node, the lookup node): the request with its
// retries and the response mapping. Nodes run it inside one memoized step, so a replay of
// the run reuses the outcome instead of calling the API again. Everything returned here is
// JSON and kept small (it is stored with the run and shown in the trace).
import { OutboundHttpError, type OutboundFailureKind, type OutboundFetch } from "./outbound";
import { parseResponsePath, readResponsePath } from "./response-path";

/** Response bodies shown in the trace (and kept with the run) are cut to this many bytes. */
export const TRACE_BODY_BYTES = 4 * 1024;
/** First retry after about this long, doubling each time. */
export const RETRY_BASE_DELAY_MS = 250;
/** A Retry-After longer than this is not waited for in full: the contact is waiting too. */
export const MAX_RETRY_AFTER_MS = 5_000;

export interface HttpCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  retries: number;
  mapping: { variable: string; path: string }[];
  /** A path that must hold a value (not null, not an empty list) for the answer to count as found. */
  foundWhen?: string;
}

export interface HttpCallOutcome {
  ok: boolean;
  /** The last HTTP status, or null when no response arrived. */
  status: number | null;
  durationMs: number;
  attempts: number;
  /** The response body, cut to TRACE_BODY_BYTES. */
  response: string;
  responseTruncated: boolean;
  /** Mapped variables and their values; null when the path found nothing. */
  variables: Record<string, unknown>;
  /** Variables whose path found nothing in the response. */
  missing: string[];
  /** Whether `foundWhen` holds a value; absent when the call had no `foundWhen` or failed. */
  found?: boolean;
  error: string | null;
}

type Attempt =
  | { kind: "response"; status: number; body: string; retryAfterMs: number | null }
  | { kind: "failure"; failure: OutboundFailureKind; message: string };

/** Calls the API through `fetch` (the node's `ctx.fetch`: the server's SSRF-guarded client). */
export async function callHttpApi(call: HttpCall, fetch: OutboundFetch): Promise<HttpCallOutcome> {
  const started = Date.now();
  let attempt: Attempt;
  let attempts = 0;
  for (;;) {
    attempt = await sendAttempt(call, fetch);
    attempts++;
    if (attempts > call.retries || !retryable(attempt)) break;
    await sleep(retryDelay(attempts, attempt));
  }
  const durationMs = Date.now() - started;
  const after = attempts > 1 ? ` after ${attempts} attempts` : "";

  if (attempt.kind === "failure") {
    return { ok: false, status: null, durationMs, attempts, response: "", responseTruncated: false, variables: {}, missing: [], error: attempts > 1 ? `${attempt.message} (after ${attempts} attempts)` : attempt.message };
  }
  const { text: response, truncated: responseTruncated } = truncateUtf8(attempt.body, TRACE_BODY_BYTES);
  const base = { status: attempt.status, durationMs, attempts, response, responseTruncated };
  if (attempt.status < 200 || attempt.status > 299) {
    return { ...base, ok: false, variables: {}, missing: [], error: `The API answered with status ${attempt.status}${after}.` };
  }
  if (call.mapping.length === 0 && !call.foundWhen) return { ...base, ok: true, variables: {}, missing: [], error: null };

  let document: unknown;
  try {
    document = JSON.parse(attempt.body);
  } catch (error) {
    return { ...base, ok: false, variables: {}, missing: [], error: `The response is not JSON, so the variables cannot be read from it (${(error as Error).message}).` };
  }
  const variables: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const { variable, path } of call.mapping) {
    const segments = parseResponsePath(path);
    const value = segments ? readResponsePath(document, segments) : undefined;
    if (value === undefined) missing.push(variable);
    variables[variable] = value ?? null;
  }
  if (!call.foundWhen) return { ...base, ok: true, variables, missing, error: null };
  const segments = parseResponsePath(call.foundWhen);
  const evidence = segments ? readResponsePath(document, segments) : undefined;
  const found = evidence !== undefined && evidence !== null && !(Array.isArray(evidence) && evidence.length === 0);
  return { ...base, ok: true, variables, missing, found, error: null };
}

async function sendAttempt(call: HttpCall, fetch: OutboundFetch): Promise<Attempt> {
  try {
    const response = await fetch({
      method: call.method,
      url: call.url,
      headers: call.headers,
      body: call.body,
      signal: AbortSignal.timeout(call.timeoutMs),
    });
    return { kind: "response", status: response.status, body: response.body, retryAfterMs: retryAfterMs(response.headers["retry-after"]) };
  } catch (error) {
    if (error instanceof OutboundHttpError) {
      const message = error.kind === "timeout" ? `No response within ${call.timeoutMs} ms.` : error.message;
      return { kind: "failure", failure: error.kind, message };
    }
    throw error;
  }
}

/**
 * Network errors, 5xx and 429 are retried. A timeout is not: the API may still be working on
 * a request that took too long (a POST could be applied twice), and each retry would make
 * the contact wait the whole timeout again.
 */
function retryable(attempt: Attempt): boolean {
  if (attempt.kind === "failure") return attempt.failure === "network";
  return attempt.status === 429 || attempt.status >= 500;
}

function retryDelay(attemptsSoFar: number, attempt: Attempt): number {
  const backoff = RETRY_BASE_DELAY_MS * 2 ** (attemptsSoFar - 1);
  const jitter = Math.random() * RETRY_BASE_DELAY_MS;
  const requested = attempt.kind === "response" && attempt.retryAfterMs !== null ? Math.min(attempt.retryAfterMs, MAX_RETRY_AFTER_MS) : 0;
  return Math.max(backoff + jitter, requested);
}

/** Retry-After in seconds or as an HTTP date. */
function retryAfterMs(header: string | undefined): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** At most `maxBytes` of UTF-8, never cutting a character in half. */
export function truncateUtf8(text: string, maxBytes: number): { text: string; truncated: boolean } {
  if (Buffer.byteLength(text, "utf8") <= maxBytes) return { text, truncated: false };
  let cut = text.slice(0, maxBytes);
  while (Buffer.byteLength(cut, "utf8") > maxBytes) cut = cut.slice(0, -1);
  // Do not leave half of a surrogate pair at the end.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return { text: cut, truncated: true };
}
