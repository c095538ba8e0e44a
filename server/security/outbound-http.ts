// Outbound HTTP on behalf of flows (nodes call it as `ctx.fetch`: the HTTP request node,
// the lookup node), guarded against server-side request forgery: a flow author must not be
// able to make Parley call its own database, the cloud metadata service or anything else on
// the private network.
//
// - Only http and https.
// - The host is resolved once (every address) and refused if any address is loopback,
//   private, link-local, unspecified, multicast or otherwise special-purpose, unless
//   PARLEY_HTTP_ALLOWLIST names the host or a range holding the address (self-hosted APIs).
//   The connection then goes to exactly the addresses that were checked, so a DNS answer
//   that changes between the check and the connect (rebinding) cannot slip through.
// - Cloud metadata addresses are refused even when an allowlisted range covers them.
// - Redirects are followed by hand (at most 5), each hop checked like the first; headers
//   the flow set (API keys) are dropped when a redirect leaves the original origin.
// - Response bodies are capped at 1 MB after decompression.
//
// Node's built-in modules are loaded lazily with bundler-ignored imports, so a bundle that
// reaches this module by accident never runs them; the server resolves them from Node itself.
import ipaddr from "ipaddr.js";
import type * as Dns from "node:dns";
import type * as Http from "node:http";
import type * as Https from "node:https";
import type * as Net from "node:net";
import type * as Zlib from "node:zlib";
import { OutboundHttpError, redactUrl, type OutboundRequest, type OutboundResponse } from "@/flows/http/outbound";

// The request and error types are the flow language's (flows/http/outbound.ts): nodes branch on them.
export { OutboundHttpError, redactUrl, type OutboundFailureKind, type OutboundRequest, type OutboundResponse } from "@/flows/http/outbound";

export const MAX_REDIRECTS = 5;
export const MAX_RESPONSE_BYTES = 1024 * 1024;
export const ALLOWLIST_ENV = "PARLEY_HTTP_ALLOWLIST";

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface OutboundHttpOptions {
  /** Comma-separated hosts and CIDRs; read from PARLEY_HTTP_ALLOWLIST when omitted. */
  allowlist?: string;
  /** Resolves a host name to every address it has; node:dns lookup when omitted. */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
  maxRedirects?: number;
  maxResponseBytes?: number;
}

// ---------------------------------------------------------------------------------------
// Address policy

type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * Instance metadata endpoints hand out cloud credentials. Some are outside the special
 * ranges (Azure's wire server is a public address), and none is a reasonable target for a
 * bot, so they are refused even when an allowlisted range covers them.
 */
const CLOUD_METADATA_ADDRESSES = new Set(
  [
    "169.254.169.254", // AWS, GCP, Azure, OpenStack, DigitalOcean…
    "169.254.170.2", // AWS ECS task metadata
    "169.254.169.253", // AWS DNS resolver
    "100.100.100.200", // Alibaba Cloud
    "168.63.129.16", // Azure wire server
    "192.0.0.192", // Oracle Cloud
    "fd00:ec2::254", // AWS over IPv6
  ].map((address) => ipaddr.parse(address).toNormalizedString()),
);

const RANGE_DESCRIPTIONS: Record<string, string> = {
  loopback: "a loopback address",
  private: "a private address",
  uniqueLocal: "a private (unique local) address",
  linkLocal: "a link-local address",
  unspecified: "the unspecified address",
  multicast: "a multicast address",
  broadcast: "the broadcast address",
  carrierGradeNat: "a shared (carrier-grade NAT) address",
  reserved: "a reserved address",
};

export interface Allowlist {
  hosts: Set<string>;
  /** Suffixes from `*.example.com` entries, stored as ".example.com". */
  hostSuffixes: string[];
  ranges: [IpAddress, number][];
}

/** Parses PARLEY_HTTP_ALLOWLIST: `api.internal, *.corp.example, 10.20.0.0/16, 127.0.0.1`. */
export function parseAllowlist(value: string | undefined): Allowlist {
  const allowlist: Allowlist = { hosts: new Set(), hostSuffixes: [], ranges: [] };
  for (const raw of (value ?? "").split(",")) {
    const entry = raw.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
    if (!entry) continue;
    if (ipaddr.isValidCIDR(entry)) {
      allowlist.ranges.push(ipaddr.parseCIDR(entry));
    } else if (ipaddr.isValid(entry)) {
      const address = ipaddr.parse(entry);
      allowlist.ranges.push([address, address.kind() === "ipv4" ? 32 : 128]);
    } else if (/^\*\.[a-z0-9.-]+$/.test(entry)) {
      allowlist.hostSuffixes.push(entry.slice(1));
    } else if (/^[a-z0-9.-]+$/.test(entry)) {
      allowlist.hosts.add(entry.replace(/\.$/, ""));
    } else {
      throw new OutboundHttpError("refused", `${ALLOWLIST_ENV} has an entry that is neither a host nor a CIDR range: “${raw.trim()}”.`);
    }
  }
  return allowlist;
}

function hostAllowlisted(hostname: string, allowlist: Allowlist): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  return allowlist.hosts.has(host) || allowlist.hostSuffixes.some((suffix) => host.endsWith(suffix));
}

