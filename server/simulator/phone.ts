// The built-in WhatsApp simulator: a fake customer phone and a fake Graph API that sit
// at the two ends of Parley's real path. The phone posts Meta-shaped, correctly signed
// webhooks to the app's own ingress; the simulator channel's Graph URL points at this
// app, whose fake Graph endpoint records what the bot sends so the phone can show it.
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { db, Prisma } from "@/server/db/client";
import { whatsappWebhookEnvelope } from "@/server/channels/whatsapp/envelope";
import { signBody } from "@/server/channels/whatsapp/signature";
import { decryptSecret } from "@/server/security/secrets";
import { CUSTOMER_SERVICE_WINDOW_MS } from "@/flows/message";
import { log } from "@/server/observability/log";
import { checkGraphSend, graphErrorBody, type GraphRefusal } from "./graph-rules";
import { renderTemplate, SIMULATOR_TEMPLATES, templateRefusal } from "./templates";
import { mediaStore } from "@/server/media/storage";
import { MAX_SIMULATED_MEDIA_BYTES } from "./limits";

export const SIMULATOR_GRAPH_PATH = "/api/simulator/graph";

export function isSimulatorChannel(channel: { graphBaseUrl: string | null }): boolean {
  return channel.graphBaseUrl?.endsWith(SIMULATOR_GRAPH_PATH) ?? false;
}

function newWamid(): string {
  return `wamid.SIM${randomBytes(12).toString("hex").toUpperCase()}`;
}

export const customerMessageSchema = z.union([
  z.object({ kind: z.literal("text"), text: z.string().trim().min(1).max(4096) }),
  z.object({ kind: z.literal("button"), id: z.string().min(1).max(256), title: z.string().min(1).max(20) }),
  z.object({ kind: z.literal("list"), id: z.string().min(1).max(200), title: z.string().min(1).max(24) }),
  /** A template's quick reply button: WhatsApp sends its text as the payload unless the send set one. */
  z.object({ kind: z.literal("template"), id: z.string().min(1).max(256), title: z.string().min(1).max(25) }),
  /** A photo, video, voice note or document, base64-encoded: WhatsApp delivers it as a media id to download. */
  z.object({
    kind: z.literal("media"),
    fileName: z.string().trim().min(1).max(240),
    mimeType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, "a MIME type such as image/jpeg"),
    dataBase64: z.string().min(1).max(Math.ceil((MAX_SIMULATED_MEDIA_BYTES * 4) / 3) + 4, `files up to ${MAX_SIMULATED_MEDIA_BYTES / 1024 / 1024} MB`),
    caption: z.string().trim().max(1024).optional(),
  }),
]);
export type CustomerMessage = z.infer<typeof customerMessageSchema>;

export async function sendAsCustomer(input: {
  channelId: string;
  workspaceId: string;
  customer: { waId: string; name: string };
  message: CustomerMessage;
}): Promise<{ wamid: string }> {
  const channel = await db().channel.findFirst({ where: { id: input.channelId, workspaceId: input.workspaceId } });
  if (!channel || !isSimulatorChannel(channel)) throw new Error("The simulator only talks to simulator channels.");
  const wamid = newWamid();
  const message = input.message.kind === "media" ? await storeCustomerMedia(input.message) : customerWireMessage(input.message);
  await db().simulatorMessage.create({
    data: { phoneNumberId: channel.phoneNumberId, waId: input.customer.waId, direction: "customer", wamid, body: message as Prisma.InputJsonValue },
  });
  await postWebhook(channel, {
    contacts: [{ profile: { name: input.customer.name }, wa_id: input.customer.waId }],
    messages: [{ from: input.customer.waId, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), ...message }],
  });
  return { wamid };
}

type CustomerMedia = Extract<CustomerMessage, { kind: "media" }>;

