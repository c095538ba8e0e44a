// Test support for the executor's conformance tests: an app server serving functions with
// the real SDK (inngest/node, or inngest/next through a small Request/Response bridge, which
// is how Parley serves them in production), in cloud mode, against a fresh database.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Inngest, type InngestFunction } from "inngest";
import { serve as serveNext } from "inngest/next";
import { serve as serveNode } from "inngest/node";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { startExecutor, type Executor, type ExecutorOptions } from "./index";

export type AnyFunction = InngestFunction.Any;

export interface Harness {
  database: TestDatabase;
  inngest: Inngest;
  executor: Executor;
  serveUrl: string;
  executorPort: number;
  signingKey: string;
  eventKey: string;
  /** Starts a new executor on the same database and port (after stop()): a restart. */
  restart(): Promise<Executor>;
  /** Starts another executor on the same database (another port): two processes. */
  startAnother(options?: Partial<ExecutorOptions>): Promise<Executor>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  adapter?: "node" | "next";
  appId?: string;
  executor?: Partial<ExecutorOptions>;
  database?: TestDatabase;
  /**
   * As under `npm start`: the SDK reaches the executor through its in-process fetch, not a
   * socket (the serve handler itself is still called over HTTP).
   */
  inProcess?: boolean;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Builds the app and the executor. `define` receives the Inngest client (already pointed at
 * the executor) and returns the functions to serve.
 */
export async function startHarness(
  define: (inngest: Inngest) => AnyFunction[],
  options: HarnessOptions = {},
): Promise<Harness> {
  const database = options.database ?? (await createTestDatabase());
  const signingKey = `signkey-test-${randomBytes(32).toString("hex")}`;
  const eventKey = `evt-${randomBytes(8).toString("hex")}`;
  const executorPort = await freePort();
  let current: Executor | undefined;
  // Cloud mode set through options, not process.env, so test files stay independent.
  const inngest = new Inngest({
    ...(options.inProcess ? { fetch: ((input, init) => (current?.fetch ?? fetch)(input, init)) satisfies typeof fetch } : {}),
    id: options.appId ?? "parley-test",
    isDev: false,
    signingKey,
    eventKey,
    baseUrl: `http://127.0.0.1:${executorPort}`,
    logger: quietLogger,
  });
  const functions = define(inngest);
  const app = await serveFunctions(inngest, functions, options.adapter ?? "node");
  const serveUrl = `http://127.0.0.1:${app.port}/api/inngest`;
  const base: ExecutorOptions = {
    db: database.db,
    serveUrl,
    signingKey,
    eventKey,
    retryBackoff: () => 20,
    ...options.executor,
  };
  const executors: Executor[] = [];
  const launch = async (port: number, overrides: Partial<ExecutorOptions> = {}) => {
    const started = await startExecutor({ ...base, ...overrides, port });
    executors.push(started);
    return started;
  };
  const executor = await launch(executorPort);
  current = executor;
  await executor.sync();
  return {
    database,
    inngest,
    executor,
    serveUrl,
    executorPort,
    signingKey,
    eventKey,
    restart: async () => (current = await launch(executorPort)),
    startAnother: async (overrides) => launch(await freePort(), overrides),
    async close() {
      for (const started of executors) await started.stop().catch(() => {});
      await new Promise<void>((resolve) => app.server.close(() => resolve()));
      app.server.closeAllConnections();
      if (!options.database) await database.drop();
    },
  };
}

/** Serves `functions` with the SDK's node (or next) handler at /api/inngest on a free port. */
export async function serveFunctions(inngest: Inngest, functions: AnyFunction[], adapter: "node" | "next") {
  let handler: (req: IncomingMessage, res: ServerResponse) => void;
  if (adapter === "node") {
    handler = serveNode({ client: inngest, functions });
  } else {
    const next = serveNext({ client: inngest, functions });
    handler = (req, res) => {
      bridgeToWeb(req, res, (request) => {
        const method = request.method as "GET" | "POST" | "PUT";
        // The Next route handler signature takes a NextRequest; a web Request has what it reads.
        return next[method](request as unknown as Parameters<typeof next.GET>[0], undefined) as Promise<Response>;
      });
    };
  }
  const server: Server = createServer((req, res) => {
    if (!req.url?.startsWith("/api/inngest")) {
      res.writeHead(404).end();
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function bridgeToWeb(req: IncomingMessage, res: ServerResponse, handle: (request: Request) => Promise<Response>): void {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const headers = new Headers();
    for (const [key, value] of Object.entries(req.headers)) {
      if (typeof value === "string") headers.set(key, value);
    }
    const body = chunks.length ? Buffer.concat(chunks) : undefined;
    const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
      method: req.method,
      headers,
      body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
    });
    handle(request)
      .then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      })
      .catch(() => {
        res.writeHead(500).end();
      });
  });
}

const noop = () => {};
/** The SDK logs every retried error; keep test output readable. */
export const quietLogger = { info: noop, warn: noop, error: noop, debug: noop };

/** Polls until `check` returns a truthy value or the deadline passes. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