function rangeAllowlisted(address: IpAddress, allowlist: Allowlist): boolean {
  return allowlist.ranges.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits));
}

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

/**
 * Whether Parley may connect to `address` for a request to `hostname`. Public unicast
 * addresses are allowed; everything special-purpose only through the allowlist.
 */
export function checkAddress(address: string, hostname: string, allowlist: Allowlist): AddressVerdict {
  if (!ipaddr.isValid(address)) return { allowed: false, reason: `“${address}” is not an IP address.` };
  // ::ffff:10.0.0.1 is 10.0.0.1: judge IPv4-mapped addresses as the IPv4 address they carry.
  const ip: IpAddress = ipaddr.process(address);
  const shown = ip.toString();
  const about = hostname === shown || hostname === address ? shown : `${hostname} resolves to ${shown},`;
  if (CLOUD_METADATA_ADDRESSES.has(ip.toNormalizedString())) {
    return { allowed: false, reason: `${about} a cloud metadata address: Parley never calls it.` };
  }
  if (hostAllowlisted(hostname, allowlist) || rangeAllowlisted(ip, allowlist)) return { allowed: true };
  const range = ip.range();
  // Only global unicast IPv6 (2000::/3) is public; ipaddr.js calls some other space "unicast".
  const publicAddress = range === "unicast" && (ip.kind() === "ipv4" || ip.match(ipaddr.parseCIDR("2000::/3")));
  if (publicAddress) return { allowed: true };
  const description = RANGE_DESCRIPTIONS[range] ?? `a special-purpose address (${range})`;
  return {
    allowed: false,
    reason: `${about} ${description}. Parley does not call private, loopback or link-local addresses unless ${ALLOWLIST_ENV} lists the host or its range.`,
  };
}

// ---------------------------------------------------------------------------------------
// Node built-ins, loaded on first use (see the note at the top)

interface NodeBuiltins {
  dns: typeof Dns;
  http: typeof Http;
  https: typeof Https;
  zlib: typeof Zlib;
}

let builtins: Promise<NodeBuiltins> | undefined;

function nodeBuiltins(): Promise<NodeBuiltins> {
  builtins ??= Promise.all([
    import(/* webpackIgnore: true */ /* turbopackIgnore: true */ "node:dns"),
    import(/* webpackIgnore: true */ /* turbopackIgnore: true */ "node:http"),
    import(/* webpackIgnore: true */ /* turbopackIgnore: true */ "node:https"),
    import(/* webpackIgnore: true */ /* turbopackIgnore: true */ "node:zlib"),
  ]).then(([dns, http, https, zlib]) => ({ dns, http, https, zlib }));
  return builtins;
}

async function systemResolve(hostname: string): Promise<ResolvedAddress[]> {
  const { dns } = await nodeBuiltins();
  const found = await dns.promises.lookup(hostname, { all: true, verbatim: true });
  return found.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
}

// ---------------------------------------------------------------------------------------
// The guarded request

/**
 * Sends one HTTP request under the SSRF policy above, following redirects. Resolves to the
 * response whatever its status; rejects with an OutboundHttpError (kind says whether a retry
 * can help) when there is no response to give.
 */
