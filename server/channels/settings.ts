// Settings → WhatsApp numbers: a workspace's channels, each with its own access token, app
// secret and verify token (encrypted with server/security/secrets.ts; tokens are write-only,
// the verify token is shown to admins to paste into Meta), the flows listening on it, a
// token test against the Graph API, and the last webhooks it received.
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { db, Prisma } from "@/server/db/client";
import { decryptSecret, encryptSecret, sha256Hex } from "@/server/security/secrets";
import { isSimulatorChannel } from "@/server/simulator/phone";
import type { CredentialsCheck, ProviderId } from "./provider";
import { providerFor } from "./providers";
import { forgetWebhookChannels } from "./ingress";
import { WEBHOOK_LOG_SIZE } from "./webhook-log";

const secretField = (what: string) => z.string().trim().max(2000, `the ${what} holds at most 2000 characters`);

export const channelInputSchema = z.object({
  /** Absent: a new number. */
  id: z.string().optional(),
  name: z.string().trim().min(1, "name the number").max(80, "at most 80 characters"),
  /** Who carries the number; it cannot change once the number is added. */
  provider: z.enum(["whatsapp_cloud", "twilio"]).default("whatsapp_cloud"),
  /** Meta: the phone number ID. Twilio: the sender's number ("+1 415 523 8886" is kept as its digits). */
  phoneNumberId: z
    .string()
    .trim()
    .transform((id) => id.replace(/[\s().+-]/g, ""))
    .pipe(z.string().regex(/^\d{5,30}$/, "Meta's phone number ID (WhatsApp → API Setup), or for Twilio the sender's number: digits")),
  /** Twilio: the Account SID. */
  accountId: z
    .string()
    .trim()
    .regex(/^(AC[0-9a-fA-F]{32})?$/, "Twilio's Account SID: AC followed by 32 hexadecimal characters")
    .default(""),
  displayPhoneNumber: z.string().trim().max(40).default(""),
  wabaId: z
    .string()
    .trim()
    .regex(/^(\d{5,30})?$/, "the WhatsApp Business Account ID: digits only")
    .default(""),
  /** Empty: WHATSAPP_GRAPH_URL, else Meta's Graph API (Twilio: TWILIO_API_URL, else Twilio's). */
  graphBaseUrl: z
    .string()
    .trim()
    .max(500)
    .refine((url) => url === "" || /^https?:\/\/[^\s]+$/i.test(url), "an http(s) URL, or empty for the provider's own API")
    .default(""),
  messagesPerSecond: z.number().int().min(1, "at least 1").max(1000, "WhatsApp allows at most 1,000 messages per second").default(80),
  /** Write-only: a new value replaces the stored one; empty keeps it (a new number needs both). Twilio: the auth token, which also signs its webhooks. */
  accessToken: secretField("access token").default(""),
  appSecret: secretField("app secret").default(""),
  /** Meta only. Empty on a new number: one is generated. Empty on an edit: kept. */
  verifyToken: z
    .string()
    .trim()
    .max(200)
    .refine((token) => token === "" || token.length >= 8, "at least 8 characters, so it cannot be guessed")
    .default(""),
});
export type ChannelInput = z.input<typeof channelInputSchema>;

export class ChannelSettingsError extends Error {
  constructor(
    readonly code: "NOT_FOUND" | "CONFLICT" | "BAD_REQUEST",
    message: string,
  ) {
    super(message);
    this.name = "ChannelSettingsError";
  }
}

export interface ChannelView {
  id: string;
  name: string;
  provider: ProviderId;
  /** "WhatsApp" or "Twilio". */
  providerTitle: string;
  phoneNumberId: string;
  displayPhoneNumber: string | null;
  /** Twilio's Account SID. */
  accountId: string | null;
  wabaId: string | null;
  graphBaseUrl: string | null;
  messagesPerSecond: number;
  /** Whether the number has what its provider needs to list its templates (Meta: a WABA id; Twilio: the Account SID). */
  templatesReady: boolean;
  /** The URL to paste into the provider's webhook settings (one for every number of a provider). */
  callbackUrl: string;
  /** Shown to admins only, to paste into Meta; null for viewers, or when only its hash is stored. */
  verifyToken: string | null;
  verifyTokenSet: boolean;
  /** The simulator's number: managed by Parley, neither edited nor deleted here. */
  simulator: boolean;
  /** The number the WHATSAPP_* variables describe: they overwrite its tokens at each start. */
  fromEnvironment: boolean;
  flows: { id: string; name: string; published: boolean }[];
  lastWebhookAt: Date | null;
}

