// The lookup node through the real runtime in memory: documents and tables answered by the
// test's own knowledge base, APIs by a fake server on 127.0.0.1, and results kept for the
// conversation across runs until they expire.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { serveRoutes } from "../../../tests/support/http";
import type { KnowledgeSearchRequest, Passage, TableSearchRequest } from "../../knowledge";
import type { FlowGraph, FlowNode } from "../../schema";
import { runScripted, scriptedCache } from "../../testing";
import { validateFlow } from "../../validator";

const at = { x: 0, y: 0 };
const node = (id: string, type: string, config: Record<string, unknown>): FlowNode => ({ id, type, version: 1, config, position: at });

/** trigger → lookup → one reply per port. */
function lookupFlow(config: Record<string, unknown>, found = "{{nodes.lookup.count}} found"): FlowGraph {
  return {
    nodes: [
      node("start", "trigger", { match: "any", keywords: [] }),
      node("lookup", "lookup", config),
      node("found", "reply", { text: found }),
      node("missing", "reply", { text: "Nothing found." }),
      node("sorry", "reply", { text: "Sorry, try again later." }),
    ],
    edges: [
      { id: "1", from: "start", port: "next", to: "lookup" },
      { id: "2", from: "lookup", port: "next", to: "found" },
      { id: "3", from: "lookup", port: "not_found", to: "missing" },
      { id: "4", from: "lookup", port: "error", to: "sorry" },
    ],
  };
}

const texts = (run: Awaited<ReturnType<typeof runScripted>>) => run.sent.map((message) => ("text" in message ? message.text : message.type));
const lookupTrace = (run: Awaited<ReturnType<typeof runScripted>>) => run.traces.find((trace) => trace.nodeId === "lookup")!;

const SHIPPING: Passage = { document: "faq.md", heading: "Shipping › How long does delivery take?", text: "Delivery in mainland Spain takes 1–2 working days.", score: 12.5 };
const RETURNS: Passage = { document: "returns.html", heading: null, text: "You have 30 days to return any product.", score: 3.25 };

describe("documents", () => {
  test("passages with scores for the contact's question, and a numbered context for an LLM node", async () => {
    const searches: KnowledgeSearchRequest[] = [];
    const run = await runScripted(lookupFlow({ source: "knowledge", collection: "faq", maxResults: 2 }, "{{nodes.lookup.passages[0].text}}"), "How long is delivery?", [], {
      knowledge: (request) => (searches.push(request), { ok: true, passages: [SHIPPING, RETURNS] }),
    });
    expect(searches).toEqual([{ collection: "faq", query: "How long is delivery?", limit: 2 }]);
    expect(texts(run)).toEqual(["Delivery in mainland Spain takes 1–2 working days."]);
    expect(lookupTrace(run).port).toBe("next");
    expect(lookupTrace(run).output).toMatchObject({ source: "knowledge", collection: "faq", query: "How long is delivery?", count: 2, passages: [SHIPPING, RETURNS], cached: false });
    expect(lookupTrace(run).output!.context).toBe(
      "[1] faq.md — Shipping › How long does delivery take?\nDelivery in mainland Spain takes 1–2 working days.\n\n[2] returns.html\nYou have 30 days to return any product.",
    );
  });

  test("no passage is “not found”; a collection with no documents is an error saying where to upload", async () => {
    const none = await runScripted(lookupFlow({ source: "knowledge", collection: "faq" }), "zebra", [], { knowledge: () => ({ ok: true, passages: [] }) });
    expect(texts(none)).toEqual(["Nothing found."]);
    expect(lookupTrace(none).port).toBe("not_found");

    const unknown = await runScripted(lookupFlow({ source: "knowledge", collection: "policies" }), "returns?", [], {
      knowledge: (request) => ({ ok: false, error: `No documents in the collection “${request.collection}”: upload some in Settings → Knowledge.` }),
    });
    expect(texts(unknown)).toEqual(["Sorry, try again later."]);
    expect(lookupTrace(unknown).output).toMatchObject({ error: "No documents in the collection “policies”: upload some in Settings → Knowledge." });
  });
});

