// The built-in simulator behaves as WhatsApp does, end to end through Parley's real path:
// the bot's messages are reported delivered, then read once the simulated phone shows them;
// a send breaking Meta's rules is refused with Meta's code; failure drills make the next sends
// fail as WhatsApp fails them; and a free-form message outside the 24-hour window is
// accepted and then reported failed with 131047. Its templates are listed, sent and answered
// as on a live number.
import { beforeAll, describe, expect, test } from "vitest";
import { db } from "@/server/db/client";
import { receiveGraphSend } from "@/server/simulator/phone";
import { decryptSecret } from "@/server/security/secrets";
import { seededMember, type Caller } from "../support/callers";
import { eventually, useParley } from "../support/parley";

useParley();
let editor: Caller;
let channel: { id: string; phoneNumberId: string; accessTokenCipher: string };

beforeAll(async () => {
  const member = await seededMember("owner");
  editor = member.caller;
  const [simulator] = await editor.simulator.channels();
  channel = await db().channel.findUniqueOrThrow({ where: { id: simulator!.id } });
});

async function say(waId: string, text: string) {
  await editor.simulator.send({ channelId: channel.id, customer: { waId, name: "Sim" }, message: { kind: "text", text } });
}

async function botMessage(waId: string, text: string) {
  return eventually(
    async () => (await db().message.findFirst({ where: { direction: "outbound", text, conversation: { contact: { waId } } }, orderBy: { seq: "desc" } })) ?? undefined,
    15_000,
    `the bot's “${text}”`,
  );
}

test("the bot's messages are reported delivered, and read once the simulated phone shows them", async () => {
  const waId = "15550002001";
  await say(waId, "hi");
  const greeting = await botMessage(waId, "Hi Sim! I'm Parley's demo bot.");
  await eventually(async () => (await db().message.findUniqueOrThrow({ where: { id: greeting.id } })).status === "delivered", 10_000, "delivered");
  await editor.simulator.transcript({ channelId: channel.id, waId });
  await eventually(async () => (await db().message.findUniqueOrThrow({ where: { id: greeting.id } })).status === "read", 10_000, "read");
});

test("a send breaking Meta's rules is refused with Meta's code and the field at fault", async () => {
  const token = `Bearer ${decryptSecret(channel.accessTokenCipher)}`;
  const answer = await receiveGraphSend(channel.phoneNumberId, token, {
    messaging_product: "whatsapp",
    to: "15550002002",
    type: "interactive",
    interactive: { type: "button", body: { text: "Pick" }, action: { buttons: [{ type: "reply", reply: { id: "a", title: "A title far longer than twenty" } }] } },
  });
  expect(answer.status).toBe(400);
  expect(answer.body).toMatchObject({ error: { code: 131009, error_data: { details: expect.stringMatching(/Button title length invalid/) } } });
});

describe("failure drills", () => {
  test("undeliverable: the next send is accepted, then reported failed with 131026 and its meaning", async () => {
    const waId = "15550002003";
    await editor.simulator.setDrill({ channelId: channel.id, drill: { kind: "undeliverable", count: 1 } });
    expect((await editor.simulator.drill({ channelId: channel.id })).current).toEqual({ kind: "undeliverable", remaining: 1 });
    await say(waId, "hi");
    const greeting = await botMessage(waId, "Hi Sim! I'm Parley's demo bot.");
    const failed = await eventually(async () => {
      const row = await db().message.findUniqueOrThrow({ where: { id: greeting.id } });
      return row.status === "failed" ? row : undefined;
    }, 10_000, "the failed status");
    expect(failed.error).toMatchObject({ code: 131026 });
    expect((await editor.simulator.drill({ channelId: channel.id })).current).toBeNull();
  });

  test("pair rate: the refused send is retried after a pause and goes out once", async () => {
    const waId = "15550002004";
    await editor.simulator.setDrill({ channelId: channel.id, drill: { kind: "pair_rate", count: 1 } });
    await say(waId, "hi");
    const greeting = await botMessage(waId, "Hi Sim! I'm Parley's demo bot.");
    await eventually(async () => (await db().message.findUniqueOrThrow({ where: { id: greeting.id } })).wamid !== null, 15_000, "the retried send");
    expect((await editor.simulator.drill({ channelId: channel.id })).current).toBeNull();
    const delivered = await db().simulatorMessage.count({ where: { waId, direction: "business", body: { path: ["text", "body"], equals: "Hi Sim! I'm Parley's demo bot." } } });
    expect(delivered).toBe(1);
  });
});

