// GET /api/metrics: Prometheus text with Parley's records and the embedded executor's state.
import { expect, test } from "vitest";
import { eventually, useParley, textWebhook } from "../support/parley";

const parley = useParley();

test("counts runs, messages and executor work, in Prometheus' text format", async () => {
  await parley.postWebhook(textWebhook("34655000001", "hi").body);
  await eventually(() => parley.graph.requests.filter((r) => r.body.type === "text").length >= 2, 15_000, "the answers");
  const text = await eventually(async () => {
    const body = await (await fetch(`${parley.url}/api/metrics`)).text();
    return body.includes('parley_flow_runs{status="waiting"} 1') ? body : undefined;
  }, 10_000, "the waiting run in the metrics");
  expect(text).toContain("# TYPE parley_flow_runs gauge");
  expect(text).toMatch(/^parley_messages\{direction="outbound",status="sent"\} 2$/m);
  expect(text).toMatch(/^parley_messages\{direction="inbound",status="received"\} 1$/m);
  expect(text).toMatch(/^parley_executor_runs_total\{outcome="started"\} [1-9]\d*$/m);
  expect(text).toMatch(/^parley_executor_step_latency_ms\{quantile="0.5"\} [\d.]+$/m);
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