/** Keeps the customer's file where the fake Graph API serves it from, and names it by a media id as WhatsApp does. */
async function storeCustomerMedia(media: CustomerMedia): Promise<Record<string, unknown>> {
  const bytes = Buffer.from(media.dataBase64, "base64");
  if (bytes.length === 0 || bytes.length > MAX_SIMULATED_MEDIA_BYTES) throw new Error(`The simulator takes files up to ${MAX_SIMULATED_MEDIA_BYTES / 1024 / 1024} MB.`);
  const id = String(BigInt(`0x${randomBytes(7).toString("hex")}`));
  await mediaStore().put(`simulator/${id}`, bytes, media.mimeType);
  const type = /^image\/(jpeg|png)$/.test(media.mimeType) ? "image" : media.mimeType.startsWith("audio/") ? "audio" : media.mimeType.startsWith("video/") ? "video" : "document";
  const described = { id, mime_type: media.mimeType, sha256: createHash("sha256").update(bytes).digest("hex") };
  const caption = type === "audio" || !media.caption ? {} : { caption: media.caption };
  return { type, [type]: { ...described, ...caption, ...(type === "document" ? { filename: media.fileName } : {}) } };
}

/** The message as WhatsApp puts it in a webhook. */
function customerWireMessage(message: Exclude<CustomerMessage, CustomerMedia>): Record<string, unknown> {
  switch (message.kind) {
    case "text":
      return { type: "text", text: { body: message.text } };
    case "list":
      return { type: "interactive", interactive: { type: "list_reply", list_reply: { id: message.id, title: message.title } } };
    case "button":
      return { type: "interactive", interactive: { type: "button_reply", button_reply: { id: message.id, title: message.title } } };
    case "template":
      return { type: "button", button: { payload: message.id, text: message.title } };
  }
}

type SimulatorChannel = { phoneNumberId: string; displayPhoneNumber: string | null; appSecretCipher: string };

/** Posts a Meta-shaped, signed webhook with one change's `value` (messages or statuses) to the app's own ingress. */
async function postWebhook(channel: SimulatorChannel, value: Record<string, unknown>): Promise<void> {
  const payload = whatsappWebhookEnvelope(channel, value, "SIMULATOR-WABA");
  // Meta escapes non-ASCII characters in the JSON it signs; the simulator does the same.
  const raw = JSON.stringify(payload).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const response = await fetch(new URL("/api/webhooks/whatsapp", internalUrl()), {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-signature-256": signBody(raw, decryptSecret(channel.appSecretCipher)) },
    body: raw,
  });
  if (!response.ok) throw new Error(`The webhook refused the simulated message: ${response.status} ${await response.text()}`);
}

function internalUrl(): string {
  const url = process.env.PARLEY_INTERNAL_URL;
  if (!url) throw new Error("PARLEY_INTERNAL_URL is not set: `npm start` sets it.");
  return url;
}

const readReceiptSchema = z.object({ messaging_product: z.literal("whatsapp"), status: z.literal("read"), message_id: z.string() });

export interface GraphAnswer {
  status: number;
  body: unknown;
}

/**
 * Failures an editor asks the simulator for, to see how a flow copes: the next sends are
 * refused for throughput or the pair rate (as Meta answers the call), or accepted and then
 * reported undeliverable (as Meta does, in a status). Kept in memory per number.
 */
export const SEND_DRILLS = {
  throughput: { label: "Throughput limit (130429)", refusal: { status: 400, code: 130429, message: "(#130429) Rate limit hit" } },
  pair_rate: { label: "Pair rate limit (131056)", refusal: { status: 400, code: 131056, message: "(#131056) (Business Account, Consumer Account) pair rate limit hit" } },
  undeliverable: { label: "Undeliverable (131026)", failure: { code: 131026, title: "Message undeliverable" } },
} as const;
export type SendDrill = keyof typeof SEND_DRILLS;

const drills = (globalThis as unknown as { parleySimulatorDrills?: Map<string, { kind: SendDrill; remaining: number }> });
const drillsByNumber = () => (drills.parleySimulatorDrills ??= new Map());

export function setSendDrill(phoneNumberId: string, drill: { kind: SendDrill; count: number } | null): void {
  if (drill) drillsByNumber().set(phoneNumberId, { kind: drill.kind, remaining: drill.count });
  else drillsByNumber().delete(phoneNumberId);
}

export function sendDrill(phoneNumberId: string): { kind: SendDrill; remaining: number } | null {
  return drillsByNumber().get(phoneNumberId) ?? null;
}