test("a free-form message to a contact silent for 24 hours is accepted, then reported failed with 131047", async () => {
  const waId = "15550002005";
  await say(waId, "hi");
  await botMessage(waId, "What should I call you?");
  const conversation = await db().conversation.findFirstOrThrow({ where: { contact: { waId } } });
  await editor.conversations.takeOver({ conversationId: conversation.id });
  // The phone last wrote two days ago; Parley's own clock of the window is left open, so the send reaches the simulator.
  await db().simulatorMessage.updateMany({ where: { waId, direction: "customer" }, data: { createdAt: new Date(Date.now() - 48 * 3_600_000) } });
  const { messageId } = await editor.conversations.send({ conversationId: conversation.id, message: { text: "Are you still there?" } });
  const failed = await eventually(async () => {
    const row = await db().message.findUniqueOrThrow({ where: { id: messageId } });
    return row.status === "failed" ? row : undefined;
  }, 10_000, "the 131047 status");
  expect(failed.error).toMatchObject({ code: 131047, kind: "window_closed" });
});

describe("templates on the simulator number", () => {
  test("are listed as Meta lists them, sent by a broadcast, shown filled in on the phone, and answered with a quick reply", async () => {
    const { templates } = await editor.channels.refreshTemplates({ channelId: channel.id });
    expect(templates.map((template) => `${template.name}/${template.language}/${template.status}/${template.bodyParameters}`)).toEqual([
      "appointment_reminder/es/APPROVED/2",
      "loyalty_points/en_US/PENDING/2",
      "order_shipped/en_US/APPROVED/1",
      "order_update/en_US/APPROVED/2",
      "spring_offer/en_US/APPROVED/2",
    ]);
    expect(templates.find((template) => template.name === "order_shipped")).toMatchObject({
      header: { format: "image" },
      buttons: [{ index: 0, subType: "url", text: "Track it", required: true }],
    });
    const waId = "15550002101";
    await say(waId, "hi");
    await botMessage(waId, "Hi Sim! I'm Parley's demo bot.");
    const contact = await db().contact.findFirstOrThrow({ where: { waId } });
    await editor.conversations.setContactTags({ contactId: contact.id, tags: ["spring"] });
    const { id } = await editor.broadcasts.create({
      name: "Spring",
      channelId: channel.id,
      template: { name: "spring_offer", language: "en_US" },
      bodyParameters: ["{{contact.name}}", "15%"],
      audience: { kind: "tags", tags: ["spring"] },
    });
    await eventually(async () => (await editor.broadcasts.get({ id })).counts.delivered === 1, 15_000, "the broadcast delivered");
    const phone = await editor.simulator.transcript({ channelId: channel.id, waId });
    const offer = phone.at(-1)!;
    expect(offer.body).toMatchObject({
      type: "template",
      rendered: { header: "Spring offer", text: "Hello Sim! This week only: 15% off everything. Reply to ask us anything.", buttons: ["Tell me more"] },
    });
    await editor.simulator.send({ channelId: channel.id, customer: { waId, name: "Sim" }, message: { kind: "template", id: "Tell me more", title: "Tell me more" } });
    const reply = await eventually(
      async () => (await db().message.findFirst({ where: { direction: "inbound", text: "Tell me more", conversation: { contact: { waId } } } })) ?? undefined,
      10_000,
      "the quick reply stored",
    );
    expect(reply.payload).toMatchObject({ details: { reply: { kind: "template_button", id: "Tell me more" } } });
  });

  test("a template the account does not hold, or given the wrong parameters, is refused with Meta's code", async () => {
    const token = `Bearer ${decryptSecret(channel.accessTokenCipher)}`;
    const send = (template: Record<string, unknown>) => receiveGraphSend(channel.phoneNumberId, token, { messaging_product: "whatsapp", to: "15550002102", type: "template", template });
    expect(await send({ name: "no_such_template", language: { code: "en_US" } })).toMatchObject({ status: 404, body: { error: { code: 132001 } } });
    expect(await send({ name: "loyalty_points", language: { code: "en_US" }, components: [{ type: "body", parameters: [{ type: "text", text: "a" }, { type: "text", text: "b" }] }] })).toMatchObject({ status: 404, body: { error: { code: 132001 } } });
    expect(await send({ name: "order_update", language: { code: "en_US" }, components: [{ type: "body", parameters: [{ type: "text", text: "Ana" }] }] })).toMatchObject({ status: 400, body: { error: { code: 132000 } } });
    const body = { type: "body", parameters: [{ type: "text", text: "Ana" }] };
    const header = { type: "header", parameters: [{ type: "image", image: { link: "https://cdn.example.com/parcel.jpg" } }] };
    const button = { type: "button", sub_type: "url", index: "0", parameters: [{ type: "text", text: "A-1042" }] };
    expect(await send({ name: "order_shipped", language: { code: "en_US" }, components: [body, button] })).toMatchObject({ status: 400, body: { error: { code: 132000 } } });
    expect(await send({ name: "order_shipped", language: { code: "en_US" }, components: [header, body] })).toMatchObject({ status: 400, body: { error: { code: 132000 } } });
    expect(await send({ name: "order_shipped", language: { code: "en_US" }, components: [header, body, button] })).toMatchObject({ status: 200 });
  });
});

