// Parley's message path assembled for integration tests: the real route handlers
// (webhook, Inngest serve, simulator Graph), the real embedded executor on the test
// database, and a fake Graph API. Only Next's HTTP layer is replaced (tests/support/http.ts).
import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "@/server/db/embedded";
import { whatsappWebhookEnvelope } from "@/server/channels/whatsapp/envelope";
import { signBody } from "@/server/channels/whatsapp/signature";
import type { FlowGraph } from "@/flows/schema";
import type { Executor } from "@/server/executor";
import { startFakeGraph, type FakeGraph } from "./fake-graph";
import { serveRoutes, type Route } from "./http";
import { afterAll, beforeAll } from "vitest";
import { createTestDatabase, type TestDatabase } from "./database";

export const CHANNEL = {
  phoneNumberId: "109876543210",
  accessToken: "test-access-token",
  appSecret: "test-app-secret",
  verifyToken: "test-verify-token",
};

/** Parley's app and executor, sending to a Graph API elsewhere (`graphUrl`). */
export interface ParleyApp {
  url: string;
  /** POSTs a webhook body signed with the channel's app secret (or `secret`). */
  postWebhook(body: unknown, options?: { secret?: string; raw?: string }): Promise<Response>;
  /** Stops the app and its executor, then starts them again on the same database and ports. */
  restart(): Promise<void>;
  /** Creates a flow on the test channel from `graph`, publishes it and syncs the functions, as the studio does. */
  publish(name: string, graph: FlowGraph): Promise<{ flowId: string }>;
  stop(): Promise<void>;
}

/** ParleyApp with a fake Graph API of its own, in the same process. */
export interface TestParley extends ParleyApp {
  graph: FakeGraph;
  /** Texts of the text messages sent to `waId`, in order. */
  textsTo(waId: string): string[];
}

export async function startParley(database: TestDatabase): Promise<TestParley> {
  const graph = await startFakeGraph({ token: CHANNEL.accessToken });
  const app = await startParleyApp(database, { graphUrl: graph.url });
  return {
    ...app,
    graph,
    textsTo: (waId) =>
      graph.requests.filter((r) => r.body.to === waId && r.body.type === "text").map((r) => String((r.body.text as { body: string }).body)),
    async stop() {
      await app.stop();
      await graph.close();
    },
  };
}

/**
 * The app and its executor on `database`, sending to the Graph API at `graphUrl` with
 * CHANNEL's token. `keepAlive`: the app keeps connections open for the next webhook, as under
 * load from Meta (benchmarks). `secretKey`: PARLEY_SECRET_KEY, the same for every instance
 * sharing the database (else a fresh one).
 */
