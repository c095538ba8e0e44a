// A process holding an app (the real SDK, inngest/node) and an embedded executor on a given
// database, for the kill-and-restart test (durability-kill.integration.test.ts), which
// SIGKILLs it and starts it again. Every step body appends "<pid> <run key>:<step>" to LOG_FILE.
//
// Env: DATABASE_URL, APP_PORT, EXECUTOR_PORT, SIGNING_KEY, EVENT_KEY, LOG_FILE.
import { appendFileSync } from "node:fs";
import { createServer } from "node:http";
import { Inngest } from "inngest";
import { serve } from "inngest/node";
import { createDb } from "@/server/db/client";
import { startExecutor } from "./index";

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const logFile = env("LOG_FILE");
const mark = (key: string) => appendFileSync(logFile, `${process.pid} ${key}\n`);
const noop = () => {};

const inngest = new Inngest({
  id: "kill",
  isDev: false,
  signingKey: env("SIGNING_KEY"),
  eventKey: env("EVENT_KEY"),
  baseUrl: `http://127.0.0.1:${env("EXECUTOR_PORT")}`,
  logger: { info: noop, warn: noop, error: noop, debug: noop },
});

const functions = [
  inngest.createFunction({ id: "nap", triggers: [{ event: "kill/nap" }] }, async ({ step }) => {
    await step.run("before", () => mark("nap:before"));
    await step.sleep("nap", "3s");
    await step.run("after", () => mark("nap:after"));
    return "woke";
  }),
  inngest.createFunction({ id: "ask", triggers: [{ event: "kill/ask" }] }, async ({ event, step }) => {
    await step.run("question", () => mark(`ask:${String(event.data.chat)}:question`));
    const answer = await step.waitForEvent("answer", { event: "kill/answer", timeout: "1h", match: "data.chat" });
    await step.run("thanks", () => mark(`ask:${String(event.data.chat)}:thanks`));
    return answer?.data.text ?? null;
  }),
  inngest.createFunction({ id: "flaky", retries: 5, triggers: [{ event: "kill/flaky" }] }, async ({ attempt, step }) => {
    await step.run("first", () => mark("flaky:first"));
    await step.run("shaky", () => {
      mark(`flaky:shaky:${attempt}`);
      if (attempt < 2) throw new Error(`attempt ${attempt} fails`);
      return attempt;
    });
    return "steady";
  }),
  inngest.createFunction({ id: "work", triggers: [{ event: "kill/work" }] }, async ({ event, step }) => {
    for (const name of ["one", "two", "three"]) {
      await step.run(name, async () => {
        mark(`work:${String(event.data.n)}:${name}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      });
    }
    return "done";
  }),
];

const handler = serve({ client: inngest, functions });
const app = createServer((req, res) => handler(req, res));
app.keepAliveTimeout = 0;
await new Promise<void>((resolve) => app.listen(Number(env("APP_PORT")), "127.0.0.1", resolve));

const executor = await startExecutor({
  db: createDb(env("DATABASE_URL")),
  serveUrl: `http://127.0.0.1:${env("APP_PORT")}/api/inngest`,
  signingKey: env("SIGNING_KEY"),
  eventKey: env("EVENT_KEY"),
  port: Number(env("EXECUTOR_PORT")),
  retryBackoff: () => 1_500,
  leaseMs: 2_000,
});
await executor.sync();
process.stdout.write("ready\n");
