// Settings → WhatsApp numbers through the tRPC router on a running Parley: numbers added,
// edited and deleted by admins only, secrets encrypted and never returned, the verify token
// working in Meta's handshake, the token tested against the (fake) Graph API, the last
// webhooks logged per number (bounded), and flows bound to numbers.
import { beforeAll, describe, expect, test } from "vitest";
import type { Viewer } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { decryptSecret } from "@/server/security/secrets";
import { appRouter } from "@/server/trpc/root";
import { CHANNEL, eventually, useParley } from "../../tests/support/parley";
import { WEBHOOK_LOG_SIZE } from "./webhook-log";
import { whatsappWebhookEnvelope } from "./whatsapp/envelope";

const parley = useParley();
let admin: ReturnType<typeof appRouter.createCaller>;
let viewer: ReturnType<typeof appRouter.createCaller>;
let workspaceId: string;

const NUMBER = { phoneNumberId: "222000111222", appSecret: "second-number-app-secret", accessToken: CHANNEL.accessToken };

beforeAll(async () => {
  const membership = await db().membership.findFirstOrThrow({ include: { user: true } });
  workspaceId = membership.workspaceId;
  const as = (role: Viewer["role"]) => appRouter.createCaller({ viewer: { userId: membership.userId, email: membership.user.email, workspaceId, role } });
  admin = as("admin");
  viewer = as("viewer");
});

const envelope = (phoneNumberId: string, from: string, wamid: string) =>
  whatsappWebhookEnvelope(
    { phoneNumberId, displayPhoneNumber: "15550002222" },
    { contacts: [{ profile: { name: "Iker" }, wa_id: from }], messages: [{ from, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "kaixo" } }] },
    "WABA-2",
  );

