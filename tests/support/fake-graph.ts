// A stand-in for Meta's Graph API speaking its wire format: POST /{version}/{phone_number_id}/messages
// with a Bearer token answers { messaging_product, contacts, messages: [{ id }] } and records the request.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface GraphRequest {
  version: string;
  phoneNumberId: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
  wamid: string;
  at: number;
}

export interface FakeGraph {
  url: string;
  requests: GraphRequest[];
  /** Texts of the text messages sent so far, in order. */
  texts(): string[];
  /** Delay (ms) before answering the next sends whose text contains `match`. */
  delayWhen(match: string, ms: number): void;
  close(): Promise<void>;
}

export async function startFakeGraph(options: { token: string; port?: number }): Promise<FakeGraph> {
  const requests: GraphRequest[] = [];
  const delays: { match: string; ms: number }[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const match = /^\/(v[\d.]+)\/([^/]+)\/messages$/.exec(req.url ?? "");
    const reply = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (req.method !== "POST" || !match) return reply(404, { error: { message: "Unknown path", code: 100 } });
    if (req.headers.authorization !== `Bearer ${options.token}`) return reply(401, { error: { message: "Invalid OAuth access token", code: 190 } });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return reply(400, { error: { message: "Invalid JSON", code: 100 } });
    }
    if (body.status === "read") {
      requests.push({ version: match[1]!, phoneNumberId: match[2]!, authorization: req.headers.authorization, body, wamid: "", at: Date.now() });
      return reply(200, { success: true });
    }
    const text = String((body.text as { body?: string } | undefined)?.body ?? "");
    const delay = delays.find((d) => text.includes(d.match));
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay.ms));
    const wamid = `wamid.FAKE${randomBytes(8).toString("hex")}`;
    requests.push({ version: match[1]!, phoneNumberId: match[2]!, authorization: req.headers.authorization, body, wamid, at: Date.now() });
    reply(200, { messaging_product: "whatsapp", contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: wamid }] });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    texts: () => requests.filter((r) => r.body.type === "text").map((r) => String((r.body.text as { body: string }).body)),
    delayWhen: (match, ms) => delays.push({ match, ms }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
