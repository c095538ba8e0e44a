// Structured logs (pino): one JSON object per line in production, readable lines on a
// terminal. Phone numbers, message texts and credentials are redacted by default, since
// logs are often shipped to places with weaker access rules than the database;
// PARLEY_LOG_UNREDACTED=1 shows them when debugging on one's own machine.
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import pino, { type Logger } from "pino";
import pretty from "pino-pretty";

/** Keys that hold a phone number or a message's content: masked. */
const PERSONAL = ["waId", "wa_id", "from", "to", "phone", "phones", "text", "body", "caption", "name", "profileName"];
/** Keys that hold credentials: removed. */
const SECRET = ["token", "accessToken", "appSecret", "apiKey", "authorization", "password", "secret", "signingKey", "eventKey"];

/** Paths at the top level and one level down ("{ contact: { waId } }"). */
const paths = (keys: string[]) => keys.flatMap((key) => [key, `*.${key}`]);

function maskPersonal(value: unknown): string {
  if (typeof value === "string" && /^\+?\d{6,}$/.test(value)) return `…${value.slice(-2)}`;
  return "[redacted]";
}

/** What every line logged while handling one request or one run carries. */
export interface LogContext {
  requestId?: string;
  runId?: string;
  conversationId?: string;
}

// One store for the process, on globalThis: Next's route bundles load their own copy of this module.
const contextHolder = globalThis as unknown as { parleyLogContext?: AsyncLocalStorage<LogContext> };
const logContext = (contextHolder.parleyLogContext ??= new AsyncLocalStorage<LogContext>());

/** Runs `body` with `fields` added to every line it logs (nested contexts add to their parent's). */
export function withLogContext<T>(fields: LogContext, body: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...fields }, body);
}

/** The caller's X-Request-Id when it is a plain token (a proxy's, a load balancer's), else a new one. */
export function requestIdFrom(headers: Headers): string {
  const given = headers.get("x-request-id");
  return given && /^[\w.:-]{1,80}$/.test(given) ? given : randomUUID();
}

/** Handles one HTTP request with its id on every line logged meanwhile; the response carries it back as X-Request-Id. */
export async function tracedRequest(request: Request, handle: () => Promise<Response>): Promise<Response> {
  const requestId = requestIdFrom(request.headers);
  const response = await withLogContext({ requestId }, handle);
  try {
    response.headers.set("x-request-id", requestId);
  } catch {
    // A response whose headers are immutable (proxied through fetch) goes back as it is.
  }
  return response;
}

/** A logger configured from `env`; `destination` replaces stdout (tests). */
export function createLogger(env: Record<string, string | undefined> = process.env, destination?: pino.DestinationStream): Logger {
  const unredacted = env.PARLEY_LOG_UNREDACTED === "1";
  const options: pino.LoggerOptions = {
    level: env.PARLEY_LOG_LEVEL ?? (env.NODE_ENV === "test" ? "silent" : "info"),
    base: { app: "parley" },
    redact: unredacted
      ? { paths: paths(SECRET), remove: true }
      : { paths: [...paths(PERSONAL), ...paths(SECRET)], censor: (value, path) => (SECRET.includes(path.at(-1) ?? "") ? "[secret]" : maskPersonal(value)) },
    formatters: { level: (label) => ({ level: label }) },
    // The request, run and conversation the line was logged for, whoever logged it.
    mixin: () => ({ ...logContext.getStore() }),
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (destination) return pino(options, destination);
  const format = env.PARLEY_LOG_FORMAT ?? (process.stdout.isTTY ? "pretty" : "json");
  if (format === "pretty") return pino(options, pretty({ colorize: true, sync: true, ignore: "pid,hostname,app", translateTime: "HH:MM:ss" }));
  return pino(options);
}

const holder = globalThis as unknown as { parleyLogger?: Logger };

/** The process-wide logger; add context with `log().child({ runId, conversationId })`. */
export function log(): Logger {
  holder.parleyLogger ??= createLogger();
  return holder.parleyLogger;
}
