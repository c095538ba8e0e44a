// "Shopify order status" against a fake Shopify Admin API speaking its wire format
// (GET /admin/api/<version>/orders.json?name=…, X-Shopify-Access-Token, {"orders": […]},
// {"errors": …} on failures), through the node harness and in a flow.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { nodeDefinition, registerNode } from "@/flows/registry";
import type { FlowGraph } from "@/flows/schema";
import { runScripted, testNode } from "@/flows/testing";
import { validateFlow } from "@/flows/validator";
import { json, startFakeApi, type FakeApi } from "../fake-api";
import shopifyOrderStatus from "./index";

const TOKEN = "shpat_0123456789abcdef";
const ANA = "34600000001";

const orders = [
  {
    name: "#1001",
    created_at: "2026-11-02T10:00:00+01:00",
    financial_status: "paid",
    fulfillment_status: "fulfilled",
    total_price: "59.90",
    currency: "EUR",
    phone: "+34 600 000 001",
    fulfillments: [{ shipment_status: "in_transit", tracking_company: "Correos", tracking_number: "PK123ES", tracking_url: "https://track.example/PK123ES" }],
  },
  // Shopify's name filter matches #10010 for #1001 too.
  { name: "#10010", financial_status: "pending", fulfillment_status: null, phone: "+34600000001", fulfillments: [] },
  { name: "#1002", cancelled_at: "2026-11-03T09:00:00Z", financial_status: "voided", fulfillment_status: null, customer: { phone: "600000001" } },
  { name: "#1003", financial_status: "paid", fulfillment_status: null, phone: "+44 7700 900123", shipping_address: { phone: "+447700900123" } },
];

