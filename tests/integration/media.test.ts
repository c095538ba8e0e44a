// Media contacts send, on the real path: the webhook's media id is downloaded through the
// Graph API (or Twilio's link) into the media store — a local folder, or an S3 bucket that
// checks signatures — and a flow gets a signed link to it that serves the file. A download
// that fails is recorded with its reason; erasing the contact deletes the files.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { FlowGraph } from "@/flows/schema";
import { db } from "@/server/db/client";
import { twilioWebhook, startFakeTwilio, type FakeTwilio } from "../support/fake-twilio";
import { startFakeS3, type FakeS3 } from "../support/fake-s3";
import { seededMember, type Caller } from "../support/callers";
import { eventually, useParley, webhookEnvelope } from "../support/parley";

const mediaDir = await mkdtemp(path.join(tmpdir(), "parley-media-"));
const parley = useParley({ env: { MEDIA_DIR: mediaDir } });
let admin: Caller;
let s3: FakeS3;
let twilio: FakeTwilio;

const at = { x: 0, y: 0 };
const receiptFlow: FlowGraph = {
  nodes: [
    { id: "start", type: "trigger", version: 1, config: { match: "keywords", keywords: ["receipt"], priority: 10 }, position: at },
    { id: "thanks", type: "reply", version: 1, config: { text: "Got it: {{message.media.url}}" }, position: at },
  ],
  edges: [{ id: "1", from: "start", port: "next", to: "thanks" }],
};

const PHOTO = Buffer.from("\x89PNG\r\n\x1a\n fake image bytes for the test", "binary");

beforeAll(async () => {
  admin = (await seededMember("admin")).caller;
  await parley.publish("Receipts", receiptFlow);
  s3 = await startFakeS3({ bucket: "parley-media", accessKeyId: "AKIATEST", secretAccessKey: "s3-secret-for-tests", region: "eu-west-1" });
  twilio = await startFakeTwilio({ accountSid: "AC00000000000000000000000000000001", authToken: "twilio-media-token" });
});
afterAll(async () => {
  await s3.close();
  await twilio.close();
  await rm(mediaDir, { recursive: true, force: true });
});

function mediaWebhook(from: string, wamid: string, type: "image" | "document", media: Record<string, unknown>) {
  return webhookEnvelope({
    contacts: [{ profile: { name: "Rita" }, wa_id: from }],
    messages: [{ from, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type, [type]: media }],
  });
}

async function storedMedia(wamid: string, status = "stored") {
  return eventually(async () => {
    const message = await db().message.findUnique({ where: { wamid }, include: { media: true } });
    return message?.media?.status === status ? { message, media: message.media } : undefined;
  }, 15_000, `media of ${wamid} ${status}`);
}

