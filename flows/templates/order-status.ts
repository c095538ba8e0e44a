import type { FlowGraph } from "../schema";

const at = (x: number, y: number) => ({ x, y });

/** The base URL a new flow calls: replace it with your shop's API in the "Look up" node. */
export const ORDER_API_PLACEHOLDER = "https://shop.example.com/api";

/** Asks for an order number, looks it up over HTTP and answers with its status. */
export const orderStatusFlow: { name: string; graph: FlowGraph } = {
  name: "Order status",
  graph: {
    nodes: [
      { id: "start", type: "trigger", version: 1, label: "“order”", config: { match: "keywords", keywords: ["order", "order status", "where is my order"] }, position: at(0, 0) },
      {
        id: "ask_order",
        type: "ask",
        version: 1,
        label: "Order number",
        config: {
          question: "Sure! What is your order number?",
          variable: "order_id",
          timeout: "1h",
          kind: "regex",
          pattern: "^#?[A-Za-z0-9-]{3,20}$",
          retryMessage: "That doesn't look like an order number (like A1234). What is it?",
          maxAttempts: 3,
        },
        position: at(0, 150),
      },
      {
        id: "lookup",
        type: "http",
        version: 1,
        label: "Look up",
        config: {
          method: "GET",
          url: `${ORDER_API_PLACEHOLDER}/orders/{{vars.order_id | remove: '#' | url_encode}}`,
          headers: [{ name: "Accept", value: "application/json" }],
          timeoutMs: 8000,
          retries: 1,
          mapping: [
            { variable: "order_status", path: "status" },
            { variable: "order_eta", path: "delivery.eta" },
          ],
        },
        position: at(0, 320),
      },
      {
        id: "found",
        type: "reply",
        version: 1,
        label: "Status",
        config: { text: "Order {{vars.order_id}} is {{vars.order_status}}. Expected delivery: {{vars.order_eta | default: 'to be confirmed'}}." },
        position: at(-200, 490),
      },
      {
        id: "not_found",
        type: "reply",
        version: 1,
        label: "Not found",
        config: { text: "I couldn't find order {{vars.order_id}}. Check the number and write “order” to try again." },
        position: at(200, 490),
      },
      {
        id: "give_up",
        type: "reply",
        version: 1,
        label: "No number",
        config: { text: "No problem: write “order” whenever you have the number at hand." },
        position: at(400, 320),
      },
    ],
    edges: [
      { id: "e1", from: "start", port: "next", to: "ask_order" },
      { id: "e2", from: "ask_order", port: "next", to: "lookup" },
      { id: "e3", from: "ask_order", port: "invalid", to: "give_up" },
      { id: "e4", from: "lookup", port: "next", to: "found" },
      { id: "e5", from: "lookup", port: "error", to: "not_found" },
    ],
  },
};
