// A stand-in for Twilio's Messages API: POST /2010-04-01/Accounts/{AccountSid}/Messages.json,
// form-encoded with Basic credentials, answers 201 { sid, status: "queued" } and records the
// form; GET /2010-04-01/Accounts/{AccountSid}.json answers the account, and a media path its file; POST
// /v2/Indicators/Typing.json (the Messaging API's typing indicator) is recorded. The Content API
// serves `contents`: GET /v1/Content page by page (next_page_url on Twilio's own host, as Twilio
// links it) and GET /v1/Content/{sid}/ApprovalRequests; a send with ContentSid must name one
// of them and give, in ContentVariables, every variable its types use (else 21655 or
// 21656, as Twilio answers). Tests sign and post Twilio's webhooks themselves (twilioWebhook).
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { twilioSignature } from "@/server/channels/twilio/signature";

export interface TwilioRequest {
  accountSid: string;
  form: Record<string, string>;
  sid: string;
}

/** A Content API template; `approval` is its WhatsApp approval request, absent when never submitted. */
export interface FakeContent {
  sid: string;
  friendly_name: string;
  language: string;
  types: Record<string, unknown>;
  approval?: { name: string; category: string; status: string };
}

export interface FakeTwilio {
  url: string;
  /** Messages Twilio accepted, in order. */
  messages: TwilioRequest[];
  /** The message SIDs typing indicators were sent for, in order. */
  typingIndicators: string[];
  /** The account's Content templates, in the order GET /v1/Content lists them. */
  contents: FakeContent[];
  /** Media contacts sent, by path (/2010-04-01/Accounts/{sid}/Messages/{MM…}/Media/{ME…}): GET answers the bytes. */
  media: Map<string, { bytes: Buffer; mimeType: string }>;
  /** Refuses the next `times` sends with Twilio's error object. */
  refuseNext(refusal: { status: number; code: number; message?: string }, times?: number): void;
  close(): Promise<void>;
}

/** The {{n}} variables a Content type's fields use (a template's types share its variables). */
const variablesOf = (type: unknown) => [...JSON.stringify(type ?? null).matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((match) => match[1]!);

export async function startFakeTwilio(options: { accountSid: string; authToken: string; contentPageSize?: number }): Promise<FakeTwilio> {
  const messages: TwilioRequest[] = [];
  const contents: FakeContent[] = [];
  const refusals: { status: number; code: number; message?: string }[] = [];
  const media: FakeTwilio["media"] = new Map();
  const typingIndicators: string[] = [];
  const expected = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString("base64")}`;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const reply = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    const path = new URL(req.url ?? "/", "http://twilio.invalid").pathname;
    if (req.headers.authorization !== expected) return reply(401, { code: 20003, message: "Authenticate", more_info: "https://www.twilio.com/docs/errors/20003", status: 401 });
    if (req.method === "GET" && path === `/2010-04-01/Accounts/${options.accountSid}.json`) {
      return reply(200, { sid: options.accountSid, friendly_name: "Parley test account", status: "active" });
    }
    if (req.method === "POST" && path === "/v2/Indicators/Typing.json") {
      const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
      if (form.get("channel") !== "whatsapp" || !/^(SM|MM)/.test(form.get("messageId") ?? "")) return reply(400, { code: 20001, message: "Invalid messageId or channel", status: 400 });
      typingIndicators.push(form.get("messageId")!);
      return reply(200, { success: true });
    }
    if (req.method === "GET" && path === "/v1/Content") {
      const query = new URL(req.url ?? "/", "http://twilio.invalid").searchParams;
      const pageSize = Math.min(Number(query.get("PageSize") ?? 50), options.contentPageSize ?? 1000);
      const page = Number(query.get("Page") ?? 0);
      const next = (page + 1) * pageSize < contents.length ? `https://content.twilio.com/v1/Content?PageSize=${pageSize}&Page=${page + 1}` : null;
      return reply(200, {
        contents: contents.slice(page * pageSize, (page + 1) * pageSize).map(({ approval: _, ...content }) => ({ ...content, account_sid: options.accountSid, variables: {} })),
        meta: { page, page_size: pageSize, next_page_url: next, key: "contents" },
      });
    }
    const approvalOf = /^\/v1\/Content\/(HX\w+)\/ApprovalRequests$/.exec(path);
    if (req.method === "GET" && approvalOf) {
      const content = contents.find((candidate) => candidate.sid === approvalOf[1]);
      if (!content) return reply(404, { code: 20404, message: "The requested resource was not found", status: 404 });
      return reply(200, { sid: content.sid, account_sid: options.accountSid, whatsapp: content.approval ? { type: "whatsapp", ...content.approval, rejection_reason: "" } : { status: "unsubmitted" } });
    }
    const file = req.method === "GET" ? media.get(path) : undefined;
    if (file) return res.writeHead(200, { "content-type": file.mimeType, "content-length": String(file.bytes.length) }).end(file.bytes);
    if (req.method !== "POST" || path !== `/2010-04-01/Accounts/${options.accountSid}/Messages.json`) return reply(404, { code: 20404, message: "The requested resource was not found", status: 404 });
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
    const refusal = refusals.shift();
    if (refusal) return reply(refusal.status, { code: refusal.code, message: refusal.message ?? "Refused by the fake Twilio", status: refusal.status });
    if (form.ContentSid) {
      const content = contents.find((candidate) => candidate.sid === form.ContentSid);
      if (!content) return reply(400, { code: 21655, message: "The ContentSid is Invalid", status: 400 });
      let given: unknown;
      try {
        given = JSON.parse(form.ContentVariables ?? "{}");
      } catch {
        given = null;
      }
      const used = Object.values(content.types).flatMap(variablesOf);
      if (typeof given !== "object" || given === null || used.some((key) => typeof (given as Record<string, unknown>)[key] !== "string")) {
        return reply(400, { code: 21656, message: "The ContentVariables Parameter is invalid", status: 400 });
      }
    }
    const sid = `SM${randomBytes(16).toString("hex")}`;
    messages.push({ accountSid: options.accountSid, form, sid });
    reply(201, { sid, status: "queued", from: form.From, to: form.To, body: form.Body ?? "", account_sid: options.accountSid });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    messages,
    contents,
    typingIndicators,
    media,
    refuseNext: (refusal, times = 1) => {
      for (let i = 0; i < times; i++) refusals.push(refusal);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A Twilio webhook body and its X-Twilio-Signature for `url`, as Twilio would post it. */
export function twilioWebhook(url: string, authToken: string, params: Record<string, string>): { body: string; headers: Record<string, string> } {
  const form = new URLSearchParams(params);
  return {
    body: form.toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": twilioSignature(authToken, url, form) },
  };
}
