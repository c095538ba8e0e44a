// The end-to-end benchmark's other side, run as its own process (issue 11: load comes from a
// second process, so it does not share the measured app's event loop): the fake Graph API
// Parley sends to, and the steady arrival of new conversations. It tells its parent the
// Graph API's URL, then for each go it is sent (the app's URL and the schedule: a warm-up,
// then the measured run) posts the signed webhooks on time whatever the answers do, and
// reports when each conversation's first answer reached the Graph API, by this process's
// clock. It ends when its parent disconnects.
//   spawned by bench/e2e.ts with an IPC channel
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { whatsappWebhookEnvelope } from "../server/channels/whatsapp/envelope";
import { signBody } from "../server/channels/whatsapp/signature";
import { startFakeGraph } from "../tests/support/fake-graph";

export const arrivalsSchema = z.object({
  /** The instances' URLs: webhooks go to each in turn, as from a load balancer. */
  appUrls: z.array(z.url()).min(1),
  appSecret: z.string(),
  phoneNumberId: z.string(),
  /** Numbers of new contacts start here: each run's conversations are new. */
  firstContact: z.number().int().nonnegative(),
  rate: z.number().positive(),
  seconds: z.number().positive(),
  /** After the last arrival, how long answers may still come in. */
  drainMs: z.number().int().positive(),
});
export type Arrivals = z.infer<typeof arrivalsSchema>;

export const loadReportSchema = z.object({
  /** Webhook posted → first text at the Graph API, ms, one per conversation answered. */
  latencies: z.array(z.number()),
  /** The webhook's own round trips, ms. */
  ingest: z.array(z.number()),
  total: z.number().int(),
  arrivalSeconds: z.number(),
  /** Webhooks the app did not answer 2xx. */
  refused: z.number().int(),
});
export type LoadReport = z.infer<typeof loadReportSchema>;

export const childMessageSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("ready"), graphUrl: z.url() }),
  z.object({ kind: z.literal("report"), report: loadReportSchema }),
]);

async function arrive(options: Arrivals, graph: Awaited<ReturnType<typeof startFakeGraph>>): Promise<LoadReport> {
  const total = Math.round(options.rate * options.seconds);
  const posted = new Map<string, number>();
  const ingest: number[] = [];
  let refused = 0;
  const tag = randomBytes(4).toString("hex");
  const requestsBefore = graph.requests.length;
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    // A steady schedule, not a closed loop: arrivals do not wait for answers.
    const wait = started + (i * 1000) / options.rate - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const waId = `3499${String(options.firstContact + i).padStart(8, "0")}`;
    const raw = JSON.stringify(
      whatsappWebhookEnvelope(
        { phoneNumberId: options.phoneNumberId, displayPhoneNumber: "15550009999" },
        {
          contacts: [{ profile: { name: "Bench" }, wa_id: waId }],
          messages: [{ from: waId, id: `wamid.E2E${tag}x${i}`, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "hello" } }],
        },
      ),
    );
    inflight.push(
      (async () => {
        posted.set(waId, Date.now());
        const t0 = performance.now();
        const response = await fetch(`${options.appUrls[i % options.appUrls.length]}/api/webhooks/whatsapp`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-hub-signature-256": signBody(raw, options.appSecret) },
          body: raw,
        });
        await response.arrayBuffer();
        ingest.push(performance.now() - t0);
        if (!response.ok) refused++;
      })(),
    );
  }
  await Promise.all(inflight);
  const arrivalSeconds = (performance.now() - started) / 1000;

  const firstSend = new Map<string, number>();
  let scanned = requestsBefore;
  const deadline = Date.now() + options.drainMs;
  while (Date.now() < deadline) {
    // Each request carries the time it arrived: the scan's pace does not move the figures.
    for (; scanned < graph.requests.length; scanned++) {
      const request = graph.requests[scanned]!;
      const to = String(request.body.to ?? "");
      if (request.body.type === "text" && posted.has(to) && !firstSend.has(to)) firstSend.set(to, request.at);
    }
    if (firstSend.size >= total) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const latencies = [...firstSend].map(([waId, at]) => at - posted.get(waId)!);
  return { latencies, ingest, total, arrivalSeconds, refused };
}

async function main() {
  const tokenArgument = z.string().min(1).parse(process.argv[2]);
  const graph = await startFakeGraph({ token: tokenArgument });
  const send = (message: z.infer<typeof childMessageSchema>) =>
    new Promise<void>((resolve, reject) => process.send!(message, undefined, {}, (error) => (error ? reject(error) : resolve())));
  process.on("message", (message: unknown) => {
    arrive(arrivalsSchema.parse(message), graph)
      .then((report) => send({ kind: "report", report }))
      .catch((error: unknown) => {
        console.error(error);
        process.exit(1);
      });
  });
  process.once("disconnect", () => void graph.close().then(() => process.exit(0)));
  await send({ kind: "ready", graphUrl: graph.url });
}

// Run as a script, not when the benchmark imports the message schemas.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
