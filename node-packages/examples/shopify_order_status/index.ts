// "Shopify order status": looks an order up by its number in the shop's Admin REST API
// (GET /admin/api/<version>/orders.json?name=…, X-Shopify-Access-Token) and tells the flow
// whether it was found, with a status a customer understands and the tracking link.
import { z } from "zod";
import { defineNode } from "@/flows/define-node";
import { callJsonApi } from "../api";

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

const config = z.object({
  shop: z
    .string()
    .trim()
    .min(1, "enter your shop's address, e.g. my-shop.myshopify.com")
    .max(200)
    .refine((shop) => HOSTNAME.test(shop) || /^https?:\/\/[^\s/]+$/i.test(shop), "a host name such as my-shop.myshopify.com (or a base URL such as https://shop.example)")
    .describe("Your shop's myshopify.com address, e.g. my-shop.myshopify.com."),
  orderNumber: z
    .string()
    .trim()
    .min(1, "say where the order number comes from, e.g. {{vars.order_number}}")
    .max(500)
    .describe("The order number to look up, with or without #: usually {{vars.order_number}} from an Ask before."),
  apiVersion: z
    .string()
    .regex(/^\d{4}-(01|04|07|10)$/, "a Shopify API version such as 2025-01")
    .default("2025-01")
    .describe("The Admin API version your app's token was made for."),
  onlyContactsOrders: z
    .boolean()
    .default(true)
    .describe("Only find orders whose phone number is the contact's WhatsApp number, so nobody learns about someone else's order."),
});
type ShopifyOrderStatusConfig = z.infer<typeof config>;

const outputs = z.object({
  /** The order number looked up, as Shopify names orders ("#1001"). */
  orderNumber: z.string(),
  found: z.boolean(),
  /** In the customer's words: "cancelled", "refunded", "delivered", "shipped", "partially shipped", "paid, not shipped yet", "awaiting payment". */
  status: z.string().nullable(),
  financialStatus: z.string().nullable(),
  fulfillmentStatus: z.string().nullable(),
  trackingNumber: z.string().nullable(),
  trackingUrl: z.string().nullable(),
  carrier: z.string().nullable(),
  total: z.string().nullable(),
  currency: z.string().nullable(),
  createdAt: z.string().nullable(),
  httpStatus: z.number().nullable(),
  error: z.string().nullable(),
});
type ShopifyOrderStatusOutput = z.infer<typeof outputs>;

/** The part of Shopify's order resource this node reads. */
const orderSchema = z.object({
  name: z.string(),
  created_at: z.string().nullish(),
  cancelled_at: z.string().nullish(),
  financial_status: z.string().nullish(),
  fulfillment_status: z.string().nullish(),
  total_price: z.string().nullish(),
  currency: z.string().nullish(),
  phone: z.string().nullish(),
  customer: z.object({ phone: z.string().nullish() }).nullish(),
  shipping_address: z.object({ phone: z.string().nullish() }).nullish(),
  billing_address: z.object({ phone: z.string().nullish() }).nullish(),
  fulfillments: z
    .array(
      z.object({
        shipment_status: z.string().nullish(),
        tracking_company: z.string().nullish(),
        tracking_number: z.string().nullish(),
        tracking_url: z.string().nullish(),
      }),
    )
    .nullish(),
});
type ShopifyOrder = z.infer<typeof orderSchema>;

