// The SSRF guard against a local fake API on 127.0.0.1. Loopback is refused by default, so
// every test that expects an answer allowlists 127.0.0.1 explicitly; host names are resolved
// by an injected resolver, so nothing here needs DNS or the internet.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { checkAddress, outboundFetch, OutboundHttpError, parseAllowlist, redactUrl, type ResolvedAddress } from "./outbound-http";

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;
const routes = new Map<string, Handler>();
let server: Server;
let base: string;
let port: number;

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const handler = routes.get(new URL(request.url ?? "/", "http://x").pathname);
      if (!handler) return void response.writeHead(404).end("not found");
      handler(request, Buffer.concat(chunks).toString("utf8"), response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const local = { allowlist: "127.0.0.1" };
const resolver =
  (table: Record<string, string[]>) =>
  async (hostname: string): Promise<ResolvedAddress[]> =>
    (table[hostname] ?? []).map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

async function refusal(promise: Promise<unknown>): Promise<OutboundHttpError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OutboundHttpError);
  return error as OutboundHttpError;
}

describe("address policy", () => {
  const none = parseAllowlist("");
  test.each([
    ["127.0.0.1", "loopback"],
    ["127.8.9.10", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["169.254.1.1", "link-local"],
    ["169.254.169.254", "cloud metadata"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fc00::1", "unique local"],
    ["fd12:3456::1", "unique local"],
    ["fe80::1", "link-local"],
    ["ff02::1", "multicast"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:10.0.0.1", "private"],
    ["64:ff9b::a00:1", "special-purpose"],
    ["fd00:ec2::254", "cloud metadata"],
  ])("%s is refused (%s)", (address, kind) => {
    const verdict = checkAddress(address, address, none);
    expect(verdict.allowed).toBe(false);
    if (!verdict.allowed) expect(verdict.reason).toContain(kind);
  });

  test.each(["8.8.8.8", "172.32.0.1", "2606:4700:4700::1111"])("%s is public and allowed", (address) => {
    expect(checkAddress(address, address, none)).toEqual({ allowed: true });
  });

  test("the allowlist opens hosts and ranges, never the metadata service", () => {
    const allowlist = parseAllowlist(" intranet.corp , *.svc.local, 10.0.0.0/8, 127.0.0.1, [::1] ");
    expect(checkAddress("10.9.8.7", "api.example", allowlist)).toEqual({ allowed: true });
    expect(checkAddress("192.168.0.5", "intranet.corp", allowlist)).toEqual({ allowed: true });
    expect(checkAddress("192.168.0.5", "orders.svc.local", allowlist)).toEqual({ allowed: true });
    expect(checkAddress("127.0.0.1", "localhost", allowlist)).toEqual({ allowed: true });
    expect(checkAddress("::1", "localhost", allowlist)).toEqual({ allowed: true });
    expect(checkAddress("127.0.0.2", "localhost", allowlist).allowed).toBe(false);
    expect(checkAddress("192.168.0.5", "other.corp", allowlist).allowed).toBe(false);
    expect(checkAddress("169.254.169.254", "169.254.169.254", parseAllowlist("0.0.0.0/0, 169.254.0.0/16")).allowed).toBe(false);
  });

  test("an allowlist entry that is neither host nor range is an error, not silently ignored", () => {
    expect(() => parseAllowlist("10.0.0.0/33")).toThrow(/PARLEY_HTTP_ALLOWLIST.*10\.0\.0\.0\/33/);
    expect(() => parseAllowlist("http://intranet")).toThrow(/neither a host nor a CIDR/);
  });
});

describe("outboundFetch", () => {
  routes.set("/hello", (request, body, response) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ method: request.method, body, auth: request.headers.authorization ?? null, host: request.headers.host }));
  });

  test("answers from an allowlisted local API", async () => {
    const response = await outboundFetch({ method: "POST", url: `${base}/hello`, body: "{}", headers: { authorization: "Bearer k" } }, local);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ method: "POST", body: "{}", auth: "Bearer k", host: `127.0.0.1:${port}` });
    expect(response.headers["content-type"]).toBe("application/json");
  });

  test("without the allowlist, loopback, metadata and hosts resolving to private addresses are refused", async () => {
    const noAllowlist = { allowlist: "" };
    expect((await refusal(outboundFetch({ method: "GET", url: `${base}/hello` }, noAllowlist))).message).toMatch(/127\.0\.0\.1 a loopback address/);
    expect((await refusal(outboundFetch({ method: "GET", url: "http://169.254.169.254/latest/meta-data/" }, noAllowlist))).message).toMatch(/cloud metadata/);
    expect((await refusal(outboundFetch({ method: "GET", url: "http://[::1]:1/" }, noAllowlist))).kind).toBe("refused");
    expect((await refusal(outboundFetch({ method: "GET", url: "http://2130706433/" }, noAllowlist))).message).toMatch(/127\.0\.0\.1/);
    const intranet = await refusal(outboundFetch({ method: "GET", url: "http://intranet.example/" }, { ...noAllowlist, resolve: resolver({ "intranet.example": ["10.1.2.3"] }) }));
    expect(intranet).toMatchObject({ kind: "refused" });
    expect(intranet.message).toMatch(/intranet\.example resolves to 10\.1\.2\.3, a private address/);
  });

  test("one private address among public ones is enough to refuse", async () => {
    const error = await refusal(outboundFetch({ method: "GET", url: "http://mixed.example/" }, { allowlist: "", resolve: resolver({ "mixed.example": ["93.184.216.34", "192.168.0.10"] }) }));
    expect(error.message).toMatch(/192\.168\.0\.10/);
  });

  test("connects to the address that was checked, not to a second DNS answer", async () => {
    // api.example does not exist: the request can only reach the fake API through the
    // checked address the resolver gave.
    const response = await outboundFetch({ method: "GET", url: `http://api.example:${port}/hello` }, { ...local, resolve: resolver({ "api.example": ["127.0.0.1"] }) });
    expect(JSON.parse(response.body)).toMatchObject({ host: `api.example:${port}` });
  });

  test("only http and https", async () => {
    for (const url of ["ftp://example.com/file", "file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO"]) {
      expect((await refusal(outboundFetch({ method: "GET", url }, local))).message).toMatch(/Only http and https/);
    }
    expect((await refusal(outboundFetch({ method: "GET", url: "not a url" }, local))).kind).toBe("invalid-request");
  });

  test("redirects are followed, each hop checked, at most five", async () => {
    routes.set("/hop", (request, _body, response) => {
      const left = Number(new URL(request.url!, "http://x").searchParams.get("left"));
      response.writeHead(302, { location: left > 0 ? `/hop?left=${left - 1}` : "/hello" }).end();
    });
    routes.set("/to-metadata", (_request, _body, response) => response.writeHead(301, { location: "http://169.254.169.254/latest/" }).end());
    routes.set("/to-file", (_request, _body, response) => response.writeHead(307, { location: "file:///etc/passwd" }).end());

    const followed = await outboundFetch({ method: "GET", url: `${base}/hop?left=3` }, local);
    expect(followed).toMatchObject({ status: 200, redirects: 4, url: `${base}/hello` });
    expect((await refusal(outboundFetch({ method: "GET", url: `${base}/hop?left=5` }, local))).kind).toBe("too-many-redirects");
    const metadata = await refusal(outboundFetch({ method: "GET", url: `${base}/to-metadata` }, { allowlist: "127.0.0.1, 169.254.0.0/16" }));
    expect(metadata.message).toMatch(/cloud metadata/);
    expect((await refusal(outboundFetch({ method: "GET", url: `${base}/to-file` }, local))).kind).toBe("refused");
  });

  test("a redirect to another origin drops the flow's credentials; 303 continues as GET", async () => {
    routes.set("/elsewhere", (_request, _body, response) => response.writeHead(303, { location: `http://localhost:${port}/hello` }).end());
    const response = await outboundFetch(
      { method: "POST", url: `${base}/elsewhere`, body: '{"a":1}', headers: { authorization: "Bearer secret", "x-api-key": "k", accept: "application/json" } },
      { ...local, resolve: resolver({ localhost: ["127.0.0.1"] }) },
    );
    expect(JSON.parse(response.body)).toEqual({ method: "GET", body: "", auth: null, host: `localhost:${port}` });
  });

  test("bodies over the cap are refused, compressed ones counted after decompression", async () => {
    routes.set("/big", (_request, _body, response) => response.writeHead(200).end("x".repeat(2048)));
    routes.set("/bomb", (_request, _body, response) => response.writeHead(200, { "content-encoding": "gzip" }).end(gzipSync("x".repeat(2048))));
    routes.set("/gzip", (_request, _body, response) => response.writeHead(200, { "content-encoding": "gzip" }).end(gzipSync('{"ok":true}')));
    expect((await refusal(outboundFetch({ method: "GET", url: `${base}/big` }, { ...local, maxResponseBytes: 1024 }))).kind).toBe("too-large");
    expect((await refusal(outboundFetch({ method: "GET", url: `${base}/bomb` }, { ...local, maxResponseBytes: 1024 }))).kind).toBe("too-large");
    expect((await outboundFetch({ method: "GET", url: `${base}/gzip` }, local)).body).toBe('{"ok":true}');
  });

  test("a timeout and a refused connection say so", async () => {
    routes.set("/slow", (_request, _body, response) => void setTimeout(() => response.writeHead(200).end("late"), 2_000));
    const timeout = await refusal(outboundFetch({ method: "GET", url: `${base}/slow`, signal: AbortSignal.timeout(100) }, local));
    expect(timeout.kind).toBe("timeout");
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await refusal(outboundFetch({ method: "GET", url: `http://127.0.0.1:${closedPort}/` }, local));
    expect(refused.kind).toBe("network");
    expect(refused.message).toMatch(/ECONNREFUSED/);
  });

  test("a header value with a line break is refused before anything is sent", async () => {
    const error = await refusal(outboundFetch({ method: "GET", url: `${base}/hello`, headers: { "x-id": "1\r\nx-injected: yes" } }, local));
    expect(error.kind).toBe("invalid-request");
  });
});

test("redactUrl hides secret-looking query values and user-info passwords", () => {
  expect(redactUrl("https://api.example/orders?id=42&api_key=abc&access_token=xyz&Password=p&page=2")).toBe(
    "https://api.example/orders?id=42&api_key=***&access_token=***&Password=***&page=2",
  );
  expect(redactUrl("https://user:hunter2@api.example/x?secret=s#frag")).toBe("https://user:***@api.example/x?secret=***#frag");
  expect(redactUrl("not a url?token=t")).toBe("not a url?token=***");
});
