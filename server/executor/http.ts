// The executor's HTTP API, the subset of Inngest's that the SDK calls in a serve() setup —
// POST /e/:eventKey (send events), POST /fn/register (out-of-band sync), the checkpoint
// API — and the REST calls that read and cancel runs (runs-api.ts). Served on a socket, and
// as a fetch for an SDK in the same process: a checkpoint then costs no HTTP round trip.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { z } from "zod";
import type { ApiRun } from "./runs-api";
import { incomingEventsSchema, registerRequestSchema } from "./schemas";
import { constantTimeEqual } from "./signing";

/** Inngest accepts up to 3 MB per send request; a little headroom for JSON overhead. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface HttpHandlers {
  eventKey: string;
  hashedSigningKey: string;
  /** `seed`: the SDK's x-inngest-event-id-seed header, when sent. */
  sendEvents(events: z.infer<typeof incomingEventsSchema>, seed: string | null): Promise<string[]>;
  register(appId: string, functions: unknown[]): Promise<number>;
  /** Persists checkpointed steps; the HTTP status to answer (200 only once stored, 409 if the lease is gone). */
  checkpoint(runId: string, body: unknown): Promise<number>;
  runsOfEvent(eventId: string): Promise<ApiRun[]>;
  runById(runId: string): Promise<ApiRun | null>;
  /** Cancels a run still going; false when it had already ended (or does not exist). */
  cancelRun(runId: string): Promise<boolean>;
  /** The raw signing key: REST clients send it as the Bearer token (the SDK sends its hash). */
  signingKey: string;
  log(line: string): void;
}

/** A request to the API, from either door: the socket (node:http) or an in-process fetch. */
interface ApiRequest {
  method: string;
  path: string;
  header(name: string): string | null;
  /** The body parsed as JSON; 400 if malformed, 413 if over MAX_BODY_BYTES. */
  json(): Promise<unknown>;
}

interface ApiReply {
  status: number;
  body: unknown;
}

