// The HTTP request node through the real runtime in memory, against a fake API on
// 127.0.0.1, with the server's SSRF-guarded client as `ctx.fetch` (what the server wires
// in). Loopback is refused by default, so these tests allowlist 127.0.0.1 explicitly; one
// test removes the allowlist and checks the refusals. Host names are answered by a fake
// DNS, so nothing depends on the internet.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { compileFlow } from "../../compiler";
import { runFlow, type DurableSteps, type FlowServices } from "../../runtime";
import type { FlowGraph, FlowNode } from "../../schema";
import { outboundFetch } from "../../../server/security/outbound-http";
import { inbound, runScripted as runInMemory, singleNodeFlow } from "../../testing";
import { validateFlow } from "../../validator";
import http from "./index";

vi.mock("node:dns", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:dns")>();
  const fakeZone: Record<string, string> = { "intranet.example": "10.1.2.3", "orders.example": "127.0.0.1" };
  const lookup = async (hostname: string, options: import("node:dns").LookupAllOptions) => {
    const address = fakeZone[hostname];
    if (address) return [{ address, family: 4 }];
    return real.promises.lookup(hostname, options);
  };
  return { ...real, promises: { ...real.promises, lookup } };
});

interface Received {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
}
type Handler = (request: Received, response: ServerResponse) => void;