describe("tables", () => {
  const catalog = [
    { sku: "BC-KT-001", name: "Aurora electric kettle", price: "39.90" },
    { sku: "BC-KT-002", name: "Aurora gooseneck kettle", price: "54.00" },
  ];

  test("filters filled in from variables; the first row is at hand for a reply; an empty filter value is left to the server", async () => {
    const searches: TableSearchRequest[] = [];
    const run = await runScripted(
      lookupFlow(
        {
          source: "table",
          table: "products",
          query: "{{message.text}}",
          filters: [
            { column: "price", operator: "at most", value: "{{trigger.data.budget}}" },
            { column: "sku", operator: "is", value: "{{trigger.data.sku}}" },
          ],
        },
        "{{nodes.lookup.row.name}} costs {{nodes.lookup.row.price}} € ({{nodes.lookup.total}} matches)",
      ),
      null,
      [],
      {
        trigger: { kind: "event", name: "catalog.ask", data: { budget: "50" } },
        tables: (request) => (searches.push(request), { ok: true, columns: ["sku", "name", "price"], rows: [catalog[0]!], total: 1 }),
      },
    );
    expect(searches).toEqual([
      {
        table: "products",
        query: "",
        filters: [
          { column: "price", operator: "at most", value: "50" },
          { column: "sku", operator: "is", value: "" },
        ],
        limit: 3,
      },
    ]);
    expect(texts(run)).toEqual(["Aurora electric kettle costs 39.90 € (1 matches)"]);
    expect(lookupTrace(run).output).toMatchObject({ rows: [catalog[0]], count: 1, total: 1, context: "sku: BC-KT-001; name: Aurora electric kettle; price: 39.90" });
  });

  test("no row is “not found”; a bad filter is an error", async () => {
    const none = await runScripted(lookupFlow({ source: "table", table: "products", query: "{{message.text}}" }), "toaster", [], {
      tables: () => ({ ok: true, columns: ["sku"], rows: [], total: 0 }),
    });
    expect(lookupTrace(none).port).toBe("not_found");
    const bad = await runScripted(lookupFlow({ source: "table", table: "products", query: "x" }), "hi", [], {
      tables: () => ({ ok: false, error: "The table “products” has no column “colour”." }),
    });
    expect(lookupTrace(bad)).toMatchObject({ port: "error", output: { error: "The table “products” has no column “colour”." } });
  });
});

describe("an API", () => {
  let api: Awaited<ReturnType<typeof serveRoutes>>;
  let calls = 0;
  beforeAll(async () => {
    api = await serveRoutes([
      {
        pattern: /^\/orders\/(?<id>[^/]+)$/,
        methods: {
          GET: async (request, { params }) => {
            calls++;
            const { id } = await params;
            if (request.headers.get("authorization") !== "Bearer shop-key") return Response.json({ error: "unauthorised" }, { status: 401 });
            if (id === "BC-1") return Response.json({ order: { id, status: "shipped", items: [{ sku: "BC-KT-001" }] } });
            if (id === "BOOM") return Response.json({ error: "database down" }, { status: 500 });
            return Response.json({ error: "no such order" }, { status: 404 });
          },
        },
      },
      // Shopify's shape: a search answers 200 with an empty list when nothing matches.
      { pattern: /^\/admin\/orders\.json$/, methods: { GET: (request) => Response.json({ orders: new URL(request.url).searchParams.get("name") === "#1001" ? [{ id: 1001, fulfillment_status: "fulfilled" }] : [] }) } },
    ]);
  });
  afterAll(() => api.close());

  const orderLookup = (extra: Record<string, unknown> = {}) => ({
    source: "http",
    url: `${api.url}/orders/{{message.text | url_encode}}`,
    headers: [{ name: "Authorization", value: "Bearer shop-key" }],
    mapping: [{ variable: "order_status", path: "order.status" }],
    ...extra,
  });

  test("found: mapped variables are set; the API key is not in the trace", async () => {
    const run = await runScripted(lookupFlow(orderLookup(), "Your order is {{vars.order_status}}."), "BC-1");
    expect(texts(run)).toEqual(["Your order is shipped."]);
    expect(run.vars).toEqual({ order_status: "shipped" });
    expect(lookupTrace(run).output).toMatchObject({ source: "http", status: 200, variables: { order_status: "shipped" }, error: null, cached: false });
    expect(JSON.stringify(lookupTrace(run))).not.toContain("shop-key");
  });

  test("a 404 is “not found”, a 500 or a refused key is an error", async () => {
    const missing = await runScripted(lookupFlow(orderLookup()), "BC-404");
    expect(texts(missing)).toEqual(["Nothing found."]);
    expect(lookupTrace(missing).output).toMatchObject({ status: 404, variables: {}, error: null });
    expect(missing.vars).toEqual({});

    const failing = await runScripted(lookupFlow(orderLookup()), "BOOM");
    expect(texts(failing)).toEqual(["Sorry, try again later."]);
    expect(lookupTrace(failing).output).toMatchObject({ status: 500, error: "The API answered with status 500." });

    const refused = await runScripted(lookupFlow(orderLookup({ headers: [] })), "BC-1");
    expect(lookupTrace(refused).output).toMatchObject({ status: 401, error: "The API answered with status 401." });
  });

  test("“found when” a path holds a value: an empty list is “not found”", async () => {
    const shopify = (name: string) =>
      runScripted(
        lookupFlow({ source: "http", url: `${api.url}/admin/orders.json?name={{message.text | url_encode}}`, foundWhen: "orders[0]", mapping: [{ variable: "fulfilment", path: "orders[0].fulfillment_status" }] }, "{{vars.fulfilment}}"),
        name,
      );
    expect(texts(await shopify("#1001"))).toEqual(["fulfilled"]);
    const none = await shopify("#9999");
    expect(texts(none)).toEqual(["Nothing found."]);
    expect(none.vars).toEqual({});
  });

  test("a network failure is an error", async () => {
    const run = await runScripted(lookupFlow({ source: "http", url: "http://127.0.0.1:1/orders/x" }), "x");
    expect(lookupTrace(run)).toMatchObject({ port: "error", output: { status: null, error: expect.stringMatching(/connection failed/) } });
  });

  test("answers, “not found” included, are kept for the conversation; failures are not", async () => {
    const cache = scriptedCache();
    const before = calls;
    for (const order of ["BC-1", "BC-1", "BC-404", "BC-404", "BOOM", "BOOM"]) await runScripted(lookupFlow(orderLookup()), order, [], { cache });
    expect(calls - before).toBe(4);
  });
});