describe("adding a number", () => {
  let id: string;
  let verifyToken: string;

  test("an admin adds one: secrets are stored encrypted, a verify token is made, the audit log says what changed", async () => {
    const saved = await admin.channels.save({ name: "Bilbao shop", ...NUMBER, graphBaseUrl: parley.graph.url, wabaId: "555000111" });
    id = saved.id;
    verifyToken = saved.verifyToken!;
    expect(verifyToken.length).toBeGreaterThanOrEqual(20);
    const row = await db().channel.findUniqueOrThrow({ where: { id } });
    expect(row.accessTokenCipher).not.toContain(NUMBER.accessToken);
    expect(decryptSecret(row.accessTokenCipher)).toBe(NUMBER.accessToken);
    expect(decryptSecret(row.appSecretCipher)).toBe(NUMBER.appSecret);
    const audit = await db().auditLog.findFirstOrThrow({ where: { action: "channel.create", target: id } });
    expect(audit.details).toMatchObject({ name: "Bilbao shop", accessToken: "set", appSecret: "set", verifyToken: "set" });
    expect(JSON.stringify(audit.details)).not.toContain(NUMBER.appSecret);
  });

  test("admins see the callback URL and verify token; viewers see neither secret nor token, and no one sees the access token", async () => {
    const forAdmin = (await admin.channels.list()).find((channel) => channel.id === id)!;
    expect(forAdmin).toMatchObject({ callbackUrl: expect.stringMatching(/\/api\/webhooks\/whatsapp$/), verifyToken, wabaId: "555000111", messagesPerSecond: 80 });
    const forViewer = (await viewer.channels.list()).find((channel) => channel.id === id)!;
    expect(forViewer.verifyToken).toBeNull();
    for (const list of [forAdmin, forViewer]) {
      expect(JSON.stringify(list)).not.toContain(NUMBER.appSecret);
      expect(JSON.stringify(list)).not.toContain(NUMBER.accessToken);
    }
  });

  test("Meta's subscription handshake succeeds with that verify token", async () => {
    const response = await fetch(`${parley.url}/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(verifyToken)}&hub.challenge=1158201444`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("1158201444");
  });

  test("the token test asks the Graph API for the number and fills in its display number", async () => {
    parley.graph.phoneNumbers.set(NUMBER.phoneNumberId, { display_phone_number: "+34 944 00 00 00", verified_name: "Bilbao Shop", quality_rating: "GREEN" });
    expect(await admin.channels.testToken({ id })).toEqual({ ok: true, displayPhoneNumber: "+34 944 00 00 00", verifiedName: "Bilbao Shop", qualityRating: "GREEN" });
    expect((await db().channel.findUniqueOrThrow({ where: { id } })).displayPhoneNumber).toBe("+34 944 00 00 00");
  });

  test("a wrong token fails the test with what it means, and an empty token on edit keeps the stored one", async () => {
    await admin.channels.save({ id, name: "Bilbao shop", phoneNumberId: NUMBER.phoneNumberId, graphBaseUrl: parley.graph.url, accessToken: "EAAG-expired-token" });
    const failed = await admin.channels.testToken({ id });
    expect(failed).toMatchObject({ ok: false, error: expect.stringMatching(/401, code 190: .*access token expired or is invalid/) });
    await admin.channels.save({ id, name: "Bilbao", phoneNumberId: NUMBER.phoneNumberId, graphBaseUrl: parley.graph.url, accessToken: NUMBER.accessToken });
    await admin.channels.save({ id, name: "Bilbao", phoneNumberId: NUMBER.phoneNumberId, graphBaseUrl: parley.graph.url });
    expect(await admin.channels.testToken({ id })).toMatchObject({ ok: true });
    expect(decryptSecret((await db().channel.findUniqueOrThrow({ where: { id } })).appSecretCipher)).toBe(NUMBER.appSecret);
  });

  test("the last webhooks are logged per number with their signature check, and only the last 50 are kept", async () => {
    expect((await parley.postWebhook(envelope(NUMBER.phoneNumberId, "34655000001", "wamid.SETTINGS1"), { secret: NUMBER.appSecret })).status).toBe(200);
    expect((await parley.postWebhook(envelope(NUMBER.phoneNumberId, "34655000001", "wamid.SETTINGS2"), { secret: "an-old-app-secret" })).status).toBe(401);
    // The log is written beside the answer, not before it.
    const log = await eventually(async () => {
      const rows = await viewer.channels.webhooks({ id });
      return rows.length >= 2 ? rows : undefined;
    }, 10_000, "both deliveries logged");
    expect(log.map((d) => [d.signatureOk, d.httpStatus, d.messages])).toEqual([
      [false, 401, 1],
      [true, 200, 1],
    ]);
    expect(log[0]!.problem).toMatch(/app secret/);
    for (let i = 0; i < WEBHOOK_LOG_SIZE + 3; i++) {
      await parley.postWebhook(envelope(NUMBER.phoneNumberId, "34655000001", `wamid.SETTINGS1`), { secret: NUMBER.appSecret });
    }
    await eventually(async () => (await db().webhookDelivery.count({ where: { channelId: id } })) === WEBHOOK_LOG_SIZE, 10_000, "the log trimmed to its last 50");
    expect((await admin.channels.list()).find((channel) => channel.id === id)!.lastWebhookAt).toBeInstanceOf(Date);
  });

  test("flows are bound to the number from its settings", async () => {
    const flow = await db().flow.create({ data: { workspaceId, name: "Basque welcome", draft: { nodes: [], edges: [] } } });
    await admin.channels.setFlows({ id, flowIds: [flow.id] });
    expect((await viewer.channels.list()).find((channel) => channel.id === id)!.flows).toEqual([{ id: flow.id, name: "Basque welcome", published: false }]);
    await admin.channels.setFlows({ id, flowIds: [] });
    expect((await viewer.channels.list()).find((channel) => channel.id === id)!.flows).toEqual([]);
  });

  test("viewers change nothing; a number already set up is refused with a reason; admins delete", async () => {
    await expect(viewer.channels.save({ name: "Mine", phoneNumberId: "333000111222", accessToken: "a", appSecret: "b" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(viewer.channels.remove({ id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(admin.channels.save({ name: "Again", ...NUMBER })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/already set up/) });
    await expect(admin.channels.save({ name: "No secrets", phoneNumberId: "444000111222" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await admin.channels.remove({ id });
    expect(await db().channel.findUnique({ where: { id } })).toBeNull();
    expect(await db().auditLog.count({ where: { action: "channel.delete", target: id } })).toBe(1);
  });

  test("the simulator's number can be neither edited nor deleted", async () => {
    const simulator = (await admin.channels.list()).find((channel) => channel.simulator)!;
    await expect(admin.channels.remove({ id: simulator.id })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(admin.channels.save({ id: simulator.id, name: "Renamed", phoneNumberId: simulator.phoneNumberId })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
