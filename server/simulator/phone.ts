// The built-in WhatsApp simulator: a fake customer phone and a fake Graph API that sit
// at the two ends of Parley's real path. The phone posts Meta-shaped, correctly signed
// webhooks to the app's own ingress; the simulator channel's Graph URL points at this
// app, whose fake Graph endpoint records what the bot sends so the phone can show it.
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { db, Prisma } from "@/server/db/client";
import { signBody } from "@/server/channels/whatsapp/signature";
import { decryptSecret } from "@/server/security/secrets";

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
  const message =
    input.message.kind === "text"
      ? { type: "text", text: { body: input.message.text } }
      : input.message.kind === "list"
        ? { type: "interactive", interactive: { type: "list_reply", list_reply: { id: input.message.id, title: input.message.title } } }
        : { type: "interactive", interactive: { type: "button_reply", button_reply: { id: input.message.id, title: input.message.title } } };
  const payload = {
    object: "whatsapp_business_account",
    entry: [
      {
        id: "SIMULATOR-WABA",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: channel.displayPhoneNumber ?? "", phone_number_id: channel.phoneNumberId },
              contacts: [{ profile: { name: input.customer.name }, wa_id: input.customer.waId }],
              messages: [{ from: input.customer.waId, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), ...message }],
            },
          },
        ],
      },
    ],
  };
  await db().simulatorMessage.create({
    data: { phoneNumberId: channel.phoneNumberId, waId: input.customer.waId, direction: "customer", wamid, body: message as Prisma.InputJsonValue },
  });
  // Meta escapes non-ASCII characters in the JSON it signs; the simulator does the same.
  const raw = JSON.stringify(payload).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const response = await fetch(new URL("/api/webhooks/whatsapp", internalUrl()), {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-signature-256": signBody(raw, decryptSecret(channel.appSecretCipher)) },
    body: raw,
  });
  if (!response.ok) throw new Error(`The webhook refused the simulated message: ${response.status} ${await response.text()}`);
  return { wamid };
}

function internalUrl(): string {
  const url = process.env.PARLEY_INTERNAL_URL;
  if (!url) throw new Error("PARLEY_INTERNAL_URL is not set: `npm start` sets it.");
  return url;
}

const graphSendSchema = z.looseObject({
  messaging_product: z.literal("whatsapp"),
  to: z.string().min(1).optional(),
  type: z.string().optional(),
  status: z.literal("read").optional(),
  message_id: z.string().optional(),
});

export interface GraphAnswer {
  status: number;
  body: unknown;
}

const graphError = (status: number, code: number, message: string): GraphAnswer => ({
  status,
  body: { error: { message, type: "OAuthException", code, fbtrace_id: "simulator" } },
});

/** The fake Graph API's POST /{version}/{phone_number_id}/messages, answering as Meta does. */
export async function receiveGraphSend(phoneNumberId: string, authorization: string | null, body: unknown): Promise<GraphAnswer> {
  const channel = await db().channel.findUnique({ where: { phoneNumberId } });
  if (!channel || !isSimulatorChannel(channel)) return graphError(400, 100, `Unsupported post request. Object with ID '${phoneNumberId}' does not exist.`);
  if (authorization !== `Bearer ${decryptSecret(channel.accessTokenCipher)}`) {
    return graphError(401, 190, "Invalid OAuth access token - Cannot parse access token");
  }
  const request = graphSendSchema.safeParse(body);
  if (!request.success) return graphError(400, 100, `(#100) Invalid parameter: ${z.prettifyError(request.error)}`);
  if (request.data.status === "read") return { status: 200, body: { success: true } };
  if (!request.data.to || !request.data.type) return graphError(400, 100, "(#100) The parameter to and type are required.");
  const wamid = newWamid();
  await db().simulatorMessage.create({
    data: { phoneNumberId, waId: request.data.to, direction: "business", wamid, body: request.data as Prisma.InputJsonValue },
  });
  return {
    status: 200,
    body: { messaging_product: "whatsapp", contacts: [{ input: request.data.to, wa_id: request.data.to }], messages: [{ id: wamid }] },
  };
}

export async function transcript(input: { phoneNumberId: string; waId: string; limit?: number }) {
  const rows = await db().simulatorMessage.findMany({
    where: { phoneNumberId: input.phoneNumberId, waId: input.waId },
    orderBy: { createdAt: "desc" },
    take: input.limit ?? 200,
  });
  return rows.reverse().map((row) => ({ id: row.id, direction: row.direction as "customer" | "business", wamid: row.wamid, body: row.body, at: row.createdAt }));
}

export async function clearTranscript(input: { phoneNumberId: string; waId: string }): Promise<void> {
  await db().simulatorMessage.deleteMany({ where: { phoneNumberId: input.phoneNumberId, waId: input.waId } });
}