describe("caching across runs of a conversation", () => {
  let now = 0;
  const cache = scriptedCache(() => now);
  let searches = 0;
  const knowledge = () => (searches++, { ok: true as const, passages: [SHIPPING] });
  const ask = (question: string, cacheFor = "10m") => runScripted(lookupFlow({ source: "knowledge", collection: "faq", cacheFor }), question, [], { cache, knowledge });

  test("the same question within the time is answered from the cache, then searched again once it expired", async () => {
    const first = await ask("Delivery time?");
    expect(lookupTrace(first).output).toMatchObject({ cached: false });
    now += 9 * 60_000;
    const second = await ask("  delivery TIME?  ");
    expect(lookupTrace(second).output).toMatchObject({ cached: true, passages: [SHIPPING] });
    expect(texts(second)).toEqual(["1 found"]);
    expect(searches).toBe(1);

    const other = await ask("Returns?");
    expect(lookupTrace(other).output).toMatchObject({ cached: false });
    expect(searches).toBe(2);

    now += 2 * 60_000;
    const expired = await ask("Delivery time?");
    expect(lookupTrace(expired).output).toMatchObject({ cached: false });
    expect(searches).toBe(3);
  });

  test("a cache time of 0 searches every time; failures are never kept", async () => {
    const before = searches;
    await ask("Delivery time?", "0");
    await ask("Delivery time?", "0");
    expect(searches - before).toBe(2);

    let attempts = 0;
    const failing = () => (attempts++, { ok: false as const, error: "No documents in the collection “faq”." });
    for (let i = 0; i < 2; i++) await runScripted(lookupFlow({ source: "knowledge", collection: "faq" }), "Warranty?", [], { cache, knowledge: failing });
    expect(attempts).toBe(2);
  });
});

describe("design-time diagnostics", () => {
  const diagnostics = (config: Record<string, unknown>) =>
    validateFlow(lookupFlow(config, "ok"))
      .filter((d) => d.nodeId === "lookup")
      .map((d) => `${d.severity}: ${d.message}`);

  test("a valid lookup of each source has none; the API's mapped variables count as set", () => {
    expect(diagnostics({ source: "knowledge", collection: "faq" })).toEqual([]);
    expect(diagnostics({ source: "table", table: "products", filters: [{ column: "sku", operator: "is", value: "{{message.text}}" }], query: "" })).toEqual([]);
    const api = lookupFlow({ source: "http", url: "https://shop.example/orders/{{message.text}}", mapping: [{ variable: "status", path: "order.status" }] }, "{{vars.status}}");
    expect(validateFlow(api)).toEqual([]);
  });

  test("each source's required settings, names and durations", () => {
    expect(diagnostics({ source: "knowledge", collection: "" })).toEqual([expect.stringMatching(/^error: collection: name the collection/)]);
    expect(diagnostics({ source: "knowledge", collection: "My FAQ" })).toEqual([expect.stringMatching(/^error: collection: use lower-case letters/)]);
    expect(diagnostics({ source: "table", table: "products", query: "" })).toEqual([expect.stringMatching(/^error: filters: add a filter or a query/)]);
    expect(diagnostics({ source: "http" })).toEqual([expect.stringMatching(/^error: url: enter the URL to call/)]);
    expect(diagnostics({ source: "http", url: "ftp://x.example/a" })).toEqual([expect.stringMatching(/^error: url: use an http/)]);
    expect(diagnostics({ source: "knowledge", collection: "faq", cacheFor: "ten minutes" })).toEqual([expect.stringMatching(/^error: cacheFor: a duration like 30s/)]);
    expect(diagnostics({ source: "knowledge", collection: "faq", query: "{{mesage.text}}" })).toEqual(["error: query: unknown variable {{mesage.text}}"]);
  });
});