function callbackUrl(path: string): string {
  return new URL(path, process.env.NEXTAUTH_URL ?? "http://localhost:3000").toString();
}

export async function listChannels(input: { workspaceId: string; showVerifyToken: boolean }): Promise<ChannelView[]> {
  const rows = await db().channel.findMany({
    where: { workspaceId: input.workspaceId },
    orderBy: { createdAt: "asc" },
    include: {
      flows: { where: { archivedAt: null }, select: { id: true, name: true, publishedVersionId: true }, orderBy: { name: "asc" } },
      webhookDeliveries: { select: { receivedAt: true }, orderBy: { receivedAt: "desc" }, take: 1 },
    },
  });
  return rows.map((row) => {
    const provider = providerFor(row.provider);
    return {
      id: row.id,
      name: row.name,
      provider: provider.id,
      providerTitle: provider.title,
      phoneNumberId: row.phoneNumberId,
      displayPhoneNumber: row.displayPhoneNumber,
      accountId: row.accountId,
      wabaId: row.wabaId,
      graphBaseUrl: row.graphBaseUrl,
      messagesPerSecond: row.messagesPerSecond,
      templatesReady: provider.templates.missingSetup(row) === null,
      callbackUrl: callbackUrl(provider.webhookPath),
      verifyToken: input.showVerifyToken && row.verifyTokenCipher ? readable(row.verifyTokenCipher) : null,
      verifyTokenSet: row.verifyTokenHash !== null,
      simulator: isSimulatorChannel(row),
      fromEnvironment: row.phoneNumberId === process.env.WHATSAPP_PHONE_NUMBER_ID,
      flows: row.flows.map((flow) => ({ id: flow.id, name: flow.name, published: flow.publishedVersionId !== null })),
      lastWebhookAt: row.webhookDeliveries[0]?.receivedAt ?? null,
    };
  });
}

/** A stored secret, or null when PARLEY_SECRET_KEY changed since it was written. */
function readable(cipher: string): string | null {
  try {
    return decryptSecret(cipher);
  } catch {
    return null;
  }
}

async function ownChannel(workspaceId: string, id: string) {
  const channel = await db().channel.findFirst({ where: { id, workspaceId } });
  if (!channel) throw new ChannelSettingsError("NOT_FOUND", "No such number in this workspace: it may have been deleted.");
  return channel;
}

