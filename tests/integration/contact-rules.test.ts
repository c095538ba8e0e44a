// A number's contact rules on the real path (webhook → router → executor → fake Graph API):
// blocked numbers and numbers off the allowlist are stored but start nothing; STOP cancels
// what the bot was doing, confirms once, and keeps schedules, API events and templates away
// until the contact writes again or says START.
import { beforeAll, describe, expect, test } from "vitest";
import { db } from "@/server/db/client";
import { sendMessage } from "@/server/channels/send";
import { startRunWithoutMessage } from "@/server/runs/start";
import { seededMember, type Caller } from "../support/callers";
import { CHANNEL, eventually, textWebhook, useParley } from "../support/parley";

const parley = useParley();
let admin: Caller;
let channelId: string;
const GREETING = "Hi Ana! I'm Parley's demo bot.";

beforeAll(async () => {
  admin = (await seededMember("admin")).caller;
  channelId = (await db().channel.findUniqueOrThrow({ where: { phoneNumberId: CHANNEL.phoneNumberId } })).id;
});

async function rules(changes: Partial<Awaited<ReturnType<Caller["channels"]["contactRules"]>>>) {
  const current = await admin.channels.contactRules({ id: channelId });
  await admin.channels.saveContactRules({ id: channelId, rules: { ...current, ...changes } });
}

async function stored(text: string, waId: string) {
  return eventually(async () => (await db().message.findFirst({ where: { text, conversation: { contact: { waId } } } })) ?? undefined, 10_000, `“${text}” stored`);
}

describe("who may start a conversation", () => {
  test("a blocked number's message is stored and shown, and the bot stays quiet; others are answered", async () => {
    await rules({ contactRule: "everyone", blocklist: ["+34 677 000 001"] });
    expect((await admin.channels.contactRules({ id: channelId })).blocklist).toEqual(["34677000001"]);
    await parley.postWebhook(textWebhook("34677000001", "hi").body);
    await parley.postWebhook(textWebhook("34677000002", "hi").body);
    await eventually(() => parley.textsTo("34677000002")[0] === GREETING, 15_000, "the other contact's greeting");
    await stored("hi", "34677000001");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(parley.textsTo("34677000001")).toEqual([]);
    expect(await db().flowRun.count({ where: { conversation: { contact: { waId: "34677000001" } } } })).toBe(0);
    expect(await db().auditLog.count({ where: { action: "channel.contact_rules", target: channelId } })).toBe(1);
  });

  test("with an allowlist only its numbers start conversations", async () => {
    await rules({ contactRule: "allowlist", allowlist: ["34677000003"], blocklist: [] });
    await parley.postWebhook(textWebhook("34677000004", "hi").body);
    await parley.postWebhook(textWebhook("34677000003", "hi").body);
    await eventually(() => parley.textsTo("34677000003")[0] === GREETING, 15_000, "the allowed contact's greeting");
    await stored("hi", "34677000004");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(parley.textsTo("34677000004")).toEqual([]);
    await rules({ contactRule: "everyone", allowlist: [] });
  });
});

describe("opting out and back in", () => {
  const waId = "34677000005";

  test("STOP cancels the waiting run, confirms once, and keeps proactive messages away", async () => {
    await parley.postWebhook(textWebhook(waId, "hi").body);
    await eventually(() => parley.textsTo(waId).length === 2, 15_000, "the greeting and the question");
    const waiting = await eventually(async () => (await db().flowRun.findFirst({ where: { conversation: { contact: { waId } }, status: "waiting" } })) ?? undefined, 10_000, "the waiting run");

    await parley.postWebhook(textWebhook(waId, "Stop!").body);
    await eventually(() => parley.textsTo(waId).length === 3, 15_000, "the confirmation");
    expect(parley.textsTo(waId)[2]).toBe("You will not receive messages from us anymore. Reply START to opt back in.");
    expect((await db().flowRun.findUniqueOrThrow({ where: { id: waiting.id } })).status).toBe("cancelled");
    const contact = await db().contact.findFirstOrThrow({ where: { waId } });
    expect(contact.optedOutAt).not.toBeNull();
    // The run never took "Stop!" as the name it asked for.
    expect(parley.textsTo(waId).some((text) => text.includes("Stop"))).toBe(false);

    const conversation = await db().conversation.findFirstOrThrow({ where: { contactId: contact.id } });
    const flow = await db().flow.findFirstOrThrow({ where: { name: "Welcome (demo)" } });
    expect(await startRunWithoutMessage({ flowId: flow.id, conversationId: conversation.id, trigger: { kind: "event", data: {} }, startKey: `opt-out-${waId}` })).toEqual({
      kind: "skipped",
      reason: "the contact opted out of messages",
    });
    const before = parley.graph.requests.length;
    await expect(
      sendMessage({ conversationId: conversation.id, idempotencyKey: `template-${waId}`, message: { type: "template", name: "promo", language: "en", bodyParameters: [] } }),
    ).rejects.toThrow(/opted out/);
    expect(parley.graph.requests.length).toBe(before);
    expect((await db().message.findUniqueOrThrow({ where: { idempotencyKey: `template-${waId}` } })).status).toBe("failed");
  });

  test("START opts the contact back in", async () => {
    await parley.postWebhook(textWebhook(waId, "start").body);
    await eventually(async () => (await db().contact.findFirstOrThrow({ where: { waId } })).optedOutAt === null, 10_000, "the opt-in");
    expect((await db().contact.findFirstOrThrow({ where: { waId } })).optedInAt).not.toBeNull();
  });
});