describe("media on the simulated phone", () => {
  test("a photo the customer sends reaches Parley as a media id, is downloaded from the fake Graph API and kept byte for byte", async () => {
    const photo = Buffer.from("\x89PNG\r\n\x1a\n simulated photo bytes", "binary");
    const waId = "15550002201";
    await editor.simulator.send({
      channelId: channel.id,
      customer: { waId, name: "Sim" },
      message: { kind: "media", fileName: "receipt.png", mimeType: "image/png", dataBase64: photo.toString("base64"), caption: "my receipt" },
    });
    const stored = await eventually(
      async () => (await db().message.findFirst({ where: { direction: "inbound", type: "image", conversation: { contact: { waId } } }, include: { media: true } })) ?? undefined,
      10_000,
      "the photo stored",
    );
    expect(stored.text).toBe("my receipt");
    const media = await eventually(async () => {
      const row = await db().mediaFile.findUnique({ where: { messageId: stored.id } });
      return row?.status === "stored" ? row : undefined;
    }, 10_000, "the photo downloaded");
    const { readMedia } = await import("@/server/media/files");
    expect(Buffer.from((await readMedia(stored.id)).bytes)).toEqual(photo);
    expect(media.mimeType).toBe("image/png");
  });

  test("a file over the simulator's limit is refused with the limit", async () => {
    const tooBig = Buffer.alloc(5 * 1024 * 1024 + 1).toString("base64");
    await expect(
      editor.simulator.send({ channelId: channel.id, customer: { waId: "15550002202", name: "Sim" }, message: { kind: "media", fileName: "big.pdf", mimeType: "application/pdf", dataBase64: tooBig } }),
    ).rejects.toThrow(/5 MB/);
  });

  test("the settings page's token test works on the simulator number", async () => {
    expect(await editor.channels.testToken({ id: channel.id })).toMatchObject({ ok: true });
  });
});
