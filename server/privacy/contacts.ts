// A contact's personal data on request (GDPR articles 15 and 17): everything Parley holds
// about them as one JSON document, and erasure — deleting the contact with every
// conversation, message and run, or anonymising them so counts and analytics survive while
// nothing identifies the person. Erasure waits for the contact's runs to end: a run in
// flight would write new data right after.
import { createHash } from "node:crypto";
import { db, Prisma } from "@/server/db/client";
import { deleteStoredMedia } from "@/server/media/files";

export class PrivacyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PrivacyError";
  }
}

/** The workspace's contacts whose number, user id or name contains `query`. */
export async function findContacts(workspaceId: string, query: string) {
  const digits = query.replace(/[^\d]/g, "");
  return db().contact.findMany({
    where: {
      workspaceId,
      OR: [
        ...(digits.length >= 4 ? [{ waId: { contains: digits } }] : []),
        { bsuid: { contains: query } },
        { name: { contains: query, mode: "insensitive" as const } },
      ],
    },
    select: { id: true, name: true, waId: true, bsuid: true, createdAt: true, _count: { select: { conversations: true } } },
    take: 20,
    orderBy: { updatedAt: "desc" },
  });
}

async function contactInWorkspace(workspaceId: string, contactId: string) {
  const contact = await db().contact.findFirst({ where: { id: contactId, workspaceId } });
  if (!contact) throw new PrivacyError("No such contact in your workspace.");
  return contact;
}

/** Everything about one contact: profile, conversations with messages and delivery statuses, runs with their steps. */
export async function exportContact(input: { workspaceId: string; contactId: string; userId: string }) {
  const contact = await contactInWorkspace(input.workspaceId, input.contactId);
  const conversations = await db().conversation.findMany({
    where: { contactId: contact.id },
    include: {
      channel: { select: { name: true, displayPhoneNumber: true } },
      messages: { orderBy: { seq: "asc" }, include: { statuses: { orderBy: { timestamp: "asc" } } } },
      runs: { orderBy: { startedAt: "asc" }, include: { flow: { select: { name: true } }, traces: { orderBy: { startedAt: "asc" } } } },
    },
  });
  await db().auditLog.create({ data: { workspaceId: input.workspaceId, userId: input.userId, action: "contact.export", target: contact.id, details: {} } });
  return {
    exportedAt: new Date().toISOString(),
    contact: { id: contact.id, name: contact.name, whatsappId: contact.waId, businessScopedId: contact.bsuid, firstSeen: contact.createdAt },
    conversations: conversations.map((conversation) => ({
      id: conversation.id,
      channel: conversation.channel.name,
      businessNumber: conversation.channel.displayPhoneNumber,
      startedAt: conversation.createdAt,
      messages: conversation.messages.map((message) => ({
        direction: message.direction,
        type: message.type,
        text: message.text,
        content: message.payload,
        status: message.status,
        at: message.createdAt,
        statuses: message.statuses.map((status) => ({ status: status.status, at: status.timestamp })),
      })),
      runs: conversation.runs.map((run) => ({
        flow: run.flow.name,
        status: run.status,
        startedAt: run.startedAt,
        endedAt: run.endedAt,
        variables: run.vars,
        steps: run.traces.map((trace) => ({ node: trace.nodeId, type: trace.nodeType, input: trace.input, output: trace.output, at: trace.startedAt })),
      })),
    })),
  };
}
export type ContactExport = Awaited<ReturnType<typeof exportContact>>;

/**
 * Deletes the contact and everything about them, or (`anonymise`) keeps the conversations'
 * shape — message counts, statuses, run paths — with every text, number, name, variable and
 * step input or output removed.
 */