export default defineNode<ShopifyOrderStatusConfig>({
  type: "shopify_order_status",
  version: 1,
  title: "Shopify order status",
  description: "Looks an order up in your Shopify shop by its number and says where it is: found (with status and tracking), not found, or error.",
  category: "data",
  icon: "🛍️",
  config,
  outputs,
  secrets: [
    {
      name: "accessToken",
      label: "Shopify Admin API access token",
      description: "From your shop's custom app (Settings → Apps → Develop apps), with the read_orders scope. It starts with shpat_.",
    },
  ],
  defaultConfig: { shop: "my-shop.myshopify.com", orderNumber: "{{vars.order_number}}", apiVersion: "2025-01", onlyContactsOrders: true },
  ports: () => [
    { id: "next", label: "found" },
    { id: "not_found", label: "not found" },
    { id: "error", label: "error", failure: true },
  ],
  summary: (c) => `Order ${c.orderNumber} in ${c.shop}`,
  templateFields: ["orderNumber"],
  async run(ctx) {
    const { config: c } = ctx;
    const number = ctx.render(c.orderNumber).trim().replace(/^#+\s*/, "");
    const empty: ShopifyOrderStatusOutput = {
      orderNumber: `#${number}`,
      found: false,
      status: null,
      financialStatus: null,
      fulfillmentStatus: null,
      trackingNumber: null,
      trackingUrl: null,
      carrier: null,
      total: null,
      currency: null,
      createdAt: null,
      httpStatus: null,
      error: null,
    };
    if (!/^[A-Za-z0-9-]{1,40}$/.test(number)) return { port: "not_found", output: { ...empty, error: `“${number}” is not an order number.` } };

    const token = await ctx.secret("accessToken");
    const base = /^https?:\/\//i.test(c.shop) ? c.shop.replace(/\/+$/, "") : `https://${c.shop}`;
    const query = new URLSearchParams({ name: `#${number}`, status: "any", limit: "5" });
    const result = await ctx.step("lookup", () =>
      callJsonApi(ctx.fetch, { method: "GET", url: `${base}/admin/api/${c.apiVersion}/orders.json?${query}`, headers: { "X-Shopify-Access-Token": token } }),
    );
    const answered = { ...empty, httpStatus: result.status };
    if (result.status !== 200) return { port: "error", output: { ...answered, error: failureReason(result.status, result.failure, result.json, base) } };

    const orders = z.object({ orders: z.array(orderSchema) }).safeParse(result.json);
    if (!orders.success) return { port: "error", output: { ...answered, error: "The answer is not a Shopify order list." } };
    // Shopify's name filter also matches longer names (#1001 finds #10010): keep the exact one.
    const order = orders.data.orders.find((candidate) => candidate.name.replace(/^#/, "").toLowerCase() === number.toLowerCase());
    if (!order || (c.onlyContactsOrders && !belongsTo(order, ctx.contact.waId))) return { port: "not_found", output: answered };

    const shipment = order.fulfillments?.findLast((fulfillment) => fulfillment.tracking_number || fulfillment.tracking_url) ?? null;
    return {
      port: "next",
      output: {
        ...answered,
        orderNumber: order.name,
        found: true,
        status: customerStatus(order),
        financialStatus: order.financial_status ?? null,
        fulfillmentStatus: order.fulfillment_status ?? null,
        trackingNumber: shipment?.tracking_number ?? null,
        trackingUrl: shipment?.tracking_url ?? null,
        carrier: shipment?.tracking_company ?? null,
        total: order.total_price ?? null,
        currency: order.currency ?? null,
        createdAt: order.created_at ?? null,
      } satisfies ShopifyOrderStatusOutput,
    };
  },
});

/** What happened, in the words an admin reading the trace needs. */
function failureReason(status: number | null, failure: string | null, json: unknown, base: string): string {
  if (status === null) return `Shopify did not answer: ${failure}`;
  const detail = typeof json === "object" && json !== null && "errors" in json ? ` (${JSON.stringify((json as { errors: unknown }).errors)})` : "";
  if (status === 401 || status === 403) return `Shopify refused the access token (${status})${detail}: check it in Settings → Node secrets and that it has the read_orders scope.`;
  if (status === 404) return `No Shopify Admin API at ${base} (404): check the shop address and the API version.`;
  if (status === 429) return "Shopify's rate limit was reached (429): try again in a moment.";
  return `Shopify answered with status ${status}${detail}.`;
}

/** Whether one of the order's phone numbers is the contact's WhatsApp number (which has the country code, no "+"). */
function belongsTo(order: ShopifyOrder, waId: string | null): boolean {
  if (!waId) return false;
  const phones = [order.phone, order.customer?.phone, order.shipping_address?.phone, order.billing_address?.phone];
  return phones.some((phone) => {
    const digits = (phone ?? "").replace(/\D/g, "");
    // Numbers saved without the country code still end like the WhatsApp number.
    return digits.length >= 7 && (digits === waId || waId.endsWith(digits));
  });
}

function customerStatus(order: ShopifyOrder): string {
  if (order.cancelled_at) return "cancelled";
  if (order.financial_status === "refunded") return "refunded";
  if (order.fulfillments?.some((fulfillment) => fulfillment.shipment_status === "delivered")) return "delivered";
  if (order.fulfillment_status === "fulfilled") return "shipped";
  if (order.fulfillment_status === "partial") return "partially shipped";
  if (order.financial_status === "paid" || order.financial_status === "partially_refunded") return "paid, not shipped yet";
  if (order.financial_status === "pending" || order.financial_status === "authorized") return "awaiting payment";
  return order.fulfillment_status ?? order.financial_status ?? "unknown";
}
