// The inbox as admins read it: conversations with their state, and one conversation's
// transcript as the customer saw it, with delivery statuses, Meta's error meanings, and
// for each bot message the run and node that sent it. Studio test conversations are left
// out: they belong to the test panel.
import { z } from "zod";
import { db, type Prisma } from "@/server/db/client";
import { deliveryErrorSchema } from "@/server/channels/delivery-errors";
import { CUSTOMER_SERVICE_WINDOW_MS, inboundDetailsSchema, inboundMediaSchema } from "@/flows/message";
import { mediaPath } from "@/server/media/links";

export const CONVERSATION_STATES = ["bot_active", "waiting", "handed_off", "closed"] as const;
export type ConversationState = (typeof CONVERSATION_STATES)[number];

export const conversationFilterSchema = z.object({
  state: z.enum(CONVERSATION_STATES).optional(),
  channelId: z.string().optional(),
  /** Matches the contact's name or number, or any message's text. */
  search: z.string().trim().max(200).optional(),
  /** The last conversation of the previous page. */
  cursor: z.string().optional(),
  limit: z.number().int().min(1).max(100).default(50),
});
export type ConversationFilter = z.input<typeof conversationFilterSchema>;

function stateWhere(state: ConversationState): Prisma.ConversationWhereInput {
  switch (state) {
    case "handed_off":
      return { handedOffAt: { not: null } };
    case "waiting":
      return { handedOffAt: null, activeRunId: { not: null }, runs: { some: { status: "waiting" } } };
    case "bot_active":
      return { handedOffAt: null, activeRunId: { not: null }, runs: { none: { status: "waiting" } } };
    case "closed":
      return { handedOffAt: null, activeRunId: null };
  }
}

function stateOf(conversation: { handedOffAt: Date | null; activeRunId: string | null }, activeRunStatus: string | undefined): ConversationState {
  if (conversation.handedOffAt) return "handed_off";
  if (!conversation.activeRunId) return "closed";
  return activeRunStatus === "waiting" ? "waiting" : "bot_active";
}

function searchWhere(search: string): Prisma.ConversationWhereInput {
  const digits = search.replace(/[\s()+-]/g, "");
  return {
    OR: [
      { contact: { name: { contains: search, mode: "insensitive" } } },
      ...(/^\d+$/.test(digits) ? [{ contact: { waId: { contains: digits } } }] : []),
      { messages: { some: { text: { contains: search, mode: "insensitive" } } } },
    ],
  };
}

export async function listConversations(workspaceId: string, filter: ConversationFilter) {
  const input = conversationFilterSchema.parse(filter);
  const where: Prisma.ConversationWhereInput = {
    workspaceId,
    testFlowVersionId: null,
    ...(input.channelId ? { channelId: input.channelId } : {}),
    AND: [input.state ? stateWhere(input.state) : {}, input.search ? searchWhere(input.search) : {}],
  };
  const rows = await db().conversation.findMany({
    where,
    orderBy: [{ lastMessageAt: { sort: "desc", nulls: "last" } }, { id: "desc" }],
    take: input.limit + 1,
    ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
    include: {
      contact: { select: { name: true, waId: true, bsuid: true } },
      channel: { select: { id: true, name: true } },
      messages: { orderBy: { seq: "desc" }, take: 1, select: { text: true, type: true, direction: true, status: true, createdAt: true } },
    },
  });
  const page = rows.slice(0, input.limit);
  const activeRuns = await db().flowRun.findMany({
    where: { id: { in: page.flatMap((row) => (row.activeRunId ? [row.activeRunId] : [])) } },
    select: { id: true, status: true },
  });
  const runStatus = new Map(activeRuns.map((run) => [run.id, run.status]));
  const matchingText = input.search ? await messagesMatching(page.map((row) => row.id), input.search) : new Map<string, string>();
  return {
    conversations: page.map((row) => ({
      id: row.id,
      contact: { name: row.contact.name, number: contactAddress(row.contact) },
      channel: row.channel,
      state: stateOf(row, row.activeRunId ? runStatus.get(row.activeRunId) : undefined),
      lastMessage: row.messages[0] ?? null,
      lastMessageAt: row.lastMessageAt,
      /** The newest message whose text matched the search, to show why the conversation is listed. */
      match: matchingText.get(row.id) ?? null,
    })),
    nextCursor: rows.length > input.limit ? page.at(-1)!.id : null,
  };
}

async function messagesMatching(conversationIds: string[], search: string): Promise<Map<string, string>> {
  const found = await db().message.findMany({
    where: { conversationId: { in: conversationIds }, text: { contains: search, mode: "insensitive" } },
    orderBy: { seq: "desc" },
    select: { conversationId: true, text: true },
  });
  const matches = new Map<string, string>();
  for (const message of found) if (!matches.has(message.conversationId) && message.text) matches.set(message.conversationId, message.text);
  return matches;
}

/** How the inbox names a contact's address: +digits, or the business-scoped user id of someone writing behind a username. */
function contactAddress(contact: { waId: string | null; bsuid: string | null }): string | null {
  return contact.waId ? `+${contact.waId}` : contact.bsuid;
}

/** How many messages of a conversation the inbox shows at once: the newest ones. */
export const TRANSCRIPT_PAGE = 200;

const statusErrorSchema = deliveryErrorSchema.partial().passthrough();

