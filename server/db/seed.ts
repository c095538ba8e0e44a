// Idempotent first-start content: a demo workspace, an admin, the simulator channel, the
// channel named by WHATSAPP_* variables, and a published demo flow listening on both.
// A second run with the same settings writes nothing.
import { randomBytes } from "node:crypto";
import { demoFlow } from "@/flows/templates/demo";
import { hashPassword, verifyPassword } from "@/server/auth/password";
import { decryptSecret, encryptSecret, sha256Hex } from "@/server/security/secrets";
import { publishFlow } from "@/server/flows/publish";
import { SIMULATOR_WABA_ID } from "@/server/simulator/templates";
import type { Db } from "./client";
import { Prisma } from "./client";

export const SIMULATOR_PHONE_NUMBER_ID = "100000000000001";

export interface SeedOptions {
  adminEmail?: string;
  adminPassword?: string;
  /** The app's own address: the simulator channel's Graph API is the app's fake endpoint. */
  internalUrl: string;
  envChannel?: { phoneNumberId: string; accessToken: string; appSecret: string; verifyToken: string; graphBaseUrl?: string };
}

export interface SeedResult {
  /** Set only when this run created the admin with a generated password: print it once. */
  generatedAdmin?: { email: string; password: string };
  changed: string[];
}

export async function seed(db: Db, options: SeedOptions): Promise<SeedResult> {
  const changed: string[] = [];
  let workspace = await db.workspace.findUnique({ where: { slug: "demo" } });
  if (!workspace) {
    workspace = await db.workspace.create({ data: { name: "Demo workspace", slug: "demo" } });
    changed.push("workspace");
  }

  const result: SeedResult = { changed };
  const adminEmail = (options.adminEmail ?? "admin@parley.local").toLowerCase();
  const admin = await db.user.findUnique({ where: { email: adminEmail } });
  if (!admin) {
    const password = options.adminPassword ?? randomBytes(12).toString("base64url");
    const user = await db.user.create({ data: { email: adminEmail, name: "Admin", passwordHash: await hashPassword(password) } });
    await db.membership.create({ data: { workspaceId: workspace.id, userId: user.id, role: "owner" } });
    if (!options.adminPassword) result.generatedAdmin = { email: adminEmail, password };
    changed.push("admin");
  } else if (options.adminPassword && !(await verifyPassword(options.adminPassword, admin.passwordHash))) {
    await db.user.update({ where: { id: admin.id }, data: { passwordHash: await hashPassword(options.adminPassword) } });
    changed.push("admin password");
  }

  const simulatorGraphUrl = new URL("/api/simulator/graph", options.internalUrl).toString();
  let simulator = await db.channel.findUnique({ where: { phoneNumberId: SIMULATOR_PHONE_NUMBER_ID } });
  if (!simulator) {
    simulator = await db.channel.create({
      data: {
        workspaceId: workspace.id,
        name: "Simulator",
        phoneNumberId: SIMULATOR_PHONE_NUMBER_ID,
        displayPhoneNumber: "+1 555 0100",
        graphBaseUrl: simulatorGraphUrl,
        wabaId: SIMULATOR_WABA_ID,
        accessTokenCipher: encryptSecret(randomBytes(24).toString("base64url")),
        appSecretCipher: encryptSecret(randomBytes(24).toString("hex")),
      },
    });
    changed.push("simulator channel");
  } else if (simulator.graphBaseUrl !== simulatorGraphUrl || !simulator.wabaId) {
    simulator = await db.channel.update({ where: { id: simulator.id }, data: { graphBaseUrl: simulatorGraphUrl, wabaId: simulator.wabaId ?? SIMULATOR_WABA_ID } });
    changed.push("simulator address");
  }

  const channelIds = [simulator.id];
  if (options.envChannel) {
    const id = await upsertEnvChannel(db, workspace.id, options.envChannel, changed);
    channelIds.push(id);
  }

  let flow = await db.flow.findFirst({ where: { workspaceId: workspace.id, name: demoFlow.name }, include: { channels: { select: { id: true } } } });
  if (!flow) {
    flow = await db.flow.create({
      data: {
        workspaceId: workspace.id,
        name: demoFlow.name,
        draft: demoFlow.graph as Prisma.InputJsonValue,
        channels: { connect: channelIds.map((id) => ({ id })) },
      },
      include: { channels: { select: { id: true } } },
    });
    await publishFlow({ flowId: flow.id, db });
    changed.push("demo flow");
  } else {
    const missing = channelIds.filter((id) => !flow!.channels.some((channel) => channel.id === id));
    if (missing.length > 0) {
      await db.flow.update({ where: { id: flow.id }, data: { channels: { connect: missing.map((id) => ({ id })) } } });
      changed.push("demo flow channels");
    }
  }
  return result;
}

async function upsertEnvChannel(db: Db, workspaceId: string, env: NonNullable<SeedOptions["envChannel"]>, changed: string[]): Promise<string> {
  const existing = await db.channel.findUnique({ where: { phoneNumberId: env.phoneNumberId } });
  const verifyTokenHash = sha256Hex(env.verifyToken);
  const graphBaseUrl = env.graphBaseUrl ?? null;
  if (!existing) {
    const created = await db.channel.create({
      data: {
        workspaceId,
        name: `WhatsApp ${env.phoneNumberId}`,
        phoneNumberId: env.phoneNumberId,
        graphBaseUrl,
        accessTokenCipher: encryptSecret(env.accessToken),
        appSecretCipher: encryptSecret(env.appSecret),
        verifyTokenHash,
      },
    });
    changed.push("env channel");
    return created.id;
  }
  const same =
    existing.verifyTokenHash === verifyTokenHash &&
    existing.graphBaseUrl === graphBaseUrl &&
    decryptSecret(existing.accessTokenCipher) === env.accessToken &&
    decryptSecret(existing.appSecretCipher) === env.appSecret;
  if (!same) {
    await db.channel.update({
      where: { id: existing.id },
      data: { graphBaseUrl, verifyTokenHash, accessTokenCipher: encryptSecret(env.accessToken), appSecretCipher: encryptSecret(env.appSecret) },
    });
    changed.push("env channel");
  }
  return existing.id;
}
