// The acceptance check against `npm start` itself: the channel named by the
// WHATSAPP_* variables answers a signed Meta-shaped webhook through its Graph URL.
import { createHmac } from "node:crypto";
import { expect, test } from "@playwright/test";
import { startFakeGraph, type FakeGraph } from "../tests/support/fake-graph";
import { E2E_CHANNEL } from "./env";

let graph: FakeGraph;
test.beforeAll(async () => {
  graph = await startFakeGraph({ token: E2E_CHANNEL.accessToken, port: E2E_CHANNEL.graphPort });
});
test.afterAll(() => graph.close());

function webhook(from: string, wamid: string, text: string) {
  return JSON.stringify({
    object: "whatsapp_business_account",
    entry: [
      {
        id: "WABA-E2E",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550001234", phone_number_id: E2E_CHANNEL.phoneNumberId },
              contacts: [{ profile: { name: "Eve" }, wa_id: from }],
              messages: [{ from, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: text } }],
            },
          },
        ],
      },
    ],
  });
}

const sign = (body: string, secret = E2E_CHANNEL.appSecret) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

test("the verification handshake echoes the challenge", async ({ request }) => {
  const response = await request.get(`/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${E2E_CHANNEL.verifyToken}&hub.challenge=424242`);
  expect(response.status()).toBe(200);
  expect(await response.text()).toBe("424242");
});

test("a forged signature is refused", async ({ request }) => {
  const body = webhook("34699000001", `wamid.E2E.forged.${Date.now()}`, "hi");
  const response = await request.post("/api/webhooks/whatsapp", {
    data: body,
    headers: { "content-type": "application/json", "x-hub-signature-256": sign(body, "wrong-secret") },
  });
  expect([401, 403]).toContain(response.status());
});

test("a signed webhook gets a reply POST within 5 seconds, and the same webhook again gets none", async ({ request }) => {
  const from = "34699000002";
  const body = webhook(from, `wamid.E2E.${Date.now()}`, "hi");
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
