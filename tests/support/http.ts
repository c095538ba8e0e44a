// Serves Web-standard route handlers (Next's app/api/**/route.ts exports) on a plain
// node:http server, so integration tests drive the real handlers without a Next build.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type RouteHandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response> | Response;
export interface Route {
  pattern: RegExp;
  methods: Partial<Record<string, RouteHandler>>;
}

async function toRequest(req: IncomingMessage, base: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(key, value);
    else if (Array.isArray(value)) headers.set(key, value.join(", "));
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(new URL(req.url ?? "/", base), { method: req.method, headers, body: hasBody ? Buffer.concat(chunks) : undefined });
}

/** `keepAlive` lets clients reuse connections, as Meta and a load generator do (benchmarks). */
export async function serveRoutes(routes: Route[], port = 0, options: { keepAlive?: boolean } = {}): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  let base = "";
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const request = await toRequest(req, base);
      const path = new URL(request.url).pathname;
      for (const route of routes) {
        const match = route.pattern.exec(path);
        if (!match) continue;
        const handler = route.methods[request.method];
        if (!handler) break;
        const response = await handler(request, { params: Promise.resolve(match.groups ?? {}) });
        // No keep-alive: a test that restarts the app must not reuse a socket of the old server.
        res.writeHead(response.status, { ...Object.fromEntries(response.headers), ...(options.keepAlive ? {} : { connection: "close" }) });
        res.end(Buffer.from(await response.arrayBuffer()));
        return;
      }
      res.writeHead(404).end();
    } catch (error) {
      res.writeHead(500, { "content-type": "text/plain" }).end(String((error as Error).stack ?? error));
    }
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