export async function startParleyApp(database: TestDatabase, options: { graphUrl: string; keepAlive?: boolean; secretKey?: string }): Promise<ParleyApp> {
  const appPort = await freePort();
  const executorPort = await freePort();
  const url = `http://127.0.0.1:${appPort}`;
  const signingKey = `signkey-test-${randomBytes(32).toString("hex")}`;
  const eventKey = randomBytes(16).toString("hex");
  Object.assign(process.env, {
    DATABASE_URL: database.url,
    PARLEY_SECRET_KEY: options.secretKey ?? randomBytes(32).toString("base64url"),
    PARLEY_INTERNAL_URL: url,
    WHATSAPP_GRAPH_URL: options.graphUrl,
    INNGEST_SIGNING_KEY: signingKey,
    INNGEST_EVENT_KEY: eventKey,
    INNGEST_BASE_URL: `http://127.0.0.1:${executorPort}`,
    // Media goes to a folder of the test's own, never the checkout's .data.
    MEDIA_DIR: process.env.MEDIA_DIR ?? (await mkdtemp(path.join(tmpdir(), "parley-test-media-"))),
  });
  delete process.env.INNGEST_DEV;

  const [{ seed }, { startExecutor }, webhook, inngestRoute, simulatorGraph, { db }] = await Promise.all([
    import("@/server/db/seed"),
    import("@/server/executor"),
    import("@/app/api/webhooks/whatsapp/route"),
    import("@/app/api/inngest/route"),
    import("@/app/api/simulator/graph/[version]/[phoneNumberId]/messages/route"),
    import("@/server/db/client"),
  ]);
  const simulatorTemplates = await import("@/app/api/simulator/graph/[version]/[phoneNumberId]/message_templates/route");
  const mediaRoute = await import("@/app/api/media/[messageId]/route");
  const simulatorGraphObject = await import("@/app/api/simulator/graph/[version]/[phoneNumberId]/route");
  const [metricsRoute, eventsRoute, twilioWebhook, { registerExecutorMetrics }, { attachEmbeddedExecutor, inProcessTransport }] = await Promise.all([
    import("@/app/api/metrics/route"),
    import("@/app/api/events/route"),
    import("@/app/api/webhooks/twilio/route"),
    import("@/server/observability/metrics"),
    import("@/server/inngest/client"),
  ]);
  await seed(db(), { internalUrl: url, envChannel: CHANNEL });

  const routes: Route[] = [
    { pattern: /^\/api\/webhooks\/whatsapp$/, methods: { GET: webhook.GET, POST: webhook.POST } },
    { pattern: /^\/api\/webhooks\/twilio$/, methods: { POST: twilioWebhook.POST } },
    { pattern: /^\/api\/metrics$/, methods: { GET: metricsRoute.GET } },
    { pattern: /^\/api\/media\/(?<messageId>[^/]+)$/, methods: { GET: mediaRoute.GET as Route["methods"]["GET"] } },
    { pattern: /^\/api\/events$/, methods: { POST: eventsRoute.POST } },
    { pattern: /^\/api\/inngest$/, methods: { GET: inngestRoute.GET, POST: inngestRoute.POST, PUT: inngestRoute.PUT } },
    { pattern: /^\/api\/simulator\/graph\/(?<version>[^/]+)\/(?<phoneNumberId>[^/]+)\/messages$/, methods: { POST: simulatorGraph.POST as Route["methods"]["POST"] } },
    { pattern: /^\/api\/simulator\/graph\/(?<version>[^/]+)\/(?<phoneNumberId>[^/]+)$/, methods: { GET: simulatorGraphObject.GET as Route["methods"]["GET"] } },
    { pattern: /^\/api\/simulator\/graph\/(?<version>[^/]+)\/(?<phoneNumberId>[^/]+)\/message_templates$/, methods: { GET: simulatorTemplates.GET as Route["methods"]["GET"] } },
  ];

  let app: Awaited<ReturnType<typeof serveRoutes>>;
  let executor: Executor;
  const start = async () => {
    app = await serveRoutes(routes, appPort, { keepAlive: options.keepAlive });
    executor = await startExecutor({
      db: db(),
      serveUrl: `${url}/api/inngest`,
      // As under `npm start`: the route module registered itself when imported above.
      transport: inProcessTransport,
      signingKey,
      eventKey,
      port: executorPort,
      retryBackoff: () => 200,
    });
    await executor.sync();
    registerExecutorMetrics(() => executor.metrics());
    attachEmbeddedExecutor(executor);
  };
  const stop = async () => {
    await executor.stop();
    await app.close();
  };
  await start();

  return {
    url,
    postWebhook(body, options = {}) {
      const raw = options.raw ?? JSON.stringify(body);
      return fetch(`${url}/api/webhooks/whatsapp`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-hub-signature-256": signBody(raw, options.secret ?? CHANNEL.appSecret) },
        body: raw,
      });
    },
    async restart() {
      await stop();
      await start();
    },
    async publish(name, graph) {
      const [{ publishFlow }, { syncFunctions }] = await Promise.all([import("@/server/flows/publish"), import("@/server/inngest/sync")]);
      const channel = await db().channel.findUniqueOrThrow({ where: { phoneNumberId: CHANNEL.phoneNumberId } });
      const flow = await db().flow.create({
        data: { workspaceId: channel.workspaceId, name, draft: graph as object, channels: { connect: [{ id: channel.id }] } },
      });
      await publishFlow({ flowId: flow.id });
      await syncFunctions();
      return { flowId: flow.id };
    },
    stop,
  };
}

/**
 * Parley on a fresh database for the calling test file: started before its tests, stopped
 * after them. `env` is set for the file's duration (read by Parley when it starts).
 */
export function useParley(options: { env?: Record<string, string> } = {}): TestParley {
  let started: TestParley | undefined;
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    Object.assign(process.env, options.env);
    database = await createTestDatabase();
    started = await startParley(database);
  });
  afterAll(async () => {
    await started?.stop();
    await database?.drop();
    for (const key of Object.keys(options.env ?? {})) delete process.env[key];
  });
  return new Proxy({} as TestParley, {
    get(_, key) {
      if (!started) throw new Error("Parley starts in beforeAll: use it inside hooks and tests.");
      return Reflect.get(started, key);
    },
  });
}

let counter = 0;

/** A Meta-shaped webhook envelope for the test channel with one "messages" change. */
export function webhookEnvelope(value: Record<string, unknown>) {
  return whatsappWebhookEnvelope({ phoneNumberId: CHANNEL.phoneNumberId, displayPhoneNumber: "15550009999" }, value, "WABA-1");
}

/** A webhook carrying one text message from `from`. */
export function textWebhook(from: string, text: string, options: { wamid?: string; name?: string } = {}) {
  const wamid = options.wamid ?? `wamid.TEST${Date.now()}${counter++}`;
  return {
    wamid,
    body: webhookEnvelope({
      contacts: [{ profile: { name: options.name ?? "Ana" }, wa_id: from }],
      messages: [{ from, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: text } }],
    }),
  };
}

/** Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
