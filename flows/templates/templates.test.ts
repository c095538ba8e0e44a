import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { inbound, runScripted } from "../testing";
import { validateFlow } from "../validator";
import { flowTemplates } from ".";
import { faqFlow } from "./faq";
import { leadQualificationFlow } from "./lead-qualification";
import { menuFlow } from "./menu";
import { ORDER_API_PLACEHOLDER, orderStatusFlow } from "./order-status";

describe("flow templates", () => {
  test.each(flowTemplates.map((t) => [t.id, t] as const))("%s has no errors", (_, template) => {
    expect(validateFlow(template.graph).filter((d) => d.severity === "error")).toEqual([]);
  });

  test("the menu answers a valid choice and re-asks after an invalid one", async () => {
    const run = await runScripted(menuFlow.graph, "menu", ["3", " 2 "]);
    expect(run.sent.map((m) => (m.type === "text" ? m.text : m.type))).toEqual([
      "How can I help? Reply 1 for opening hours, 2 for our address.",
      "Sorry, “3” is not on the menu.",
      "How can I help? Reply 1 for opening hours, 2 for our address.",
      "You will find us at Calle Mayor 1, Madrid.",
    ]);
    expect(run.status).toBe("completed");
  });
});

describe("order status template", () => {
  // A stand-in for a shop's API on loopback, which the HTTP node may call once allowlisted.
  let shop: Server;
  let graph: typeof orderStatusFlow.graph;
  const previousAllowlist = process.env.PARLEY_HTTP_ALLOWLIST;
  beforeAll(async () => {
    shop = createServer((request, response) => {
      if (request.url === "/api/orders/A1234") {
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "shipped", delivery: { eta: "Friday" } }));
      } else {
        response.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found" }));
      }
    });
    await new Promise<void>((resolve) => shop.listen(0, "127.0.0.1", resolve));
    process.env.PARLEY_HTTP_ALLOWLIST = "127.0.0.1";
    const base = `http://127.0.0.1:${(shop.address() as AddressInfo).port}/api`;
    graph = JSON.parse(JSON.stringify(orderStatusFlow.graph).replaceAll(ORDER_API_PLACEHOLDER, base));
  });
  afterAll(async () => {
    if (previousAllowlist === undefined) delete process.env.PARLEY_HTTP_ALLOWLIST;
    else process.env.PARLEY_HTTP_ALLOWLIST = previousAllowlist;
    await new Promise((resolve) => shop.close(resolve));
  });

  const texts = (run: Awaited<ReturnType<typeof runScripted>>) => run.sent.map((m) => (m.type === "text" ? m.text : m.type));

  test("a known order is looked up and its status told", async () => {
    const run = await runScripted(graph, "Where is my order?", ["#A1234"]);
    expect(texts(run)).toEqual(["Sure! What is your order number?", "Order #A1234 is shipped. Expected delivery: Friday."]);
    expect(run.traces.find((t) => t.nodeId === "lookup")?.port).toBe("next");
  });

  test("a wrong format is asked again, an unknown order is reported", async () => {
    const run = await runScripted(graph, "order status", ["no idea!!", "ZZ999"]);
    expect(texts(run)).toEqual([
      "Sure! What is your order number?",
      "That doesn't look like an order number (like A1234). What is it?",
      "I couldn't find order ZZ999. Check the number and write “order” to try again.",
    ]);
    expect(run.traces.find((t) => t.nodeId === "lookup")?.port).toBe("error");
  });
});

describe("lead qualification template", () => {
  const qualify = (size: string, need: string) => runScripted(leadQualificationFlow.graph, "Hi, what's your pricing?", ["Ana", "Acme", inbound(size.split("|")[0]!, size.split("|")[1]!), need]);

  test("a large team ready to buy goes straight to a salesperson", async () => {
    const run = await qualify("More than 50|large", "we need a quote for 80 seats this month");
    expect(run.sent.map((m) => (m.type === "text" ? m.text : m.type))).toEqual([
      "Happy to help! What's your name?",
      "Thanks Ana! Which company are you with?",
      "buttons",
      "Last one: what would you like to achieve with us?",
      "Great, Ana: a salesperson will write to you here within the hour.",
    ]);
    expect(run.handedOff).toBe("Hot lead: Acme, more than 50 people, ready to buy");
    expect(run.vars).toMatchObject({ name: "Ana", company: "Acme", team_size: "large", lead_intent: "buy" });
    expect(run.traces.find((t) => t.nodeId === "intent")?.output).toMatchObject({ intent: "buy", decidedBy: "local" });
  });

  test("a small team ready to buy gets the pricing page; someone exploring gets the demo link", async () => {
    const small = await qualify("1–10|small", "how much would it cost us");
    expect(small.sent.at(-1)).toEqual({ type: "text", text: "Here are our plans and prices, Ana: https://example.com/pricing. Reply “quote” if you'd like a tailored offer for Acme." });
    const exploring = await qualify("11–50|medium", "just comparing a few tools, can I see a demo?");
    expect(exploring.sent.at(-1)).toMatchObject({ text: expect.stringMatching(/^Book a 20-minute demo/) });
  });

  test("an existing customer is sent to support, in Spanish too", async () => {
    const run = await qualify("1–10|small", "tengo un problema con mi factura, ya soy cliente");
    expect(run.sent.at(-1)).toMatchObject({ text: expect.stringMatching(/already a customer/) });
  });
});

describe("FAQ template", () => {
  const shipping = { document: "shop-faq.md", heading: "Shipping", text: "Orders ship within 2 working days; delivery in Spain takes 3–5 days.", score: 7.1 };
  const knowledge = (request: { query: string }) =>
    /deliver|ship/i.test(request.query) ? { ok: true as const, passages: [shipping] } : { ok: true as const, passages: [] };

  test("answers from the passages the lookup found, which the model is given", async () => {
    const prompts: string[] = [];
    const run = await runScripted(faqFlow.graph, "How long does delivery take?", [], {
      knowledge,
      model: (request) => {
        prompts.push(request.messages.map((m) => ("content" in m ? m.content : "")).join("\n"));
        return "Delivery in Spain takes 3–5 days, and orders ship within 2 working days.";
      },
    });
    expect(run.sent).toEqual([{ type: "text", text: "Delivery in Spain takes 3–5 days, and orders ship within 2 working days." }]);
    expect(prompts[0]).toContain("[1] shop-faq.md — Shipping\nOrders ship within 2 working days");
    expect(run.status).toBe("completed");
  });

  test("without a model the contact gets the fallback message and a colleague takes over", async () => {
    const run = await runScripted(faqFlow.graph, "How long does delivery take?", [], { knowledge });
    expect(run.sent).toEqual([{ type: "text", text: "Sorry, I can't look that up right now. A colleague will answer you here shortly." }]);
    expect(run.handedOff).toBe("The FAQ assistant could not answer: How long does delivery take?");
  });

  test("a question the documents do not cover is said so, without asking the model", async () => {
    let asked = false;
    const run = await runScripted(faqFlow.graph, "Do you sell gift cards?", [], {
      knowledge,
      model: () => {
        asked = true;
        return "?";
      },
    });
    expect(run.sent).toEqual([{ type: "text", text: "I couldn't find that in our help pages. Write “person” and a colleague will answer you." }]);
    expect(asked).toBe(false);
  });
});
