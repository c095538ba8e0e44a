// A stand-in for Meta's Graph API speaking its wire format: POST /{version}/{phone_number_id}/messages
// with a Bearer token answers { messaging_product, contacts, messages: [{ id }] } and records the request.
// Tests can make it refuse sends as Meta does (throughput, pair rate, 5xx) and serve the
// phone number and message template reads of Settings → WhatsApp numbers, and media contacts
// sent (GET /{media-id}, then its link). Sends breaking
// Meta's payload rules are refused with Meta's codes (server/simulator/graph-rules.ts).
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { checkGraphSend, graphErrorBody } from "@/server/simulator/graph-rules";

export interface GraphRequest {
  version: string;
  phoneNumberId: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
  wamid: string;
  at: number;
}

/** How the fake answers a refused send: an HTTP status with Meta's error object. */
export interface GraphRefusal {
  status: number;
  code?: number;
  message?: string;
  /** Seconds, sent as Retry-After. */
  retryAfter?: number;
}

export interface FakeGraph {
  url: string;
  /** Messages and read receipts Meta accepted, in order. */
  requests: GraphRequest[];
  /** Sends the fake refused (refuseNext), in order: nothing of them reached the contact. */
  refused: { body: Record<string, unknown>; refusal: GraphRefusal }[];
  /** Texts of the text messages sent so far, in order. */
  texts(): string[];
  /** Delay (ms) before answering the next sends whose text contains `match`. */
  delayWhen(match: string, ms: number): void;
  /** Refuses the next `times` message sends with `refusal` (e.g. { status: 400, code: 130429 }). */
  refuseNext(refusal: GraphRefusal, times?: number): void;
  /** What GET /{phone_number_id} answers for a number (Settings' token test); unknown ids are 404. */
  phoneNumbers: Map<string, { display_phone_number: string; verified_name: string; quality_rating?: string }>;
  /** What GET /{waba_id}/message_templates lists, by WABA id. */
  templates: Map<string, Record<string, unknown>[]>;
  /** Media contacts sent, by media id: GET /{media-id} answers its link, and the link its bytes (both with the token). */
  media: Map<string, { bytes: Buffer; mimeType: string }>;
  close(): Promise<void>;
}

export async function startFakeGraph(options: { token: string; port?: number }): Promise<FakeGraph> {
  const requests: GraphRequest[] = [];
  const refused: FakeGraph["refused"] = [];
  const refusals: GraphRefusal[] = [];
  const delays: { match: string; ms: number }[] = [];
  const phoneNumbers: FakeGraph["phoneNumbers"] = new Map();
  const templates: FakeGraph["templates"] = new Map();
  const media: FakeGraph["media"] = new Map();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://graph.invalid");
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
    if (req.headers.authorization !== `Bearer ${options.token}`) return reply(401, { error: { message: "Invalid OAuth access token", type: "OAuthException", code: 190 } });

    if (req.method === "GET") {
      const file = /^\/media-files\/([^/]+)$/.exec(url.pathname);
      if (file && media.has(file[1]!)) {
        const { bytes, mimeType } = media.get(file[1]!)!;
        return res.writeHead(200, { "content-type": mimeType, "content-length": String(bytes.length) }).end(bytes);
      }
      const number = /^\/(v[\d.]+)\/([^/]+)$/.exec(url.pathname);
      if (number && media.has(number[2]!)) {
        const { bytes, mimeType } = media.get(number[2]!)!;
        const link = `http://${req.headers.host}/media-files/${number[2]}`;
        return reply(200, { messaging_product: "whatsapp", url: link, mime_type: mimeType, sha256: createHash("sha256").update(bytes).digest("hex"), file_size: bytes.length, id: number[2] });
      }
      if (number && phoneNumbers.has(number[2]!)) return reply(200, { id: number[2], ...phoneNumbers.get(number[2]!) });
      const listed = /^\/(v[\d.]+)\/([^/]+)\/message_templates$/.exec(url.pathname);
      if (listed && templates.has(listed[2]!)) {
        // Pages as Meta does: `limit` per page, `after` the cursor of the last one read.
        const all = templates.get(listed[2]!)!;
        const from = Number(url.searchParams.get("after") ?? 0);
        const to = from + Number(url.searchParams.get("limit") ?? 25);
        const more = to < all.length;
        return reply(200, { data: all.slice(from, to), paging: { cursors: { before: String(from), after: String(to) }, ...(more ? { next: `https://graph.invalid/next?after=${to}` } : {}) } });
      }
      return reply(404, { error: { message: `Unsupported get request. Object with ID '${number?.[2] ?? listed?.[2] ?? url.pathname}' does not exist`, code: 100, error_subcode: 33 } });
    }

    const match = /^\/(v[\d.]+)\/([^/]+)\/messages$/.exec(url.pathname);
    if (req.method !== "POST" || !match) return reply(404, { error: { message: "Unknown path", code: 100 } });
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
    // Meta's payload rules, as the built-in simulator checks them: a send WhatsApp would refuse fails here too.
    const invalid = checkGraphSend(body);
    if (invalid) {
      refused.push({ body, refusal: invalid });
      return reply(invalid.status, graphErrorBody(invalid));
    }
    const refusal = refusals.shift();
    if (refusal) {
      refused.push({ body, refusal });
      return reply(
        refusal.status,
        { error: { message: refusal.message ?? `Refused by the fake Graph API`, type: "OAuthException", ...(refusal.code !== undefined ? { code: refusal.code } : {}) } },
        refusal.retryAfter !== undefined ? { "retry-after": String(refusal.retryAfter) } : {},
      );
    }
    const text = String((body.text as { body?: string } | undefined)?.body ?? "");
    const delay = delays.find((d) => text.includes(d.match));
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay.ms));
    const wamid = `wamid.FAKE${randomBytes(8).toString("hex")}`;
    requests.push({ version: match[1]!, phoneNumberId: match[2]!, authorization: req.headers.authorization, body, wamid, at: Date.now() });
    const contact = typeof body.to === "string" ? { input: body.to, wa_id: body.to } : { input: body.recipient, user_id: body.recipient };
    reply(200, { messaging_product: "whatsapp", contacts: [contact], messages: [{ id: wamid }] });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    refused,
    texts: () => requests.filter((r) => r.body.type === "text").map((r) => String((r.body.text as { body: string }).body)),
    delayWhen: (match, ms) => delays.push({ match, ms }),
    refuseNext: (refusal, times = 1) => {
      for (let i = 0; i < times; i++) refusals.push(refusal);
    },
    phoneNumbers,
    templates,
    media,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