function takeDrill(phoneNumberId: string): SendDrill | null {
  const drill = drillsByNumber().get(phoneNumberId);
  if (!drill) return null;
  if (--drill.remaining <= 0) drillsByNumber().delete(phoneNumberId);
  return drill.kind;
}

/**
 * The fake Graph API's POST /{version}/{phone_number_id}/messages, answering as Meta does:
 * Meta's payload rules (graph-rules.ts), the drills above, and the 24-hour window — a free-form
 * message to a contact who has not written for 24 hours is accepted, then reported failed
 * with 131047. An accepted message is then reported sent and delivered; read when the
 * simulated phone shows it (transcript).
 */
export async function receiveGraphSend(phoneNumberId: string, authorization: string | null, body: unknown): Promise<GraphAnswer> {
  const channel = await db().channel.findUnique({ where: { phoneNumberId } });
  if (!channel || !isSimulatorChannel(channel)) return refused({ status: 400, code: 100, message: `Unsupported post request. Object with ID '${phoneNumberId}' does not exist.` });
  if (authorization !== `Bearer ${decryptSecret(channel.accessTokenCipher)}`) {
    return refused({ status: 401, code: 190, message: "Invalid OAuth access token - Cannot parse access token" });
  }
  if (readReceiptSchema.safeParse(body).success) return { status: 200, body: { success: true } };
  const request = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const refusal = checkGraphSend(request) ?? (request.type === "template" ? templateRefusal(request.template as Parameters<typeof templateRefusal>[0]) : null);
  if (refusal) return refused(refusal);
  const drill = takeDrill(phoneNumberId);
  if (drill === "throughput" || drill === "pair_rate") return refused(SEND_DRILLS[drill].refusal);

  const to = String(request.to);
  const wamid = newWamid();
  await db().simulatorMessage.create({ data: { phoneNumberId, waId: to, direction: "business", wamid, body: request as Prisma.InputJsonValue } });
  const lastWrote = await db().simulatorMessage.findFirst({ where: { phoneNumberId, waId: to, direction: "customer" }, orderBy: { createdAt: "desc" }, select: { createdAt: true } });
  const windowClosed = request.type !== "template" && (!lastWrote || Date.now() - lastWrote.createdAt.getTime() >= CUSTOMER_SERVICE_WINDOW_MS);
  const failure = windowClosed ? { code: 131047, title: "Re-engagement message" } : drill === "undeliverable" ? SEND_DRILLS.undeliverable.failure : null;
  // Reported after answering, as Meta does: the app has recorded the wamid by then (or applies the status when it does).
  setTimeout(() => {
    const statuses = failure ? [status(wamid, to, "failed", failure)] : [status(wamid, to, "sent"), status(wamid, to, "delivered")];
    postWebhook(channel, { statuses }).catch((error: unknown) => log().warn({ err: error }, "the simulator could not report a status"));
  }, 50);
  return {
    status: 200,
    body: { messaging_product: "whatsapp", contacts: [{ input: to, wa_id: to }], messages: [{ id: wamid }] },
  };
}

/**
 * The fake Graph API's GET /{version}/{id}: a simulator number (the settings page's token
 * test), or a medium a simulated customer sent — its download link, type, size and SHA-256,
 * and at that link (`?download=1`) its bytes, both with the number's token as on Meta's.
 */
export async function answerGraphGet(id: string, authorization: string | null, download: boolean): Promise<GraphAnswer | { status: 200; bytes: Buffer; mimeType: string }> {
  const channels = await db().channel.findMany({ where: { graphBaseUrl: { endsWith: SIMULATOR_GRAPH_PATH } } });
  const channel = channels.find((candidate) => authorization === `Bearer ${decryptSecret(candidate.accessTokenCipher)}`);
  if (!channel) return refused({ status: 401, code: 190, message: "Invalid OAuth access token - Cannot parse access token" });
  if (id === channel.phoneNumberId) {
    return { status: 200, body: { id, display_phone_number: channel.displayPhoneNumber ?? "", verified_name: "Parley Simulator", quality_rating: "GREEN" } };
  }
  const [sent] = await db().$queryRaw<{ media: { mime_type?: string; sha256?: string } | null }[]>`
    SELECT body -> (body ->> 'type') AS media FROM "SimulatorMessage"
    WHERE "phoneNumberId" = ${channel.phoneNumberId} AND direction = 'customer' AND body -> (body ->> 'type') ->> 'id' = ${id} LIMIT 1`;
  const bytes = sent?.media ? await mediaStore().get(`simulator/${id.replace(/\D/g, "")}`) : null;
  if (!bytes) return refused({ status: 400, code: 100, message: `Unsupported get request. Object with ID '${id}' does not exist.` });
  const mimeType = sent!.media!.mime_type ?? "application/octet-stream";
  if (download) return { status: 200, bytes: Buffer.from(bytes), mimeType };
  const url = new URL(`${SIMULATOR_GRAPH_PATH}/v23.0/${id}`, internalUrl());
  url.searchParams.set("download", "1");
  return { status: 200, body: { messaging_product: "whatsapp", url: url.toString(), mime_type: mimeType, sha256: sent!.media!.sha256, file_size: bytes.byteLength, id } };
}

