// The executor's HTTP API, the subset of Inngest's that the SDK calls in a serve() setup —
// POST /e/:eventKey (send events), POST /fn/register (out-of-band sync), the checkpoint
// API — and the REST calls that read and cancel runs (runs-api.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
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

export interface HttpServer {
  server: Server;
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

export function createHttpServer(handlers: HttpHandlers): HttpServer {
  let inFlight = 0;
  const server = createServer((req, res) => {
    inFlight++;
    route(req, res, handlers)
      .catch((error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        if (status === 500) handlers.log(`executor: ${req.method} ${pathOf(req)} failed: ${messageOf(error)}`);
        const message = error instanceof HttpError ? error.message : "Internal error";
        const isEvents = pathOf(req).startsWith("/e/");
        // The SDK reads `error` and `status` from the body of both APIs.
        send(res, status, isEvents ? { ids: [], status, error: message } : { status, error: message, ok: false });
      })
      .finally(() => {
        inFlight--;
      });
  });
  return { server, inFlight: () => inFlight };
}

async function route(req: IncomingMessage, res: ServerResponse, handlers: HttpHandlers): Promise<void> {
  const path = pathOf(req);
  const eventMatch = /^\/e\/([^/]+)\/?$/.exec(path);
  if (eventMatch && req.method === "POST") {
    const key = decodeURIComponent(eventMatch[1] ?? "");
    if (!constantTimeEqual(key, handlers.eventKey)) throw new HttpError(401, "Event key not found");
    const parsed = incomingEventsSchema.safeParse(await readJson(req));
    if (!parsed.success) throw new HttpError(400, `Invalid event: ${z.prettifyError(parsed.error)}`);
    const seed = req.headers["x-inngest-event-id-seed"];
    const ids = await handlers.sendEvents(parsed.data, typeof seed === "string" ? seed : null);
    // The SDK requires `status: 200` in the body, not only as the HTTP status (protocol doc §2.3).
    send(res, 200, { ids, status: 200 });
    return;
  }
  if (path === "/fn/register" && req.method === "POST") {
    const auth = req.headers.authorization ?? "";
    if (!constantTimeEqual(auth, `Bearer ${handlers.hashedSigningKey}`)) throw new HttpError(401, "Unauthorized");
    const parsed = registerRequestSchema.safeParse(await readJson(req));
    if (!parsed.success) throw new HttpError(400, `Invalid registration: ${z.prettifyError(parsed.error)}`);
    try {
      await handlers.register(parsed.data.appName, parsed.data.functions);
    } catch (error) {
      throw new HttpError(400, messageOf(error));
    }
    // The SDK judges the reply by its JSON body (protocol doc §1.8).
    send(res, 200, { ok: true, status: 200, modified: true });
    return;
  }
  const checkpointMatch = /^\/v1\/checkpoint\/([^/]+)\/async$/.exec(path);
  if (checkpointMatch && req.method === "POST") {
    const auth = req.headers.authorization ?? "";
    if (!constantTimeEqual(auth, `Bearer ${handlers.hashedSigningKey}`)) throw new HttpError(401, "Unauthorized");
    const status = await handlers.checkpoint(decodeURIComponent(checkpointMatch[1] ?? ""), await readJson(req));
    send(res, status, status === 200 ? { ok: true } : { error: status === 409 ? "stale dispatch" : "checkpoint refused" });
    return;
  }
  const eventRunsMatch = /^\/v1\/events\/([^/]+)\/runs$/.exec(path);
  const runMatch = /^\/v1\/runs\/([^/]+)$/.exec(path);
  if ((eventRunsMatch && req.method === "GET") || (runMatch && (req.method === "GET" || req.method === "DELETE"))) {
    const auth = req.headers.authorization ?? "";
    if (!constantTimeEqual(auth, `Bearer ${handlers.signingKey}`) && !constantTimeEqual(auth, `Bearer ${handlers.hashedSigningKey}`)) {
      throw new HttpError(401, "Unauthorized");
    }
    const metadata = { fetched_at: new Date().toISOString() };
    if (eventRunsMatch) {
      send(res, 200, { data: await handlers.runsOfEvent(decodeURIComponent(eventRunsMatch[1] ?? "")), metadata });
      return;
    }
    const runId = decodeURIComponent(runMatch?.[1] ?? "");
    if (req.method === "DELETE") {
      if (!(await handlers.cancelRun(runId))) throw new HttpError(404, "No running run with this id");
      send(res, 200, { data: await handlers.runById(runId), metadata });
      return;
    }
    const run = await handlers.runById(runId);
    if (!run) throw new HttpError(404, "Run not found");
    send(res, 200, { data: run, metadata });
    return;
  }
  if ((path === "/" || path === "/health") && req.method === "GET") {
    send(res, 200, { ok: true, service: "parley-embedded-executor" });
    return;
  }
  throw new HttpError(404, `No route for ${req.method ?? "?"} ${path}`);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `Body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, `Malformed JSON: ${messageOf(error)}`);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function pathOf(req: IncomingMessage): string {
  return new URL(req.url ?? "/", "http://executor").pathname;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
