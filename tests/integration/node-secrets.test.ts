// Node secrets end to end: an admin stores the Shopify token of the example node package in
// Settings → Node secrets (encrypted, never returned), and a published flow using the
// package's "Shopify order status" node reads it through the real executor; the token never
// reaches traces. Without a stored token the node takes its error port.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { nodeDefinition, registerNode } from "@/flows/registry";
import type { FlowGraph } from "@/flows/schema";
import examples from "@/node-packages/examples";
import { json, startFakeApi, type FakeApi } from "@/node-packages/examples/fake-api";
import type { Viewer } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { decryptSecret } from "@/server/security/secrets";
import { appRouter } from "@/server/trpc/root";
import { eventually, textWebhook, useParley } from "../support/parley";

// The app loads the package when PARLEY_NODE_PACKAGES names it; here the test registers it.
for (const node of examples) if (!nodeDefinition(node.type)) registerNode(node, "node-packages/examples");

const TOKEN = "shpat_integration_5678";
const parley = useParley({ env: { PARLEY_HTTP_ALLOWLIST: "127.0.0.1" } });
let shopify: FakeApi;
let admin: ReturnType<typeof appRouter.createCaller>;
let workspaceId: string;
const shopifySecret = { nodeType: "shopify_order_status", name: "accessToken" };

const at = { x: 0, y: 0 };
const orderFlow = (shop: string): FlowGraph => ({
  nodes: [
    { id: "start", type: "trigger", version: 1, config: { match: "keywords", keywords: ["order"] }, position: at },
    { id: "ask", type: "ask", version: 1, config: { question: "What is your order number?", variable: "order_number" }, position: at },
    { id: "order", type: "shopify_order_status", version: 1, config: { shop, orderNumber: "{{vars.order_number}}" }, position: at },
    { id: "found", type: "reply", version: 1, config: { text: "Order {{nodes.order.orderNumber}} is {{nodes.order.status}}." }, position: at },
    { id: "missing", type: "reply", version: 1, config: { text: "No order {{nodes.order.orderNumber}} for this number." }, position: at },
    { id: "sorry", type: "reply", version: 1, config: { text: "Our shop is not answering right now." }, position: at },
  ],
  edges: [
    { id: "1", from: "start", port: "next", to: "ask" },
    { id: "2", from: "ask", port: "next", to: "order" },
    { id: "3", from: "order", port: "next", to: "found" },
    { id: "4", from: "order", port: "not_found", to: "missing" },
    { id: "5", from: "order", port: "error", to: "sorry" },
  ],
});

beforeAll(async () => {
  shopify = await startFakeApi((request, response) => {
    if (request.headers["x-shopify-access-token"] !== TOKEN) return json(response, 401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
    const name = request.url.searchParams.get("name");
    json(response, 200, { orders: name === "#1001" ? [{ name: "#1001", financial_status: "paid", fulfillment_status: "fulfilled", phone: "+34 611 222 333" }] : [] });
  });
  const membership = await db().membership.findFirstOrThrow({ include: { user: true } });
  workspaceId = membership.workspaceId;
  const viewer: Viewer = { userId: membership.userId, email: membership.user.email, workspaceId, role: "admin" };
  admin = appRouter.createCaller({ viewer });
  await parley.publish("Order status", orderFlow(shopify.url));
});
afterAll(() => shopify?.close());

describe("Settings → Node secrets", () => {
  test("the package's secrets are listed; a stored one shows its last 4 characters, never its value", async () => {
    const before = await admin.nodeSecrets.list();
    expect(before.map(({ nodeType, name, stored }) => ({ nodeType, name, stored }))).toEqual(
      expect.arrayContaining([
        { nodeType: "shopify_order_status", name: "accessToken", stored: null },
        { nodeType: "sheets_append", name: "accessToken", stored: null },
      ]),
    );
    await admin.nodeSecrets.set({ ...shopifySecret, value: `  ${TOKEN}\n` });
    const after = await admin.nodeSecrets.list();
    expect(after.find((secret) => secret.nodeType === "shopify_order_status")).toMatchObject({ label: "Shopify Admin API access token", stored: { last4: "5678" } });
    expect(JSON.stringify(after)).not.toContain(TOKEN);
    // A short secret shows no characters at all.
    await admin.nodeSecrets.set({ nodeType: "sheets_append", name: "accessToken", value: "short-key" });
    expect((await admin.nodeSecrets.list()).find((secret) => secret.nodeType === "sheets_append")!.stored).toMatchObject({ last4: "" });

    const row = await db().nodeSecret.findFirstOrThrow({ where: { workspaceId, ...shopifySecret } });
    expect(row.valueCipher).not.toContain(TOKEN);
    expect(decryptSecret(row.valueCipher)).toBe(TOKEN);
    const audit = await db().auditLog.findFirstOrThrow({ where: { workspaceId, action: "node_secret.set" } });
    expect(audit).toMatchObject({ target: "shopify_order_status.accessToken", details: {} });
  });

  test("only secrets an installed node type declares can be stored", async () => {
    await expect(admin.nodeSecrets.set({ nodeType: "shopify_order_status", name: "password", value: "x" })).rejects.toThrow("The node type “shopify_order_status” declares no secret “password”.");
    await expect(admin.nodeSecrets.set({ nodeType: "woocommerce", name: "apiKey", value: "x" })).rejects.toThrow("No node type “woocommerce” is installed.");
    await expect(admin.nodeSecrets.set({ ...shopifySecret, value: "   " })).rejects.toThrow(/Paste the secret's value/);
  });
});

describe("a published flow using the secret", () => {
  test("the node reads the stored token on the server; traces never show it", async () => {
    const waId = "34611222333";
    await parley.postWebhook(textWebhook(waId, "order").body);
    await eventually(() => parley.textsTo(waId).length === 1, 10_000, "the question");
    await parley.postWebhook(textWebhook(waId, "1001").body);
    await eventually(() => parley.textsTo(waId).length === 2, 15_000, "the order status");
    expect(parley.textsTo(waId)).toEqual(["What is your order number?", "Order #1001 is shipped."]);
    expect(shopify.received.at(-1)!.headers["x-shopify-access-token"]).toBe(TOKEN);

    const traces = await db().stepTrace.findMany({ where: { run: { conversation: { contact: { waId } } } } });
    expect(traces.map((trace) => trace.nodeId)).toContain("order");
    expect(JSON.stringify(traces)).not.toContain(TOKEN);
  });

  test("once an admin removes it, the node takes its error port and the trace says where to add it", async () => {
    await admin.nodeSecrets.remove(shopifySecret);
    await expect(admin.nodeSecrets.remove(shopifySecret)).rejects.toThrow("That secret is not stored.");
    const waId = "34611222444";
    await parley.postWebhook(textWebhook(waId, "order").body);
    await eventually(() => parley.textsTo(waId).length === 1, 10_000, "the question");
    await parley.postWebhook(textWebhook(waId, "1001").body);
    await eventually(() => parley.textsTo(waId).length === 2, 15_000, "the apology");
    expect(parley.textsTo(waId)[1]).toBe("Our shop is not answering right now.");
    const trace = await db().stepTrace.findFirstOrThrow({ where: { nodeId: "order", run: { conversation: { contact: { waId } } } } });
    expect(trace.error).toMatchObject({ name: "MissingSecretError", message: "The secret “Shopify Admin API access token” is not set: an admin adds it in Settings → Node secrets." });
  });
});