/** The fake Graph API's GET /{version}/{waba_id}/message_templates for the simulator number's account. */
export async function listGraphTemplates(wabaId: string, authorization: string | null): Promise<GraphAnswer> {
  const channel = await db().channel.findFirst({ where: { wabaId } });
  if (!channel || !isSimulatorChannel(channel)) return refused({ status: 400, code: 100, message: `Unsupported get request. Object with ID '${wabaId}' does not exist.` });
  if (authorization !== `Bearer ${decryptSecret(channel.accessTokenCipher)}`) {
    return refused({ status: 401, code: 190, message: "Invalid OAuth access token - Cannot parse access token" });
  }
  return { status: 200, body: { data: SIMULATOR_TEMPLATES, paging: { cursors: {} } } };
}

function refused(refusal: GraphRefusal): GraphAnswer {
  return { status: refusal.status, body: graphErrorBody(refusal) };
}

function status(wamid: string, to: string, state: "sent" | "delivered" | "read" | "failed", error?: { code: number; title: string }) {
  return {
    id: wamid,
    recipient_id: to,
    status: state,
    timestamp: String(Math.floor(Date.now() / 1000)),
    ...(error ? { errors: [{ code: error.code, title: error.title, message: error.title }] } : {}),
  };
}

/** The simulated phone's chat; showing it reads the business's messages, and the app is told so. */
export async function transcript(input: { phoneNumberId: string; waId: string; limit?: number }) {
  const rows = await db().simulatorMessage.findMany({
    where: { phoneNumberId: input.phoneNumberId, waId: input.waId },
    orderBy: { createdAt: "desc" },
    take: input.limit ?? 200,
  });
  const unread = rows.filter((row) => row.direction === "business" && row.readAt === null).map((row) => row.wamid);
  if (unread.length > 0) await reportRead(input.phoneNumberId, input.waId, unread);
  return rows.reverse().map((row) => ({ id: row.id, direction: row.direction as "customer" | "business", wamid: row.wamid, body: withRenderedTemplate(row.body), at: row.createdAt }));
}

/** A template send as posted, plus what the phone shows of it (the Graph request names the template, not its text). */
function withRenderedTemplate(body: Prisma.JsonValue): Prisma.JsonValue {
  const request = body as { type?: string; template?: Parameters<typeof renderTemplate>[0] } | null;
  if (request?.type !== "template" || !request.template) return body;
  return { ...(body as Prisma.JsonObject), rendered: renderTemplate(request.template) };
}

async function reportRead(phoneNumberId: string, waId: string, wamids: string[]): Promise<void> {
  const marked = await db().simulatorMessage.updateMany({ where: { wamid: { in: wamids }, readAt: null }, data: { readAt: new Date() } });
  const channel = await db().channel.findUnique({ where: { phoneNumberId } });
  if (marked.count === 0 || !channel) return;
  postWebhook(channel, { statuses: wamids.map((wamid) => status(wamid, waId, "read")) }).catch((error: unknown) =>
    log().warn({ err: error }, "the simulator could not report a read"),
  );
}

export async function clearTranscript(input: { phoneNumberId: string; waId: string }): Promise<void> {
  await db().simulatorMessage.deleteMany({ where: { phoneNumberId: input.phoneNumberId, waId: input.waId } });
}