/** Adds or edits a number; the audit log records what changed, secrets as "set", never their values. */
export async function saveChannel(input: { workspaceId: string; userId: string; channel: z.output<typeof channelInputSchema> }): Promise<{ id: string; verifyToken: string | null }> {
  const { workspaceId, userId, channel } = input;
  const existing = channel.id === undefined ? null : await ownChannel(workspaceId, channel.id);
  if (existing && isSimulatorChannel(existing)) throw new ChannelSettingsError("BAD_REQUEST", "The simulator's number is managed by Parley.");
  if (existing && existing.provider !== channel.provider) throw new ChannelSettingsError("BAD_REQUEST", "A number's provider cannot change: delete it and add it again.");
  const twilio = channel.provider === "twilio";
  // Twilio signs its webhooks with the auth token: it is the number's webhook secret too.
  const appSecret = twilio ? channel.accessToken : channel.appSecret;
  if (!existing && (!channel.accessToken || !appSecret)) {
    throw new ChannelSettingsError(
      "BAD_REQUEST",
      twilio ? "A new Twilio number needs its account's auth token." : "A new number needs its access token and app secret (Meta's App settings → Basic → App secret).",
    );
  }
  if (twilio && !channel.accountId) throw new ChannelSettingsError("BAD_REQUEST", "A Twilio number needs its Account SID.");
  const verifyToken = twilio ? null : channel.verifyToken || (existing ? null : randomBytes(18).toString("base64url"));
  const fields = {
    name: channel.name,
    provider: channel.provider,
    accountId: channel.accountId || null,
    phoneNumberId: channel.phoneNumberId,
    displayPhoneNumber: channel.displayPhoneNumber || null,
    wabaId: channel.wabaId || null,
    graphBaseUrl: channel.graphBaseUrl ? channel.graphBaseUrl.replace(/\/+$/, "") : null,
    messagesPerSecond: channel.messagesPerSecond,
    ...(channel.accessToken ? { accessTokenCipher: encryptSecret(channel.accessToken) } : {}),
    ...(appSecret ? { appSecretCipher: encryptSecret(appSecret) } : {}),
    ...(verifyToken ? { verifyTokenHash: sha256Hex(verifyToken), verifyTokenCipher: encryptSecret(verifyToken) } : {}),
  };
  const details = {
    name: fields.name,
    provider: fields.provider,
    accountId: fields.accountId,
    phoneNumberId: fields.phoneNumberId,
    wabaId: fields.wabaId,
    graphBaseUrl: fields.graphBaseUrl,
    messagesPerSecond: fields.messagesPerSecond,
    ...(channel.accessToken ? { accessToken: "set" } : {}),
    ...(appSecret && !twilio ? { appSecret: "set" } : {}),
    ...(verifyToken ? { verifyToken: "set" } : {}),
  };
  try {
    return await db().$transaction(async (tx) => {
      if (!existing) {
        const created = await tx.channel.create({
          data: { workspaceId, ...fields, accessTokenCipher: encryptSecret(channel.accessToken), appSecretCipher: encryptSecret(appSecret) },
          select: { id: true },
        });
        await tx.auditLog.create({ data: { workspaceId, userId, action: "channel.create", target: created.id, details } });
        return { id: created.id, verifyToken };
      }
      await tx.channel.update({ where: { id: existing.id }, data: fields });
      await tx.auditLog.create({ data: { workspaceId, userId, action: "channel.update", target: existing.id, details } });
      return { id: existing.id, verifyToken };
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const target = String(error.meta?.target ?? "");
      throw new ChannelSettingsError(
        "CONFLICT",
        target.includes("verifyToken") ? "Another number uses this verify token: choose another." : `The phone number ID ${channel.phoneNumberId} is already set up (here or in another workspace).`,
      );
    }
    throw error;
  } finally {
    forgetWebhookChannels();
  }
}

/** Deletes a number with its conversations and messages (the page asks for confirmation first). */
export async function deleteChannel(input: { workspaceId: string; userId: string; id: string }): Promise<void> {
  const channel = await ownChannel(input.workspaceId, input.id);
  if (isSimulatorChannel(channel)) throw new ChannelSettingsError("BAD_REQUEST", "The simulator's number is managed by Parley and cannot be deleted.");
  await db().$transaction([
    db().channel.delete({ where: { id: channel.id } }),
    db().auditLog.create({
      data: { workspaceId: input.workspaceId, userId: input.userId, action: "channel.delete", target: channel.id, details: { name: channel.name, phoneNumberId: channel.phoneNumberId } },
    }),
  ]);
  forgetWebhookChannels();
}

/** Sets the flows listening on a number (a flow may listen on several). */
export async function setChannelFlows(input: { workspaceId: string; userId: string; id: string; flowIds: string[] }): Promise<void> {
  const channel = await ownChannel(input.workspaceId, input.id);
  const flows = await db().flow.findMany({ where: { id: { in: input.flowIds }, workspaceId: input.workspaceId }, select: { id: true } });
  if (flows.length !== new Set(input.flowIds).size) throw new ChannelSettingsError("BAD_REQUEST", "One of these flows is not in your workspace (any more): reload the page.");
  await db().$transaction([
    db().channel.update({ where: { id: channel.id }, data: { flows: { set: flows } } }),
    db().auditLog.create({ data: { workspaceId: input.workspaceId, userId: input.userId, action: "channel.flows", target: channel.id, details: { flowIds: input.flowIds } } }),
  ]);
}

/**
 * Asks the provider about the number with its stored credentials (Meta: GET /{phone_number_id}).
 * A display number the provider reports fills in the stored one when empty.
 */
export async function testChannelToken(input: { workspaceId: string; id: string }): Promise<CredentialsCheck> {
  const channel = await ownChannel(input.workspaceId, input.id);
  if (readable(channel.accessTokenCipher) === null) return { ok: false, error: "The stored token cannot be decrypted (was PARLEY_SECRET_KEY changed?): enter it again." };
  const check = await providerFor(channel.provider).checkCredentials(channel);
  if (check.ok && check.displayPhoneNumber && !channel.displayPhoneNumber) {
    await db().channel.update({ where: { id: channel.id }, data: { displayPhoneNumber: check.displayPhoneNumber } });
  }
  return check;
}

export async function webhookDeliveries(input: { workspaceId: string; id: string }) {
  const channel = await ownChannel(input.workspaceId, input.id);
  return db().webhookDelivery.findMany({
    where: { channelId: channel.id },
    orderBy: { receivedAt: "desc" },
    take: WEBHOOK_LOG_SIZE,
    select: { id: true, receivedAt: true, signatureOk: true, httpStatus: true, messages: true, statuses: true, problem: true },
  });
}
