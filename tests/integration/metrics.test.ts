// GET /api/metrics: Prometheus text from prom-client, after a scripted conversation — the
// webhook counted, the bot's two messages counted as sent, the run waiting, the executor's
// work and the process metrics there; a forged webhook and a failed send counted with their
// reasons; the token asked for when set.
import { expect, test } from "vitest";
import { eventually, textWebhook, useParley } from "../support/parley";

const parley = useParley();

/** A sample's value in the metrics text, 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

async function scrape(): Promise<string> {
  const response = await fetch(`${parley.url}/api/metrics`);
  expect(response.headers.get("content-type")).toContain("text/plain");
  return response.text();
}

test("a scripted conversation moves the counters it should, and the gauges read the database and the executor", async () => {
  const before = await scrape();
  await parley.postWebhook(textWebhook("34655000001", "hi").body);
  await eventually(() => parley.graph.requests.filter((r) => r.body.type === "text").length >= 2, 15_000, "the answers");
  const text = await eventually(async () => {
    const body = await scrape();
    return sample(body, 'parley_flow_runs{status="waiting"}') === 1 ? body : undefined;
  }, 10_000, "the waiting run in the metrics");

  const delta = (series: string) => sample(text, series) - sample(before, series);
  expect(delta('parley_webhooks_received_total{provider="whatsapp_cloud"}')).toBe(1);
  expect(delta('parley_messages_sent_total{provider="whatsapp_cloud"}')).toBe(2);
  expect(sample(text, 'parley_messages{direction="outbound",status="sent"}')).toBe(2);
  expect(sample(text, 'parley_messages{direction="inbound",status="received"}')).toBe(1);
  expect(sample(text, 'parley_executor_runs{outcome="started"}')).toBeGreaterThanOrEqual(2);
  expect(sample(text, 'parley_executor_step_latency_seconds{quantile="0.5"}')).toBeGreaterThan(0);
  expect(text).toContain("# TYPE parley_model_call_duration_seconds histogram");
  expect(text).toMatch(/^parley_process_resident_memory_bytes \d+/m);

  // A forged webhook and a send WhatsApp refuses are counted with their reasons.
  await parley.postWebhook(textWebhook("34655000002", "hi").body, { secret: "not-the-secret" });
  parley.graph.refuseNext({ status: 400, code: 131026, message: "Message undeliverable" });
  await parley.postWebhook(textWebhook("34655000003", "hi").body);
  // The send fails first; the run it failed ends a moment later.
  const after = await eventually(async () => {
    const body = await scrape();
    return sample(body, 'parley_messages_failed_total{code="131026"}') === 1 && sample(body, 'parley_runs_finished_total{status="failed"}') >= 1 ? body : undefined;
  }, 15_000, "the refused send and its failed run in the metrics");
  expect(sample(after, 'parley_webhooks_rejected_total{provider="whatsapp_cloud",reason="signature"}')).toBe(1);
  // A failed run is ended twice (its last step, then the onFailure handler): counted once.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(sample(await scrape(), 'parley_runs_finished_total{status="failed"}')).toBe(1);
});

test("asks for the token when METRICS_TOKEN is set", async () => {
  process.env.METRICS_TOKEN = "scrape-me";
  try {
    expect((await fetch(`${parley.url}/api/metrics`)).status).toBe(401);
    expect((await fetch(`${parley.url}/api/metrics`, { headers: { authorization: "Bearer wrong-one" } })).status).toBe(401);
    expect((await fetch(`${parley.url}/api/metrics`, { headers: { authorization: "Bearer scrape-me" } })).status).toBe(200);
  } finally {
    delete process.env.METRICS_TOKEN;
  }
});
