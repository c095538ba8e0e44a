// The acceptance check against `npm start` itself: the channel named by the
// WHATSAPP_* variables answers a signed Meta-shaped webhook through its Graph URL.
import { expect, test } from "@playwright/test";
import { startFakeGraph, type FakeGraph } from "../tests/support/fake-graph";
import { E2E_CHANNEL } from "./env";
import { signature as sign, textWebhookBody } from "./whatsapp";

let graph: FakeGraph;
test.beforeAll(async () => {
  graph = await startFakeGraph({ token: E2E_CHANNEL.accessToken, port: E2E_CHANNEL.graphPort });
});
test.afterAll(() => graph.close());

test("the verification handshake echoes the challenge", async ({ request }) => {
  const response = await request.get(`/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${E2E_CHANNEL.verifyToken}&hub.challenge=424242`);
  expect(response.status()).toBe(200);
  expect(await response.text()).toBe("424242");
});

test("a forged signature is refused", async ({ request }) => {
  const body = textWebhookBody("34699000001", "hi");
  const response = await request.post("/api/webhooks/whatsapp", {
    data: body,
    headers: { "content-type": "application/json", "x-hub-signature-256": sign(body, "wrong-secret") },
  });
  expect([401, 403]).toContain(response.status());
});

test("a signed webhook gets a reply POST within 5 seconds, and the same webhook again gets none", async ({ request }) => {
  const from = "34699000002";
  const body = textWebhookBody(from, "hi");
  const post = () =>
    request.post("/api/webhooks/whatsapp", { data: body, headers: { "content-type": "application/json", "x-hub-signature-256": sign(body) } });
  expect((await post()).status()).toBe(200);
  await expect.poll(() => graph.requests.filter((r) => r.body.to === from).length, { timeout: 5_000 }).toBeGreaterThanOrEqual(1);
  const first = graph.requests.find((r) => r.body.to === from)!;
  expect(first.phoneNumberId).toBe(E2E_CHANNEL.phoneNumberId);
  await expect.poll(() => graph.requests.filter((r) => r.body.to === from).length).toBe(2); // greeting + question
  expect((await post()).status()).toBe(200);
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  expect(graph.requests.filter((r) => r.body.to === from)).toHaveLength(2);
});