const routes = new Map<string, Handler>();
const received: Received[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://fake");
      const entry: Received = { method: request.method ?? "", path: url.pathname + url.search, headers: request.headers, body: Buffer.concat(chunks).toString("utf8") };
      received.push(entry);
      const handler = routes.get(url.pathname);
      if (!handler) return void response.writeHead(404, { "content-type": "application/json" }).end('{"error":"no such order"}');
      handler(entry, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const previousAllowlist = process.env.PARLEY_HTTP_ALLOWLIST;
beforeEach(() => {
  process.env.PARLEY_HTTP_ALLOWLIST = "127.0.0.1";
  received.length = 0;
});
afterEach(() => {
  if (previousAllowlist === undefined) delete process.env.PARLEY_HTTP_ALLOWLIST;
  else process.env.PARLEY_HTTP_ALLOWLIST = previousAllowlist;
});

const json = (status: number, value: unknown): Handler => (_request, response) => {
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
};

const runScripted = (graph: FlowGraph, first: string) => runInMemory(graph, first, [], { fetch: outboundFetch });

const at = { x: 0, y: 0 };
const node = (id: string, type: string, config: Record<string, unknown>): FlowNode => ({ id, type, version: 1, config, position: at });
const edge = (from: string, to: string, port = "next") => ({ id: `${from}-${port}-${to}`, from, port, to });

/** trigger → http → reply on success, or an apology on error. */
function orderFlow(httpConfig: Record<string, unknown>, successText = "Order {{vars.order_id}}: {{vars.order_status}}"): FlowGraph {
  return {
    nodes: [
      node("start", "trigger", { match: "any", keywords: [] }),
      node("lookup", "http", httpConfig),
      node("found", "reply", { text: successText }),
      node("sorry", "reply", { text: "Sorry, I cannot look that up right now." }),
    ],
    edges: [edge("start", "lookup"), edge("lookup", "found"), edge("lookup", "sorry", "error")],
  };
}

const texts = (run: { sent: { type: string }[] }) => run.sent.map((message) => ("text" in message ? message.text : message.type));
const traceOf = (run: Awaited<ReturnType<typeof runScripted>>, nodeId = "lookup") => run.traces.find((trace) => trace.nodeId === nodeId)!;

describe("calling an API", () => {
  test("GET with a response mapping: the mapped variables are used by the next message", async () => {
    routes.set("/orders/A17", json(200, { data: { id: "A17", items: [{ status: "shipped" }] } }));
    const run = await runScripted(
      orderFlow({
        method: "GET",
        url: `${base}/orders/{{message.text | url_encode}}?access_token=tok123&lang=en`,
        headers: [{ name: "Authorization", value: "Bearer sk_live_secret" }],
        mapping: [
          { variable: "order_id", path: "data.id" },
          { variable: "order_status", path: "data.items[0].status" },
        ],
      }),
      "A17",
    );
    expect(run.status).toBe("completed");
    expect(texts(run)).toEqual(["Order A17: shipped"]);
    expect(run.vars).toEqual({ order_id: "A17", order_status: "shipped" });
    expect(received[0]).toMatchObject({ method: "GET", path: "/orders/A17?access_token=tok123&lang=en" });
    expect(received[0]!.headers.authorization).toBe("Bearer sk_live_secret");

    const trace = traceOf(run);
    expect(trace.port).toBe("next");
    expect(trace.output).toMatchObject({
      method: "GET",
      url: `${base}/orders/A17?access_token=***&lang=en`,
      status: 200,
      attempts: 1,
      variables: { order_id: "A17", order_status: "shipped" },
      error: null,
    });
    expect(trace.output!.durationMs).toEqual(expect.any(Number));
    expect(JSON.parse(trace.output!.response as string)).toEqual({ data: { id: "A17", items: [{ status: "shipped" }] } });
    // Header values carry API keys; the query secret is redacted.
    expect(JSON.stringify(trace.output)).not.toMatch(/sk_live_secret|tok123/);
    expect(JSON.stringify(trace.input)).not.toMatch(/sk_live_secret|tok123/);
    expect(JSON.stringify(trace.input)).toContain("Authorization");
  });

  test("POST with a templated JSON body", async () => {
    routes.set("/leads", (request, response) => json(201, { lead: { id: 9, echo: JSON.parse(request.body) } })(request, response));
    const run = await runScripted(
      singleNodeFlow(http as never, {
        method: "POST",
        url: `${base}/leads`,
        body: '{"name": {{contact.name | json}}, "phone": {{contact.waId | json}}, "said": {{message.text | json}}}',
        mapping: [{ variable: "lead_id", path: "lead.id" }],
      }),
      'I want "the big plan"',
    );
    expect(received[0]!.method).toBe("POST");
    expect(received[0]!.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(received[0]!.body)).toEqual({ name: "Ana", phone: "34600000001", said: 'I want "the big plan"' });
    expect(run.vars).toEqual({ lead_id: 9 });
    expect(traceOf(run, "node").output).toMatchObject({ status: 201, variables: { lead_id: 9 } });
  });

  test("a body that is not JSON once filled in goes to the error port without calling", async () => {
    routes.set("/leads", json(201, {}));
    const run = await runScripted(orderFlow({ method: "POST", url: `${base}/leads`, body: '{"said": "{{message.text}}"}' }), 'a "quoted" word');
    expect(received).toHaveLength(0);
    expect(texts(run)).toEqual(["Sorry, I cannot look that up right now."]);
    expect(traceOf(run).output!.error).toMatch(/not valid JSON.*\| json/);
  });

  test("500, then 200: retried with backoff, the flow continues on success", async () => {
    let calls = 0;
    routes.set("/flaky", (request, response) => (++calls === 1 ? json(500, { error: "boom" }) : json(200, { status: "ok" }))(request, response));
    const run = await runScripted(orderFlow({ url: `${base}/flaky`, retries: 2, mapping: [{ variable: "order_status", path: "status" }] }, "{{vars.order_status}}"), "hi");
    expect(calls).toBe(2);
    expect(texts(run)).toEqual(["ok"]);
    expect(traceOf(run).output).toMatchObject({ status: 200, attempts: 2, error: null });
  });

  test("429 and 5xx until the retries run out: error port with the last status", async () => {
    let calls = 0;
    routes.set("/down", (request, response) => (++calls % 2 === 1 ? json(503, {}) : json(429, {}))(request, response));
    const run = await runScripted(orderFlow({ url: `${base}/down`, retries: 1 }), "hi");
    expect(calls).toBe(2);
    expect(texts(run)).toEqual(["Sorry, I cannot look that up right now."]);
    expect(traceOf(run).port).toBe("error");
    expect(traceOf(run).output).toMatchObject({ status: 429, attempts: 2, error: "The API answered with status 429 after 2 attempts." });
  });

  test("404 goes to the error port with the status and the body in the output", async () => {
    const run = await runScripted(orderFlow({ url: `${base}/orders/none`, retries: 3 }), "hi");
    expect(received).toHaveLength(1); // a 4xx is not retried
    expect(texts(run)).toEqual(["Sorry, I cannot look that up right now."]);
    expect(traceOf(run).output).toMatchObject({ status: 404, attempts: 1, response: '{"error":"no such order"}', error: "The API answered with status 404." });
    expect(run.vars).toEqual({});
  });

  test("a timeout goes to the error port", async () => {
    routes.set("/slow", (request, response) => void setTimeout(() => json(200, {})(request, response), 1_000));
    const run = await runScripted(orderFlow({ url: `${base}/slow`, timeoutMs: 150, retries: 2 }), "hi");
    expect(received).toHaveLength(1); // timeouts are not retried
    expect(traceOf(run).port).toBe("error");
    expect(traceOf(run).output).toMatchObject({ status: null, error: "No response within 150 ms." });
  });

  test("a mapping on a response that is not JSON goes to the error port; a path that finds nothing stores null", async () => {
    routes.set("/html", (_request, response) => response.writeHead(200, { "content-type": "text/html" }).end("<html>hi</html>"));
    routes.set("/partial", json(200, { data: { id: "A1" } }));
    const html = await runScripted(orderFlow({ url: `${base}/html`, mapping: [{ variable: "order_status", path: "status" }] }), "hi");
    expect(traceOf(html).port).toBe("error");
    expect(traceOf(html).output!.error).toMatch(/not JSON/);

    const partial = await runScripted(
      orderFlow({ url: `${base}/partial`, mapping: [{ variable: "order_id", path: "data.id" }, { variable: "order_status", path: "data.items[0].status" }] }, "{{vars.order_id}} {{vars.order_status | default: 'unknown'}}"),
      "hi",
    );
    expect(texts(partial)).toEqual(["A1 unknown"]);
    expect(traceOf(partial).output).toMatchObject({ variables: { order_id: "A1", order_status: null }, missing: ["order_status"] });
  });

  test("a replay of the run reuses the memoized response instead of calling again", async () => {
    routes.set("/orders/A17", json(200, { status: "shipped" }));
    const graph = orderFlow({ url: `${base}/orders/A17`, mapping: [{ variable: "order_status", path: "status" }] }, "{{vars.order_status}}");
    const memo = new Map<string, unknown>();
    const sent: string[] = [];
    const steps: DurableSteps = {
      async run<T>(id: string, body: () => Promise<T>): Promise<T> {
        if (!memo.has(id)) memo.set(id, JSON.parse(JSON.stringify((await body()) ?? null)));
        return memo.get(id) as T;
      },
      async waitForEvent() {
        return null;
      },
      async sleep() {},
    };
    const services: FlowServices = {
      async send({ message }) {
        if (message.type === "text") sent.push(message.text);
        return { messageId: `out${sent.length}` };
      },
      async takeNextMessage() {
        return null;
      },
      async stopWaiting() {},
      async handOff() {},
      async writeTrace() {},
      async finishRun() {},
      async chat() {
        return { ok: false, error: "no provider", attempts: [] };
      },
      async history() {
        return [];
      },
      async readSummary() {
        return { summary: null, older: null, recent: [] };
      },
      async saveSummary() {},
      async resolveFlow() {
        return { error: "no other flows" };
      },
      async loadFlow() {
        throw new Error("no other flows");
      },
      fetch: outboundFetch,
      async searchKnowledge() {
        return { ok: false, error: "no knowledge base" };
      },
      async searchTable() {
        return { ok: false, error: "no tables" };
      },
      async readCache() {
        return null;
      },
      async writeCache() {},
      async readSecret() {
        return null;
      },
    };
    const start = { runId: "r", flowId: "f", flowVersionId: "v", conversationId: "c", contact: { id: "c1", name: "Ana", waId: "1" }, message: inbound("hi") };
    const flow = compileFlow(graph);
    const first = await runFlow({ start, flow, steps, services, attempt: 0 });
    const replay = await runFlow({ start, flow, steps, services, attempt: 1 });
    expect(received).toHaveLength(1);
    expect(first.vars).toEqual({ order_status: "shipped" });
    expect(replay.vars).toEqual({ order_status: "shipped" });
    expect(sent).toEqual(["shipped"]);
  });
});

describe("SSRF guard", () => {
  test("without the allowlist, 127.0.0.1, the metadata address and a host resolving to a private address are refused", async () => {
    delete process.env.PARLEY_HTTP_ALLOWLIST;
    routes.set("/orders/A17", json(200, { status: "shipped" }));
    const cases: [string, RegExp][] = [
      [`${base}/orders/A17`, /127\.0\.0\.1 a loopback address/],
      ["http://169.254.169.254/latest/meta-data/iam/security-credentials/", /cloud metadata address/],
      ["http://intranet.example/admin", /intranet\.example resolves to 10\.1\.2\.3, a private address/],
      [`http://orders.example:${new URL(base).port}/orders/A17`, /orders\.example resolves to 127\.0\.0\.1, a loopback address/],
    ];
    for (const [url, reason] of cases) {
      const run = await runScripted(orderFlow({ url, retries: 3 }), "hi");
      expect(texts(run)).toEqual(["Sorry, I cannot look that up right now."]);
      const output = traceOf(run).output!;
      expect(traceOf(run).port).toBe("error");
      expect(output).toMatchObject({ status: null, attempts: 1 });
      expect(output.error).toMatch(reason);
      expect(output.error).toMatch(/PARLEY_HTTP_ALLOWLIST|never calls it/);
    }
    expect(received).toHaveLength(0);
  });

  test("allowlisting a host name opens it", async () => {
    process.env.PARLEY_HTTP_ALLOWLIST = "orders.example";
    routes.set("/orders/A17", json(200, { status: "shipped" }));
    const run = await runScripted(orderFlow({ url: `http://orders.example:${new URL(base).port}/orders/A17`, mapping: [{ variable: "order_status", path: "status" }] }, "{{vars.order_status}}"), "hi");
    expect(texts(run)).toEqual(["shipped"]);
  });
});

describe("design-time diagnostics", () => {
  const diagnostics = (config: Record<string, unknown>) =>
    validateFlow(orderFlow(config, "ok"))
      .filter((d) => d.nodeId === "lookup")
      .map((d) => `${d.severity}: ${d.message}`);

  test("a valid node has none, and declares the variables it sets", () => {
    expect(diagnostics({ url: "https://api.example.com/orders/{{message.text}}", mapping: [{ variable: "order_status", path: "data.items[0].status" }] })).toEqual([]);
    // {{vars.order_status}} in the reply is set by the mapping: no "nothing sets" warning.
    const graph = orderFlow({ url: "https://api.example.com/x", mapping: [{ variable: "order_status", path: "status" }] }, "{{vars.order_status}}");
    expect(validateFlow(graph)).toEqual([]);
  });

  test("bad URL templates", () => {
    expect(diagnostics({ url: "api.example.com/orders" })).toEqual([expect.stringMatching(/^error: url: not a valid URL/)]);
    expect(diagnostics({ url: "ftp://files.example.com/x" })).toEqual([expect.stringMatching(/^error: url: use an http:\/\/ or https:\/\/ URL/)]);
    expect(diagnostics({ url: "https://api.example.com/orders/{{message.text" })).toEqual([expect.stringMatching(/^error: url: .*not closed/)]);
    expect(diagnostics({ url: "{{vars.base_url}}/orders" })).toEqual([expect.stringMatching(/^warning: url: nothing in this flow sets \{\{vars.base_url\}\}/)]);
  });

  test("unknown variables in the URL, a header value or the body", () => {
    expect(
      diagnostics({
        method: "POST",
        url: "https://api.example.com/orders/{{order.id}}",
        headers: [{ name: "X-Api-Key", value: "{{secrets.key}}" }],
        body: '{"id": {{ordr | json}}}',
      }),
    ).toEqual(["error: url: unknown variable {{order.id}}", "error: headers: unknown variable {{secrets.key}}", "error: body: unknown variable {{ordr}}"]);
  });

  test("invalid settings", () => {
    const messages = diagnostics({
      method: "GET",
      url: "https://api.example.com/x",
      headers: [{ name: "Content-Length", value: "3" }, { name: "Bad Header", value: "x" }],
      body: "{}",
      timeoutMs: 60_000,
      retries: 5,
      mapping: [{ variable: "1st", path: "data..id" }],
    });
    expect(messages).toEqual(
      expect.arrayContaining([
        "error: headers.0.name: Parley sets this header itself",
        "error: headers.1.name: a header name has letters, digits and - only",
        "error: timeoutMs: at most 30 s",
        "error: retries: at most 3 retries",
        "error: mapping.0.variable: use letters, digits and '_' (not starting with a digit)",
        "error: mapping.0.path: a path like data.items[0].id",
      ]),
    );
    expect(diagnostics({ method: "GET", url: "https://api.example.com/x", body: "{}" })).toEqual([expect.stringMatching(/body: a GET request has no body/)]);
    expect(diagnostics({ method: "POST", url: "https://api.example.com/x", body: "{name: 1}" })).toEqual([expect.stringMatching(/body: the body is not valid JSON/)]);
    expect(diagnostics({ method: "POST", url: "https://api.example.com/x", body: "a=1", headers: [{ name: "Content-Type", value: "application/x-www-form-urlencoded" }] })).toEqual([]);
  });
});