export async function eraseContact(input: { workspaceId: string; contactId: string; userId: string; mode: "delete" | "anonymise" }): Promise<void> {
  const contact = await contactInWorkspace(input.workspaceId, input.contactId);
  const conversations = await db().conversation.findMany({ where: { contactId: contact.id }, select: { id: true, activeRunId: true } });
  if (conversations.some((conversation) => conversation.activeRunId)) {
    throw new PrivacyError("A run is still going on with this contact: cancel it from the run page, then erase.");
  }
  const ids = conversations.map((conversation) => conversation.id);
  // A run that has just ended in Parley may still be closing in the executor, which keeps
  // its start event (name, number, first message, an API event's payload) until then: erase
  // once it has closed. (Routing runs carry ids only and may linger a second.)
  if (!(await executorRunsClosed(ids))) throw new PrivacyError("A run with this contact is still closing: try again in a few seconds.");
  const fingerprint = createHash("sha256").update(contact.id).digest("hex").slice(0, 12);
  // The photos, voice notes and documents they sent are theirs: the files go first, then their rows.
  await deleteStoredMedia({ message: { conversationId: { in: ids } } });
  await db().$transaction(async (tx) => {
    await scrubExecutorState(tx, ids);
    if (contact.waId) await tx.simulatorMessage.deleteMany({ where: { waId: contact.waId } });
    if (input.mode === "delete") {
      await tx.contact.delete({ where: { id: contact.id } });
    } else {
      await tx.mediaFile.deleteMany({ where: { message: { conversationId: { in: ids } } } });
      await tx.message.updateMany({ where: { conversationId: { in: ids } }, data: { text: null, payload: {}, error: Prisma.DbNull } });
      await tx.messageStatusEvent.updateMany({ where: { message: { conversationId: { in: ids } } }, data: { errors: Prisma.DbNull } });
      await tx.flowRun.updateMany({ where: { conversationId: { in: ids } }, data: { vars: {}, triggerData: Prisma.DbNull, error: null } });
      await tx.stepTrace.updateMany({ where: { run: { conversationId: { in: ids } } }, data: { input: Prisma.DbNull, output: Prisma.DbNull, modelCalls: Prisma.DbNull, error: Prisma.DbNull } });
      await tx.conversation.updateMany({ where: { id: { in: ids } }, data: { handoffReason: null } });
      // Lookup results (an order's details, passages chosen for their question) are theirs too.
      await tx.lookupCache.deleteMany({ where: { conversationId: { in: ids } } });
      // So is the running summary a language model keeps of what they wrote.
      await tx.conversationSummary.deleteMany({ where: { conversationId: { in: ids } } });
      await tx.contact.update({ where: { id: contact.id }, data: { name: null, waId: null, bsuid: `anonymised-${fingerprint}` } });
    }
    await tx.auditLog.create({
      data: { workspaceId: input.workspaceId, userId: input.userId, action: `contact.${input.mode}`, target: input.mode === "delete" ? fingerprint : contact.id, details: { conversations: ids.length } },
    });
  });
}

/** Waits up to a few seconds for the executor to close the conversations' flow runs (it does so right after Parley records their end). */
async function executorRunsClosed(conversationIds: string[]): Promise<boolean> {
  for (let check = 0; check < 10; check++) {
    const closing = await db().$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM "ExecutorRun"
      WHERE status NOT IN ('completed', 'failed', 'cancelled') AND event->'data'->>'conversationId' = ANY(${conversationIds}::text[])
        AND (event->>'name' LIKE 'parley/flow.%' OR event->>'name' = 'parley/run.requested')`;
    if ((closing[0]?.n ?? 0) === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

/**
 * The embedded executor keeps each run's start event (contact name, number, first message)
 * for its retention period: erase those of the contact's conversations too.
 */
async function scrubExecutorState(tx: Prisma.TransactionClient, conversationIds: string[]): Promise<void> {
  if (conversationIds.length === 0) return;
  await tx.$executeRaw`DELETE FROM "ExecutorRun" WHERE status IN ('completed', 'failed', 'cancelled') AND event->'data'->>'conversationId' = ANY(${conversationIds}::text[])`;
  await tx.$executeRaw`DELETE FROM "ExecutorEvent" WHERE data->>'conversationId' = ANY(${conversationIds}::text[])`;
}

/** Retention: deletes each workspace's conversations whose last message is older than its retentionDays. */
export async function applyRetention(now = new Date()): Promise<{ workspaceId: string; deleted: number }[]> {
  const workspaces = await db().workspace.findMany({ where: { retentionDays: { not: null } }, select: { id: true, retentionDays: true } });
  const results: { workspaceId: string; deleted: number }[] = [];
  for (const workspace of workspaces) {
    const cutoff = new Date(now.getTime() - workspace.retentionDays! * 86_400_000);
    let deleted = 0;
    for (;;) {
      const batch = await db().conversation.findMany({
        where: { workspaceId: workspace.id, activeRunId: null, OR: [{ lastMessageAt: { lt: cutoff } }, { lastMessageAt: null, createdAt: { lt: cutoff } }] },
        select: { id: true },
        take: 500,
      });
      if (batch.length === 0) break;
      const ids = batch.map((conversation) => conversation.id);
      await deleteStoredMedia({ message: { conversationId: { in: ids } } });
      await db().$transaction(async (tx) => {
        await scrubExecutorState(tx, ids);
        await tx.conversation.deleteMany({ where: { id: { in: ids } } });
      });
      deleted += ids.length;
    }
    // Contacts left without any conversation hold nothing but a number: remove them too.
    await db().contact.deleteMany({ where: { workspaceId: workspace.id, conversations: { none: {} }, createdAt: { lt: cutoff } } });
    results.push({ workspaceId: workspace.id, deleted });
  }
  return results;
}