describe("media from WhatsApp", () => {
  test("an image is downloaded into the media folder, and the flow's link serves it", async () => {
    parley.graph.media.set("MEDIA-PHOTO-1", { bytes: PHOTO, mimeType: "image/png" });
    await parley.postWebhook(mediaWebhook("34699000001", "wamid.MEDIA1", "image", { id: "MEDIA-PHOTO-1", mime_type: "image/png", caption: "my receipt" }));
    const { message, media } = await storedMedia("wamid.MEDIA1");
    expect(media).toMatchObject({ mimeType: "image/png", size: PHOTO.length, storageKey: `${media.workspaceId}/${message.id}` });
    expect(await readFile(path.join(mediaDir, media.storageKey!))).toEqual(PHOTO);

    const reply = await eventually(() => parley.textsTo("34699000001")[0], 15_000, "the flow's reply");
    const link = /^Got it: (\S+)$/.exec(reply)?.[1];
    expect(link).toMatch(/\/api\/media\/[^?]+\?expires=\d+&signature=/);
    const served = await fetch(new URL(new URL(link!).pathname + new URL(link!).search, parley.url));
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("content-disposition")).toMatch(/^inline/);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(PHOTO);

    const forged = new URL(link!);
    forged.searchParams.set("signature", "A".repeat(43));
    expect((await fetch(new URL(forged.pathname + forged.search, parley.url))).status).toBe(403);
    const expired = new URL(link!);
    expired.searchParams.set("expires", "1000");
    expect((await fetch(new URL(expired.pathname + expired.search, parley.url))).status).toBe(403);
  });

  test("a document of a type browsers would run is served as a sandboxed attachment", async () => {
    parley.graph.media.set("MEDIA-DOC-1", { bytes: Buffer.from("<script>alert(1)</script>"), mimeType: "text/html" });
    await parley.postWebhook(mediaWebhook("34699000002", "wamid.MEDIA2", "document", { id: "MEDIA-DOC-1", mime_type: "text/html", filename: "invoice <1>.html" }));
    const { message } = await storedMedia("wamid.MEDIA2");
    const { signedMediaUrl } = await import("@/server/media/links");
    const link = new URL(signedMediaUrl(message.id));
    const served = await fetch(new URL(link.pathname + link.search, parley.url));
    expect(served.status).toBe(200);
    expect(served.headers.get("content-disposition")).toBe('attachment; filename="invoice_1_.html"');
    expect(served.headers.get("content-security-policy")).toContain("sandbox");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
  });

  test("a medium Meta no longer has is recorded as failed with Meta's reason, and the link says so", async () => {
    await parley.postWebhook(mediaWebhook("34699000003", "wamid.MEDIA3", "image", { id: "MEDIA-GONE", mime_type: "image/jpeg" }));
    const { message, media } = await storedMedia("wamid.MEDIA3", "failed");
    expect(media.error).toMatch(/Meta refused media MEDIA-GONE \(404, code 100\)/);
    const { signedMediaUrl } = await import("@/server/media/links");
    const link = new URL(signedMediaUrl(message.id));
    const served = await fetch(new URL(link.pathname + link.search, parley.url));
    expect(served.status).toBe(502);
    expect((await served.json()).error).toContain("MEDIA-GONE");
  });

  test("with an S3 bucket configured, media goes to the bucket under a valid signature, and erasing the contact deletes it", async () => {
    Object.assign(process.env, { MEDIA_S3_BUCKET: "parley-media", MEDIA_S3_ENDPOINT: s3.url, MEDIA_S3_REGION: "eu-west-1", MEDIA_S3_ACCESS_KEY_ID: "AKIATEST", MEDIA_S3_SECRET_ACCESS_KEY: "s3-secret-for-tests" });
    try {
      parley.graph.media.set("MEDIA-PHOTO-S3", { bytes: PHOTO, mimeType: "image/png" });
      await parley.postWebhook(mediaWebhook("34699000004", "wamid.MEDIA4", "image", { id: "MEDIA-PHOTO-S3", mime_type: "image/png", caption: "receipt again" }));
      const { message, media } = await storedMedia("wamid.MEDIA4");
      expect(s3.refused).toEqual([]);
      expect(s3.objects.get(media.storageKey!)).toEqual({ bytes: PHOTO, contentType: "image/png" });
      const { signedMediaUrl } = await import("@/server/media/links");
      const link = new URL(signedMediaUrl(message.id));
      expect(Buffer.from(await (await fetch(new URL(link.pathname + link.search, parley.url))).arrayBuffer())).toEqual(PHOTO);

      const contact = await db().contact.findFirstOrThrow({ where: { waId: "34699000004" } });
      await eventually(async () => (await db().flowRun.count({ where: { conversation: { contactId: contact.id }, status: { in: ["running", "waiting"] } } })) === 0, 15_000, "the run to end");
      await admin.privacy.eraseContact({ contactId: contact.id, mode: "delete" });
      expect(s3.objects.has(media.storageKey!)).toBe(false);
      expect(await db().mediaFile.count({ where: { messageId: message.id } })).toBe(0);
    } finally {
      for (const name of ["MEDIA_S3_BUCKET", "MEDIA_S3_ENDPOINT", "MEDIA_S3_REGION", "MEDIA_S3_ACCESS_KEY_ID", "MEDIA_S3_SECRET_ACCESS_KEY"]) delete process.env[name];
    }
  });
});

describe("media from Twilio", () => {
  test("the media link is read with the account's credentials into the same store", async () => {
    const accountSid = "AC00000000000000000000000000000001";
    await admin.channels.save({ name: "Twilio media", provider: "twilio", phoneNumberId: "+1 415 523 0001", accountId: accountSid, accessToken: "twilio-media-token", graphBaseUrl: twilio.url });
    const mediaPath = `/2010-04-01/Accounts/${accountSid}/Messages/MM0001/Media/ME0001`;
    twilio.media.set(mediaPath, { bytes: PHOTO, mimeType: "image/png" });
    const webhookUrl = `${parley.url}/api/webhooks/twilio`;
    const { body, headers } = twilioWebhook(webhookUrl, "twilio-media-token", {
      MessageSid: "MM0001",
      AccountSid: accountSid,
      From: "whatsapp:+34699000005",
      To: "whatsapp:+14155230001",
      Body: "",
      NumMedia: "1",
      MediaUrl0: `${twilio.url}${mediaPath}`,
      MediaContentType0: "image/png",
      ProfileName: "Tom",
      WaId: "34699000005",
    });
    expect((await fetch(webhookUrl, { method: "POST", headers, body })).status).toBe(200);
    const { media } = await storedMedia("MM0001");
    expect(await readFile(path.join(mediaDir, media.storageKey!))).toEqual(PHOTO);
  });
});