export async function conversationDetail(workspaceId: string, conversationId: string, now = Date.now()) {
  const conversation = await db().conversation.findFirst({
    where: { id: conversationId, workspaceId, testFlowVersionId: null },
    include: { contact: true, channel: { select: { id: true, name: true, provider: true } } },
  });
  if (!conversation) return null;
  const [newestFirst, runs, total] = await Promise.all([
    db().message.findMany({
      where: { conversationId },
      orderBy: { seq: "desc" },
      take: TRANSCRIPT_PAGE,
      select: {
        id: true,
        direction: true,
        type: true,
        text: true,
        status: true,
        error: true,
        runId: true,
        nodeId: true,
        consumedByRunId: true,
        sentByUserId: true,
        createdAt: true,
        sentAt: true,
        payload: true,
        media: { select: { status: true, error: true } },
      },
    }),
    db().flowRun.findMany({
      where: { conversationId },
      orderBy: { startedAt: "desc" },
      take: 50,
      select: { id: true, status: true, startedAt: true, endedAt: true, waitingNodeId: true, flowVersionId: true, flow: { select: { id: true, name: true } }, flowVersion: { select: { number: true } } },
    }),
    db().message.count({ where: { conversationId } }),
  ]);
  const userIds = [...new Set([conversation.handedOffById, ...newestFirst.map((message) => message.sentByUserId)].filter((id): id is string => id !== null))];
  const users = await db().user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true, email: true } });
  const nameOf = new Map(users.map((user) => [user.id, user.name ?? user.email]));
  const activeRun = runs.find((run) => run.id === conversation.activeRunId);
  const windowClosesAt = conversation.lastInboundAt ? new Date(conversation.lastInboundAt.getTime() + CUSTOMER_SERVICE_WINDOW_MS) : null;
  return {
    id: conversation.id,
    contact: { id: conversation.contact.id, name: conversation.contact.name, number: contactAddress(conversation.contact), tags: conversation.contact.tags },
    channel: conversation.channel,
    state: stateOf(conversation, activeRun?.status),
    handoff: conversation.handedOffAt
      ? { since: conversation.handedOffAt, reason: conversation.handoffReason, by: conversation.handedOffById ? (nameOf.get(conversation.handedOffById) ?? null) : null }
      : null,
    /** Free-form messages reach the contact until then; after it, only templates. */
    window: { closesAt: windowClosesAt, open: windowClosesAt !== null && windowClosesAt.getTime() > now },
    activeRunId: conversation.activeRunId,
    runs: runs.map((run) => ({
      id: run.id,
      status: run.status,
      flow: run.flow,
      version: run.flowVersion.number,
      flowVersionId: run.flowVersionId,
      startedAt: run.startedAt,
      endedAt: run.endedAt,
      waitingNodeId: run.waitingNodeId,
    })),
    olderMessages: total - newestFirst.length,
    messages: (await withTemplateTexts(conversation.channelId, newestFirst.reverse())).map((message) => {
      const error = message.error ? statusErrorSchema.safeParse(message.error) : null;
      return {
        id: message.id,
        direction: message.direction,
        type: message.type,
        text: message.text,
        status: message.status,
        error: error?.success ? { code: error.data.code ?? null, meaning: error.data.meaning ?? "The provider gave no reason.", title: error.data.title ?? null } : null,
        runId: message.runId ?? message.consumedByRunId,
        nodeId: message.nodeId,
        sentBy: message.sentByUserId ? (nameOf.get(message.sentByUserId) ?? "a former member") : null,
        at: message.sentAt ?? message.createdAt,
        media: mediaOf(message),
        unsupported: unsupportedReason(message),
      };
    }),
  };
}
const templatePayloadSchema = z.object({ type: z.literal("template"), name: z.string(), language: z.string(), bodyParameters: z.array(z.string()) });

/** Template messages as the contact read them: the number's cached template body with its parameters filled in. */
async function withTemplateTexts<M extends { direction: string; type: string; text: string | null; payload: unknown }>(channelId: string, messages: M[]): Promise<M[]> {
  const sent = messages.map((message) => (message.direction === "outbound" && message.type === "template" ? templatePayloadSchema.safeParse(message.payload) : null));
  const names = [...new Set(sent.flatMap((parsed) => (parsed?.success ? [parsed.data.name] : [])))];
  if (names.length === 0) return messages;
  const templates = await db().messageTemplate.findMany({ where: { channelId, name: { in: names } }, select: { name: true, language: true, bodyText: true } });
  return messages.map((message, i) => {
    const parsed = sent[i];
    if (!parsed?.success) return message;
    const { name, language, bodyParameters } = parsed.data;
    const body = templates.find((template) => template.name === name && template.language === language)?.bodyText;
    if (!body) return message;
    return { ...message, text: body.replace(/\{\{\s*(\d+)\s*\}\}/g, (placeholder, index: string) => bodyParameters[Number(index) - 1] ?? placeholder) };
  });
}

const mediaPayloadSchema = z.object({ details: z.object({ media: inboundMediaSchema }) });

/** What the inbox shows of a medium the contact sent: where to open it and whether Parley has it yet. */
function mediaOf(message: { id: string; direction: string; payload: unknown; media: { status: string; error: string | null } | null }) {
  const parsed = message.direction === "inbound" ? mediaPayloadSchema.safeParse(message.payload) : null;
  if (!parsed?.success) return null;
  const { mimeType, filename } = parsed.data.details.media;
  return { url: mediaPath(message.id), mimeType, filename, state: message.media?.status ?? "pending", error: message.media?.error ?? null };
}

const unsupportedPayloadSchema = z.object({ details: z.object({ unsupported: inboundDetailsSchema.shape.unsupported.unwrap() }) });

/** Why Parley could not read a message the contact sent (a poll, a type WhatsApp does not pass on), so the inbox says more than its type. */
function unsupportedReason(message: { direction: string; payload: unknown }): string | null {
  const parsed = message.direction === "inbound" ? unsupportedPayloadSchema.safeParse(message.payload) : null;
  return parsed?.success ? parsed.data.details.unsupported.reason : null;
}

export type ConversationDetail = NonNullable<Awaited<ReturnType<typeof conversationDetail>>>;