export async function outboundFetch(request: OutboundRequest, options: OutboundHttpOptions = {}): Promise<OutboundResponse> {
  const allowlist = parseAllowlist(options.allowlist ?? process.env[ALLOWLIST_ENV]);
  const resolve = options.resolve ?? systemResolve;
  const maxRedirects = options.maxRedirects ?? MAX_REDIRECTS;
  const maxBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  const signal = request.signal;

  let url = parseHttpUrl(request.url);
  let method = request.method.toUpperCase();
  let body = request.body;
  let headers = { ...request.headers };
  const origin = url.origin;

  for (let redirects = 0; ; redirects++) {
    throwIfAborted(signal);
    const addresses = await guardedAddresses(url, allowlist, resolve, signal);
    const response = await sendOnce({ url, method, headers, body, addresses, signal, maxBytes });
    const location = response.headers.location;
    if (!REDIRECT_STATUSES.has(response.status) || !location) {
      return { status: response.status, headers: response.headers, body: response.body, url: url.toString(), redirects };
    }
    if (redirects >= maxRedirects) {
      throw new OutboundHttpError("too-many-redirects", `More than ${maxRedirects} redirects (last to ${redactUrl(location)}).`);
    }
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new OutboundHttpError("invalid-request", `The server redirected to an invalid URL: “${redactUrl(location)}”.`);
    }
    url = parseHttpUrl(next.toString(), "redirected to");
    // As browsers do: 303, and 301/302 after a POST, continue as a GET without the body.
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
      if (method !== "HEAD") method = "GET";
      body = undefined;
      headers = withoutHeaders(headers, ["content-type", "content-length"]);
    }
    // The flow's headers carry credentials for the API it named, not for wherever that API
    // points: keep only harmless ones once the redirect leaves the original origin.
    if (url.origin !== origin) headers = onlyHeaders(headers, ["accept", "accept-language", "content-type", "user-agent"]);
  }
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function parseHttpUrl(value: string, context = "the URL"): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new OutboundHttpError("invalid-request", `${context === "the URL" ? "The URL" : "The server " + context} “${redactUrl(value)}” is not a valid URL.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new OutboundHttpError("refused", `Only http and https URLs can be called, not ${url.protocol.replace(/:$/, "")} (${context === "the URL" ? "URL" : context} ${redactUrl(value)}).`);
  }
  return url;
}

/** Every address of the URL's host, each allowed by the policy, or a refusal naming the first that is not. */
async function guardedAddresses(
  url: URL,
  allowlist: Allowlist,
  resolve: (hostname: string) => Promise<ResolvedAddress[]>,
  signal: AbortSignal | undefined,
): Promise<ResolvedAddress[]> {
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  let addresses: ResolvedAddress[];
  if (ipaddr.isValid(hostname)) {
    addresses = [{ address: hostname, family: hostname.includes(":") ? 6 : 4 }];
  } else {
    try {
      addresses = await abortable(resolve(hostname), signal);
    } catch (error) {
      if (error instanceof OutboundHttpError) throw error;
      throw new OutboundHttpError("network", `Could not resolve ${hostname}: ${errorCode(error)}.`);
    }
    if (addresses.length === 0) throw new OutboundHttpError("network", `Could not resolve ${hostname}: no addresses.`);
  }
  for (const { address } of addresses) {
    const verdict = checkAddress(address, hostname, allowlist);
    if (!verdict.allowed) throw new OutboundHttpError("refused", `Refused ${url.protocol}//${url.host}: ${verdict.reason}`);
  }
  return addresses;
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function sendOnce(input: {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  addresses: ResolvedAddress[];
  signal: AbortSignal | undefined;
  maxBytes: number;
}): Promise<RawResponse> {
  const { http, https, zlib } = await nodeBuiltins();
  const { url, addresses, signal, maxBytes } = input;
  const transport = url.protocol === "https:" ? https : http;

  // Connect only to the addresses that were checked: net.connect asks this instead of DNS.
  const pinnedLookup: Net.LookupFunction = (_hostname, options, callback) => {
    if (options.all) return callback(null, addresses);
    const choice = addresses.find((candidate) => !options.family || candidate.family === options.family) ?? addresses[0]!;
    callback(null, choice.address, choice.family);
  };

  const headers: Record<string, string> = { ...input.headers };
  if (input.body !== undefined) headers["content-length"] = String(Buffer.byteLength(input.body));

  return new Promise<RawResponse>((resolvePromise, rejectPromise) => {
    let settled = false;
    const fail = (error: OutboundHttpError) => {
      if (settled) return;
      settled = true;
      request?.destroy();
      rejectPromise(error);
    };
    let request: Http.ClientRequest | undefined;
    try {
      request = transport.request(url, {
        method: input.method,
        headers,
        lookup: pinnedLookup,
        // A fresh connection per request: a pooled socket could have been opened under
        // another allowlist, and flows call APIs rarely enough for reuse not to matter.
        agent: false,
        signal,
      });
    } catch (error) {
      // node:http refuses header names/values with forbidden characters synchronously.
      fail(new OutboundHttpError("invalid-request", `The request cannot be sent: ${(error as Error).message}`));
      return;
    }
    request.on("error", (error) => fail(transportError(error, signal)));
    request.on("response", (response) => {
      const status = response.statusCode ?? 0;
      const responseHeaders = flattenHeaders(response.headers);
      // Redirect bodies are never read; skip them rather than count them against the cap.
      if (REDIRECT_STATUSES.has(status) && responseHeaders.location) {
        response.resume();
        settled = true;
        resolvePromise({ status, headers: responseHeaders, body: "" });
        return;
      }
      const declared = Number(responseHeaders["content-length"]);
      if (Number.isFinite(declared) && declared > maxBytes && !responseHeaders["content-encoding"]) {
        fail(tooLarge(maxBytes));
        return;
      }
      const decoded = decoder(zlib, responseHeaders["content-encoding"]);
      const stream = decoded ? response.pipe(decoded) : response;
      if (decoded) decoded.on("error", () => fail(new OutboundHttpError("network", "The response body could not be decompressed.")));
      response.on("error", (error) => fail(transportError(error, signal)));
      response.on("close", () => {
        if (!response.complete) fail(signal?.aborted ? abortError(signal) : new OutboundHttpError("network", "The connection closed before the response was complete."));
      });
      const chunks: Buffer[] = [];
      let received = 0;
      stream.on("data", (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBytes) {
          response.destroy();
          decoded?.destroy();
          fail(tooLarge(maxBytes));
          return;
        }
        chunks.push(chunk);
      });
      stream.on("end", () => {
        if (settled) return;
        settled = true;
        resolvePromise({ status, headers: responseHeaders, body: Buffer.concat(chunks).toString("utf8") });
      });
    });
    request.end(input.body);
  });
}