let shopify: FakeApi;
let rateLimited = false;
beforeAll(async () => {
  shopify = await startFakeApi((request, response) => {
    const route = /^\/admin\/api\/(\d{4}-\d{2})\/orders\.json$/.exec(request.url.pathname);
    if (!route || route[1] !== "2025-01") return json(response, 404, { errors: "Not Found" });
    if (request.headers["x-shopify-access-token"] !== TOKEN) {
      return json(response, 401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
    }
    if (rateLimited) return json(response, 429, { errors: "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service." });
    const name = request.url.searchParams.get("name") ?? "";
    json(response, 200, { orders: orders.filter((order) => order.name.startsWith(name)) });
  });
});
afterAll(() => shopify.close());
beforeEach(() => {
  shopify.received.length = 0;
  rateLimited = false;
});

const lookUp = (orderNumber: string, options: { token?: string | null; onlyContactsOrders?: boolean; apiVersion?: string } = {}) =>
  testNode(shopifyOrderStatus, {
    config: { shop: shopify.url, orderNumber: "{{vars.order_number}}", onlyContactsOrders: options.onlyContactsOrders ?? true, apiVersion: options.apiVersion ?? "2025-01" },
    vars: { order_number: orderNumber },
    contact: { waId: ANA },
    secrets: options.token === null ? {} : { accessToken: options.token ?? TOKEN },
  });

describe("Shopify order status", () => {
  test("a shipped order of the contact: found, with its status in plain words and the tracking link", async () => {
    const result = await lookUp("1001");
    expect(result.port).toBe("next");
    expect(result.output).toEqual({
      orderNumber: "#1001",
      found: true,
      status: "shipped",
      financialStatus: "paid",
      fulfillmentStatus: "fulfilled",
      trackingNumber: "PK123ES",
      trackingUrl: "https://track.example/PK123ES",
      carrier: "Correos",
      total: "59.90",
      currency: "EUR",
      createdAt: "2026-11-02T10:00:00+01:00",
      httpStatus: 200,
      error: null,
    });
    const [request] = shopify.received;
    expect(request!.method).toBe("GET");
    expect(request!.url.pathname).toBe("/admin/api/2025-01/orders.json");
    expect(Object.fromEntries(request!.url.searchParams)).toEqual({ name: "#1001", status: "any", limit: "5" });
    expect(request!.headers["x-shopify-access-token"]).toBe(TOKEN);
    expect(JSON.stringify(result.trace)).not.toContain(TOKEN);
  });

  test("the number as a contact types it (“#1002 ”), and a cancelled order saved with a national phone number", async () => {
    const result = await lookUp(" #1002 ");
    expect(result.output).toMatchObject({ orderNumber: "#1002", found: true, status: "cancelled" });
  });

  test("someone else's order is not found for this contact, unless the check is turned off", async () => {
    expect(await lookUp("1003")).toMatchObject({ port: "not_found", output: { found: false, status: null, httpStatus: 200 } });
    expect(await lookUp("1003", { onlyContactsOrders: false })).toMatchObject({ port: "next", output: { status: "paid, not shipped yet" } });
  });

  test("an unknown number is not found; text that is no order number is not even looked up", async () => {
    expect(await lookUp("999")).toMatchObject({ port: "not_found", output: { orderNumber: "#999", found: false } });
    expect(await lookUp("where is my parcel?")).toMatchObject({ port: "not_found", output: { error: "“where is my parcel?” is not an order number." } });
    expect(shopify.received).toHaveLength(1);
  });

  test("a refused token, a wrong API version and the rate limit go to the error port saying what to do", async () => {
    expect(await lookUp("1001", { token: "shpat_revoked" })).toMatchObject({
      port: "error",
      output: { httpStatus: 401, error: expect.stringMatching(/^Shopify refused the access token \(401\) .*Invalid API key.*: check it in Settings → Node secrets/) },
    });
    expect((await lookUp("1001", { apiVersion: "2024-04" })).output!.error).toMatch(/No Shopify Admin API at http:\/\/127\.0\.0\.1:\d+ \(404\): check the shop address and the API version/);
    rateLimited = true;
    expect((await lookUp("1001")).output!.error).toBe("Shopify's rate limit was reached (429): try again in a moment.");
  });

  test("no token stored: the node fails with where to add it, without calling Shopify", async () => {
    const result = await lookUp("1001", { token: null });
    expect(result).toMatchObject({ status: "failed", port: null, error: "The secret “Shopify Admin API access token” is not set: an admin adds it in Settings → Node secrets." });
    expect(shopify.received).toHaveLength(0);
  });
});

describe("in a flow", () => {
  // The example package is registered when PARLEY_NODE_PACKAGES lists it; this test does it itself.
  if (!nodeDefinition(shopifyOrderStatus.type)) registerNode(shopifyOrderStatus as never, "node-packages/examples");
  const at = { x: 0, y: 0 };
  const flow = (answer: string): FlowGraph => ({
    nodes: [
      { id: "start", type: "trigger", version: 1, config: { match: "keywords", keywords: ["order"] }, position: at },
      { id: "ask", type: "ask", version: 1, config: { question: "What is your order number?", variable: "order_number" }, position: at },
      { id: "order", type: "shopify_order_status", version: 1, config: { shop: shopify.url, orderNumber: "{{vars.order_number}}" }, position: at },
      { id: "found", type: "reply", version: 1, config: { text: answer }, position: at },
      { id: "missing", type: "reply", version: 1, config: { text: "I cannot find order {{nodes.order.orderNumber}} for this number." }, position: at },
      { id: "sorry", type: "reply", version: 1, config: { text: "Our shop is not answering; please try again later." }, position: at },
    ],
    edges: [
      { id: "1", from: "start", port: "next", to: "ask" },
      { id: "2", from: "ask", port: "next", to: "order" },
      { id: "3", from: "order", port: "next", to: "found" },
      { id: "4", from: "order", port: "not_found", to: "missing" },
      { id: "5", from: "order", port: "error", to: "sorry" },
    ],
  });
  const reply = "Order {{nodes.order.orderNumber}} is {{nodes.order.status}}. Track it: {{nodes.order.trackingUrl}}";

  test("ask → look up → answer with {{nodes.order.status}}", async () => {
    expect(validateFlow(flow(reply)).filter((d) => d.severity === "error")).toEqual([]);
    const run = await runScripted(flow(reply), "order", ["#1001"], { contact: { waId: ANA }, secrets: { accessToken: TOKEN } });
    expect(run.sent.map((message) => ("text" in message ? message.text : message.type))).toEqual([
      "What is your order number?",
      "Order #1001 is shipped. Track it: https://track.example/PK123ES",
    ]);
    const other = await runScripted(flow(reply), "order", ["1003"], { contact: { waId: ANA }, secrets: { accessToken: TOKEN } });
    expect(other.sent.at(-1)).toEqual({ type: "text", text: "I cannot find order #1003 for this number." });
  });

  test("the validator knows the node's outputs: a misspelt field is flagged before publishing", () => {
    expect(validateFlow(flow("Your order is {{nodes.order.state}}"))).toContainEqual(
      expect.objectContaining({ severity: "error", nodeId: "found", message: "text: {{nodes.order.state}}: “Shopify order status” outputs no field “state”, so it renders empty" }),
    );
  });
});
