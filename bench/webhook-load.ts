// The ingest benchmark's load generator, run as its own process (issue 11: load comes from
// a second process, so it does not share the measured server's event loop): autocannon
// posting signed one-message WhatsApp webhooks, each with a unique wamid, from a rotating set
// of contacts. Prints autocannon's figures as one JSON line.
//   tsx bench/webhook-load.ts '{"url":…,"seconds":…,"connections":…,"amount":…,"appSecret":…,"phoneNumberId":…,"tag":…}'
import { createHmac } from "node:crypto";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { z } from "zod";
import { whatsappWebhookEnvelope } from "../server/channels/whatsapp/envelope";

export const loadOptionsSchema = z.object({
  url: z.url(),
  connections: z.number().int().positive(),
  /** Either a duration or a number of requests. */
  seconds: z.number().positive().optional(),
  amount: z.number().int().positive().optional(),
  appSecret: z.string(),
  phoneNumberId: z.string(),
  /** Makes wamids unique across runs against the same database. */
  tag: z.string(),
});
export type LoadOptions = z.infer<typeof loadOptionsSchema>;

export const loadResultSchema = z.object({
  ok: z.number(),
  non2xx: z.number(),
  errors: z.number(),
  sent: z.number(),
  total: z.number(),
  p50: z.number(),
  p99: z.number(),
});
export type LoadResult = z.infer<typeof loadResultSchema>;

function webhookRequest(options: LoadOptions, n: number) {
  const from = `3460${String(n % 5_000).padStart(7, "0")}`;
  const body = JSON.stringify(
    whatsappWebhookEnvelope(
      { phoneNumberId: options.phoneNumberId, displayPhoneNumber: "15550009999" },
      {
        contacts: [{ profile: { name: "Bench" }, wa_id: from }],
        messages: [{ from, id: `wamid.BENCH${options.tag}x${n}`, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: `message ${n}` } }],
      },
    ),
  );
  const signature = `sha256=${createHmac("sha256", options.appSecret).update(body).digest("hex")}`;
  return { method: "POST" as const, path: "/api/webhooks/whatsapp", headers: { "content-type": "application/json", "x-hub-signature-256": signature }, body };
}

async function main() {
  const options = loadOptionsSchema.parse(JSON.parse(process.argv[2] ?? "{}"));
  let n = 0;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    ...(options.seconds ? { duration: options.seconds } : {}),
    ...(options.amount ? { amount: options.amount } : {}),
    requests: [{ setupRequest: (request) => ({ ...request, ...webhookRequest(options, n++) }) }],
  });
  const line: LoadResult = {
    ok: result["2xx"],
    non2xx: result.non2xx,
    errors: result.errors,
    sent: result.requests.sent,
    total: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

// Run as a script, not when the benchmark imports the option and result schemas.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