function decoder(zlib: typeof Zlib, encoding: string | undefined): Zlib.Gunzip | Zlib.Inflate | Zlib.BrotliDecompress | undefined {
  switch (encoding?.trim().toLowerCase()) {
    case "gzip":
    case "x-gzip":
      return zlib.createGunzip();
    case "deflate":
      return zlib.createInflate();
    case "br":
      return zlib.createBrotliDecompress();
    default:
      return undefined;
  }
}

function tooLarge(maxBytes: number): OutboundHttpError {
  return new OutboundHttpError("too-large", `The response is larger than ${Math.round(maxBytes / 1024)} KB.`);
}

function flattenHeaders(headers: Http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

function withoutHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name.toLowerCase())));
}

function onlyHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => names.includes(name.toLowerCase())));
}

function transportError(error: unknown, signal: AbortSignal | undefined): OutboundHttpError {
  if (error instanceof OutboundHttpError) return error;
  if (signal?.aborted) return abortError(signal);
  return new OutboundHttpError("network", `The connection failed: ${errorCode(error)}.`);
}

function abortError(signal: AbortSignal): OutboundHttpError {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === "TimeoutError") return new OutboundHttpError("timeout", "No complete response before the timeout.");
  return new OutboundHttpError("timeout", "The request was cancelled before it completed.");
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/** Rejects as soon as `signal` aborts, even if `promise` (a DNS lookup) cannot be cancelled. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  throwIfAborted(signal);
  return new Promise<T>((resolvePromise, rejectPromise) => {
    const onAbort = () => rejectPromise(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolvePromise(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        rejectPromise(error);
      },
    );
  });
}

function errorCode(error: unknown): string {
  if (error && typeof error === "object" && "code" in error && typeof error.code === "string") {
    const message = error instanceof Error ? error.message : "";
    return message.includes(error.code) ? message : `${error.code} ${message}`.trim();
  }
  return error instanceof Error ? error.message : String(error);
}
