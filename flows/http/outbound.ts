// Outbound HTTP as nodes see it: the request and response shapes of `ctx.fetch` and the
// typed error it throws when there is no response to give. The server implements the call
// under its SSRF policy (server/security/outbound-http.ts); flows/testing.ts passes it
// through to the network for unit tests.

/** Why a request produced no usable response. */
export type OutboundFailureKind =
  /** The URL, scheme or an address is not allowed; retrying cannot help. */
  | "refused"
  /** DNS failure, connection refused or reset: worth retrying. */
  | "network"
  | "timeout"
  | "too-large"
  | "too-many-redirects"
  /** The request itself is malformed (bad URL, a header value with a line break). */
  | "invalid-request";

export class OutboundHttpError extends Error {
  constructor(
    readonly kind: OutboundFailureKind,
    message: string,
  ) {
    super(message);
    this.name = "OutboundHttpError";
  }
}

export interface OutboundRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Aborts resolution, connection, redirects and reading the body (e.g. AbortSignal.timeout). */
  signal?: AbortSignal;
}

export interface OutboundResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The body decoded as UTF-8. */
  body: string;
  /** The URL that answered, after redirects. */
  url: string;
  redirects: number;
}

/** Sends one request; resolves whatever the status, rejects with an OutboundHttpError when no response came. */
export type OutboundFetch = (request: OutboundRequest) => Promise<OutboundResponse>;

const SECRET_PARAMETER = /token|key|secret|password|passwd|pwd|auth|signature|sig|credential|session/i;

/**
 * The URL with the values of secret-looking query parameters (token, api_key, secret,
 * password…) and any user-info password replaced by ***; the rest is kept as written.
 * Works on strings that are not valid URLs too, since those end up in errors as well.
 */
export function redactUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*:)[^/?#@]*@/i, "$1***@")
    .replace(/([?&;])([^=&#;]*)=([^&#;]*)/g, (whole, separator: string, name: string) =>
      SECRET_PARAMETER.test(decodeSafely(name)) ? `${separator}${name}=***` : whole,
    );
}

function decodeSafely(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return value;
  }
}