export interface ExecutorApi {
  /** The API on a socket. */
  server: Server;
  /**
   * The same API as a `fetch` for clients in this process (the app's SDK when the executor
   * runs beside it): requests to `origin` are answered without a socket, the rest go to the
   * global fetch.
   */
  fetchFor(origin: string): typeof fetch;
  /** Requests being handled now (for idle()). */
  inFlight(): number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function createExecutorApi(handlers: HttpHandlers): ExecutorApi {
  let inFlight = 0;
  const answer = async (request: ApiRequest): Promise<ApiReply> => {
    inFlight++;
    try {
      return await route(request, handlers);
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 500;
      if (status === 500) handlers.log(`executor: ${request.method} ${request.path} failed: ${messageOf(error)}`);
      const message = error instanceof HttpError ? error.message : "Internal error";
      // The SDK reads `error` and `status` from the body of both APIs.
      const body = request.path.startsWith("/e/") ? { ids: [], status, error: message } : { status, error: message, ok: false };
      return { status, body };
    } finally {
      inFlight--;
    }
  };

  const server = createServer((req, res) => {
    void answer(fromSocket(req)).then((reply) => {
      if (res.headersSent) return;
      const text = JSON.stringify(reply.body);
      res.writeHead(reply.status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
    });
  });

  const fetchFor = (origin: string): typeof fetch => {
    const own = new URL(origin).origin;
    return async (input, init) => {
      const request = input instanceof Request ? input : null;
      const url = new URL(request ? request.url : String(input));
      if (url.origin !== own) return fetch(input, init);
      const reply = await answer(fromFetch(url, request ?? init ?? {}));
      return new Response(JSON.stringify(reply.body), { status: reply.status, headers: { "content-type": "application/json" } });
    };
  };

  return { server, fetchFor, inFlight: () => inFlight };
}

function fromSocket(req: IncomingMessage): ApiRequest {
  return {
    method: req.method ?? "GET",
    path: new URL(req.url ?? "/", "http://executor").pathname,
    header: (name) => {
      const value = req.headers[name];
      return typeof value === "string" ? value : null;
    },
    async json() {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        const buffer = chunk as Buffer;
        size += buffer.length;
        if (size > MAX_BODY_BYTES) throw new HttpError(413, `Body larger than ${MAX_BODY_BYTES} bytes`);
        chunks.push(buffer);
      }
      return parseJson(Buffer.concat(chunks).toString("utf8"));
    },
  };
}

/** A fetch call's request; the SDK sends a string body and plain headers. */
function fromFetch(url: URL, init: RequestInit | Request): ApiRequest {
  const headers = new Headers(init.headers);
  return {
    method: init.method ?? "GET",
    path: url.pathname,
    header: (name) => headers.get(name),
    async json() {
      const text = typeof init.body === "string" ? init.body : await new Response(init.body ?? null).text();
      if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new HttpError(413, `Body larger than ${MAX_BODY_BYTES} bytes`);
      return parseJson(text);
    },
  };
}

async function route(req: ApiRequest, handlers: HttpHandlers): Promise<ApiReply> {
  const { path } = req;
  const eventMatch = /^\/e\/([^/]+)\/?$/.exec(path);
  if (eventMatch && req.method === "POST") {
    const key = decodeURIComponent(eventMatch[1] ?? "");
    if (!constantTimeEqual(key, handlers.eventKey)) throw new HttpError(401, "Event key not found");
    const parsed = incomingEventsSchema.safeParse(await req.json());
    if (!parsed.success) throw new HttpError(400, `Invalid event: ${z.prettifyError(parsed.error)}`);
    const seed = req.header("x-inngest-event-id-seed");
    const ids = await handlers.sendEvents(parsed.data, seed);
    // The SDK requires `status: 200` in the body, not only as the HTTP status (protocol doc §2.3).
    return { status: 200, body: { ids, status: 200 } };
  }
  if (path === "/fn/register" && req.method === "POST") {
    const auth = req.header("authorization") ?? "";
    if (!constantTimeEqual(auth, `Bearer ${handlers.hashedSigningKey}`)) throw new HttpError(401, "Unauthorized");
    const parsed = registerRequestSchema.safeParse(await req.json());
    if (!parsed.success) throw new HttpError(400, `Invalid registration: ${z.prettifyError(parsed.error)}`);
    try {
      await handlers.register(parsed.data.appName, parsed.data.functions);
    } catch (error) {
      throw new HttpError(400, messageOf(error));
    }
    // The SDK judges the reply by its JSON body (protocol doc §1.8).
    return { status: 200, body: { ok: true, status: 200, modified: true } };
  }
  const checkpointMatch = /^\/v1\/checkpoint\/([^/]+)\/async$/.exec(path);
  if (checkpointMatch && req.method === "POST") {
    const auth = req.header("authorization") ?? "";
    if (!constantTimeEqual(auth, `Bearer ${handlers.hashedSigningKey}`)) throw new HttpError(401, "Unauthorized");
    const status = await handlers.checkpoint(decodeURIComponent(checkpointMatch[1] ?? ""), await req.json());
    return { status, body: status === 200 ? { ok: true } : { error: status === 409 ? "stale dispatch" : "checkpoint refused" } };
  }
  const eventRunsMatch = /^\/v1\/events\/([^/]+)\/runs$/.exec(path);
  const runMatch = /^\/v1\/runs\/([^/]+)$/.exec(path);
  if ((eventRunsMatch && req.method === "GET") || (runMatch && (req.method === "GET" || req.method === "DELETE"))) {
    const auth = req.header("authorization") ?? "";
    if (!constantTimeEqual(auth, `Bearer ${handlers.signingKey}`) && !constantTimeEqual(auth, `Bearer ${handlers.hashedSigningKey}`)) {
      throw new HttpError(401, "Unauthorized");
    }
    const metadata = { fetched_at: new Date().toISOString() };
    if (eventRunsMatch) {
      return { status: 200, body: { data: await handlers.runsOfEvent(decodeURIComponent(eventRunsMatch[1] ?? "")), metadata } };
    }
    const runId = decodeURIComponent(runMatch?.[1] ?? "");
    if (req.method === "DELETE") {
      if (!(await handlers.cancelRun(runId))) throw new HttpError(404, "No running run with this id");
      return { status: 200, body: { data: await handlers.runById(runId), metadata } };
    }
    const run = await handlers.runById(runId);
    if (!run) throw new HttpError(404, "Run not found");
    return { status: 200, body: { data: run, metadata } };
  }
  if ((path === "/" || path === "/health") && req.method === "GET") {
    return { status: 200, body: { ok: true, service: "parley-embedded-executor" } };
  }
  throw new HttpError(404, `No route for ${req.method} ${path}`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, `Malformed JSON: ${messageOf(error)}`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
