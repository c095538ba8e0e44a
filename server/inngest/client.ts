// The one Inngest client. Which executor it talks to is chosen by the SDK's standard
// environment variables only (DESIGN.md section 3): `npm start` points them at the embedded
// executor unless INNGEST_BASE_URL / INNGEST_DEV name a real Inngest server.
import { Inngest } from "inngest";
import { log } from "@/server/observability/log";

const holder = globalThis as unknown as { parleyInngest?: Inngest };

export function inngest(): Inngest {
  holder.parleyInngest ??= new Inngest({
    id: "parley",
    // Function logs (ctx.logger) go to Parley's structured, redacting logger.
    logger: log().child({ component: "functions" }),
    // Beside the embedded executor, the SDK's calls to it (checkpoints, sent events) stay in process.
    fetch: (input, init) => (embedded.parleyExecutor?.fetch ?? fetch)(input, init),
  });
  return holder.parleyInngest;
}

export const MESSAGE_RECEIVED_EVENT = "whatsapp/message.received";

export interface MessageReceivedData {
  messageId: string;
  conversationId: string;
}

/** Asks for a run of a flow in a conversation without a message (a schedule tick, an API event). */
export const RUN_REQUESTED_EVENT = "parley/run.requested";

interface EventToSend {
  id?: string;
  name: string;
  data: object;
}
/** What of the embedded executor the app uses when both run in one process. */
export interface EmbeddedExecutor {
  send(events: { id?: string; name: string; data: Record<string, unknown> }[]): Promise<unknown>;
  fetch: typeof fetch;
}
const embedded = globalThis as unknown as { parleyExecutor?: EmbeddedExecutor };

/**
 * Called by `npm start` (and tests, benchmarks) once the embedded executor runs in this
 * process: events then go straight into it, with the same deduplication, flow control and
 * cancelOn as a POST to its /e/ endpoint, and the SDK reaches its API without a socket. Kept
 * on globalThis because Next's route handlers load their own copy of this module.
 */
export function attachEmbeddedExecutor(executor: EmbeddedExecutor): void {
  embedded.parleyExecutor = executor;
}

/** Sends events outside a function run: into the embedded executor when it runs here, else through the SDK. */
export async function sendEvents(events: EventToSend | EventToSend[]): Promise<void> {
  const list = Array.isArray(events) ? events : [events];
  // The SDK sends JSON: in process, the data goes through JSON too, so both paths see the same values.
  if (embedded.parleyExecutor) await embedded.parleyExecutor.send(JSON.parse(JSON.stringify(list)));
  else await inngest().send(list as Parameters<Inngest["send"]>[0]);
}

type ServeHandler = (request: Request) => Promise<Response>;
const serving = globalThis as unknown as { parleyServeHandler?: ServeHandler };

/** Called by the /api/inngest route module when it loads: the embedded executor may then call it directly. */
export function serveInProcess(handler: ServeHandler): void {
  serving.parleyServeHandler = handler;
}

/**
 * The embedded executor's way to the serve handler when both run in this process: the same
 * signed request to the same SDK handler, without the socket and HTTP parsing on each side.
 * Until the route module has loaded (the first sync loads it), requests go over HTTP.
 */
export function inProcessTransport(url: URL, init: RequestInit & { signal: AbortSignal }): Promise<Response> {
  const handler = serving.parleyServeHandler;
  if (!handler) return fetch(url, init);
  const { signal } = init;
  // The executor gives up on a request it cancels or times out, as it would on a socket.
  return new Promise<Response>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    if (signal.aborted) return abort();
    signal.addEventListener("abort", abort, { once: true });
    handler(new Request(url, init)).then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}
