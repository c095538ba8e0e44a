// A contact's data on request and retention, on conversations that really ran: export holds
// what was said; anonymising removes it but keeps the counts; deleting removes the contact;
// erasure waits for a running conversation; retention deletes what is past its period.
import { beforeAll, describe, expect, test } from "vitest";
import type { Viewer } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { applyRetention } from "@/server/privacy/contacts";
import { appRouter } from "@/server/trpc/root";
import { eventually, textWebhook, useParley } from "../support/parley";

const parley = useParley();
let admin: ReturnType<typeof appRouter.createCaller>;

/** A completed demo conversation: greeting, name question, the name, thanks. */
async function converse(waId: string, name: string) {
  await parley.postWebhook(textWebhook(waId, "hello", { name }).body);
  await eventually(() => parley.textsTo(waId).length === 2, 10_000, "the name question");
  await parley.postWebhook(textWebhook(waId, name, { name }).body);
  await eventually(() => parley.textsTo(waId).length === 3, 10_000, "the thanks");
  await eventually(async () => (await db().flowRun.count({ where: { conversation: { contact: { waId } }, status: "completed" } })) === 1, 10_000, "the run to end");
  // …and in the executor, which closes the run just after Parley records its end.
  await eventually(async () => {
    const open = await db().$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM "ExecutorRun" WHERE status NOT IN ('completed', 'failed', 'cancelled') AND event::text LIKE ${`%${waId}%`}`;
    return open[0]!.n === 0;
  }, 10_000, "the executor to close the run");
  return db().contact.findFirstOrThrow({ where: { waId } });
}

beforeAll(async () => {
  const membership = await db().membership.findFirstOrThrow({ include: { user: true } });
  const viewer: Viewer = { userId: membership.userId, email: membership.user.email, workspaceId: membership.workspaceId, role: "owner" };
  admin = appRouter.createCaller({ viewer });
});

describe("a contact's data", () => {
  test("export holds the conversation as the contact had it, and the run's steps", async () => {
    const contact = await converse("34622000001", "Lucía");
    expect(await admin.privacy.findContacts({ query: "+34 622 000 001" })).toEqual([expect.objectContaining({ id: contact.id, name: "Lucía" })]);
    const exported = await admin.privacy.exportContact({ contactId: contact.id });
    expect(exported.contact).toMatchObject({ name: "Lucía", whatsappId: "34622000001" });
    expect(exported.conversations[0]!.messages.map((m) => [m.direction, m.text])).toEqual([
      ["inbound", "hello"],
      ["outbound", "Hi Lucía! I'm Parley's demo bot."],
      ["outbound", "What should I call you?"],
      ["inbound", "Lucía"],
      ["outbound", "Nice to meet you, Lucía! Write again any time to start over."],
    ]);
    expect(exported.conversations[0]!.runs[0]).toMatchObject({ flow: "Welcome (demo)", status: "completed", variables: { name: "Lucía" } });
  });

  test("anonymising removes every text, name and variable but keeps the shape", async () => {
    const contact = await converse("34622000002", "Marta");
    // What a language model summarised of the conversation (the Ask AI node's running summary) is theirs too.
    const { id: conversationId } = await db().conversation.findFirstOrThrow({ where: { contactId: contact.id } });
    await db().conversationSummary.create({ data: { conversationId, text: "Marta asked for sourdough.", turns: 4, throughSeq: 1n } });
    await admin.privacy.eraseContact({ contactId: contact.id, mode: "anonymise" });
    const after = await db().contact.findUniqueOrThrow({ where: { id: contact.id }, include: { conversations: { include: { messages: true, summary: true, runs: { include: { traces: true } } } } } });
    expect(after).toMatchObject({ name: null, waId: null, bsuid: expect.stringMatching(/^anonymised-/) });
    const [conversation] = after.conversations;
    expect(conversation!.messages).toHaveLength(5);
    expect(conversation!.summary).toBeNull();
    expect(conversation!.messages.every((m) => m.text === null)).toBe(true);
    expect(conversation!.runs[0]!.vars).toEqual({});
    expect(conversation!.runs[0]!.traces.every((t) => t.input === null && t.output === null)).toBe(true);
    expect(JSON.stringify(after, (_, value: unknown) => (typeof value === "bigint" ? String(value) : value))).not.toContain("Marta");
    // The executor's copy of the run's start event (contact name, first message) is gone too.
    const leftovers = await db().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "ExecutorRun" WHERE event::text LIKE '%Marta%'`;
    expect(leftovers[0]!.n).toBe(0);
  });

  test("deleting removes the contact with everything about them, and is audit-logged", async () => {
    const contact = await converse("34622000003", "Nuria");
    await admin.privacy.eraseContact({ contactId: contact.id, mode: "delete" });
    expect(await db().contact.findUnique({ where: { id: contact.id } })).toBeNull();
    expect(await db().message.count({ where: { text: { contains: "Nuria" } } })).toBe(0);
    expect(await db().auditLog.findFirst({ where: { action: "contact.delete" } })).toMatchObject({ details: { conversations: 1 } });
  });

  test("a contact in the middle of a run cannot be erased until the run ends", async () => {
    const waId = "34622000004";
    await parley.postWebhook(textWebhook(waId, "hello", { name: "Olga" }).body);
    await eventually(() => parley.textsTo(waId).length === 2, 10_000, "the name question");
    const contact = await db().contact.findFirstOrThrow({ where: { waId } });
    await expect(admin.privacy.eraseContact({ contactId: contact.id, mode: "delete" })).rejects.toThrow("A run is still going on with this contact");
    expect(await db().contact.findUnique({ where: { id: contact.id } })).not.toBeNull();
  });
});

describe("retention", () => {
  test("conversations whose last message is older than the workspace's period are deleted, newer ones kept", async () => {
    const old = await converse("34622000005", "Pilar");
    const recent = await converse("34622000006", "Rosa");
    await db().conversation.updateMany({ where: { contactId: old.id }, data: { lastMessageAt: new Date(Date.now() - 40 * 86_400_000) } });
    await db().contact.update({ where: { id: old.id }, data: { createdAt: new Date(Date.now() - 40 * 86_400_000) } });
    await admin.privacy.setRetention({ retentionDays: 30 });
    const [result] = await applyRetention();
    expect(result!.deleted).toBeGreaterThanOrEqual(1);
    expect(await db().conversation.count({ where: { contactId: old.id } })).toBe(0);
    expect(await db().contact.findUnique({ where: { id: old.id } })).toBeNull();
    expect(await db().conversation.count({ where: { contactId: recent.id } })).toBe(1);
  });
});
