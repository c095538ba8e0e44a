// Broadcasts: an approved template sent through one number to a segment of contacts.
// Writing one checks the template and its parameters against the number's templates,
// resolves the audience into recipients (the skipped ones with their reason) and starts
// the durable send (./send.ts); its progress is read back per recipient, with delivery
// and reading taken from the messages' own statuses.
import { z } from "zod";
import { db, Prisma } from "@/server/db/client";
import { slices } from "@/server/db/slices";
import { sendEvents } from "@/server/inngest/client";
import { audienceSchema, resolveAudience, summariseAudience, MAX_RECIPIENTS, type Audience, type AudienceSummary } from "./audience";
import { bodyParametersSchema, parameterSchema } from "./parameters";
import { templateParameters } from "@/server/channels/templates";
import { BROADCAST_CANCEL_EVENT, BROADCAST_SEND_EVENT } from "./send";

export class BroadcastError extends Error {
  name = "BroadcastError";
  constructor(
    readonly code: "NOT_FOUND" | "BAD_REQUEST" | "CONFLICT",
    message: string,
  ) {
    super(message);
  }
}

export const broadcastInputSchema = z.object({
  name: z.string().trim().min(1, "name the broadcast").max(120),
  channelId: z.string().min(1),
  template: z.object({ name: z.string().min(1), language: z.string().min(1) }),
  bodyParameters: bodyParametersSchema,
  /** The header's {{1}} text or media link, when the template's header takes one. */
  headerParameter: parameterSchema.optional(),
  /** By button position: a link button's URL ending, or a quick reply's payload. */
  buttonParameters: z.array(z.object({ index: z.number().int().min(0).max(9), value: parameterSchema })).max(10).default([]),
  audience: audienceSchema,
  /** Send later: when to start (within 30 days); absent sends now. */
  scheduledFor: z.date().optional(),
});

const MAX_SCHEDULE_DAYS = 30;
export type BroadcastInput = z.output<typeof broadcastInputSchema>;

async function channelOf(workspaceId: string, channelId: string) {
  const channel = await db().channel.findFirst({
    where: { id: channelId, workspaceId },
    select: { id: true, contactRule: true, allowlist: true, blocklist: true },
  });
  if (!channel) throw new BroadcastError("NOT_FOUND", "No such number in your workspace.");
  return channel;
}

/** How many contacts the audience holds and how many of them the number may write to. */
export async function previewAudience(input: { workspaceId: string; channelId: string; audience: Audience }): Promise<AudienceSummary> {
  const channel = await channelOf(input.workspaceId, input.channelId);
  return summariseAudience(await resolveAudience(input.workspaceId, channel, input.audience));
}

export async function createBroadcast(input: { workspaceId: string; userId: string; broadcast: BroadcastInput }): Promise<{ id: string }> {
  const { workspaceId, broadcast } = input;
  const channel = await channelOf(workspaceId, broadcast.channelId);
  const template = await db().messageTemplate.findFirst({
    where: { channelId: channel.id, name: broadcast.template.name, language: broadcast.template.language },
  });
  if (!template) {
    throw new BroadcastError("BAD_REQUEST", `This number has no template “${broadcast.template.name}” (${broadcast.template.language}): refresh its templates and choose again.`);
  }
  if (template.status !== "APPROVED") throw new BroadcastError("BAD_REQUEST", `Template “${template.name}” is ${template.status.toLowerCase()}: WhatsApp only sends approved templates.`);
  if (broadcast.bodyParameters.length !== template.bodyParameters) {
    throw new BroadcastError("BAD_REQUEST", `Template “${template.name}” takes ${template.bodyParameters} parameter(s); ${broadcast.bodyParameters.length} given.`);
  }

  const { header, buttons } = templateHeaderAndButtons(template, broadcast);

  const now = Date.now();
  if (broadcast.scheduledFor && (broadcast.scheduledFor.getTime() <= now || broadcast.scheduledFor.getTime() > now + MAX_SCHEDULE_DAYS * 86_400_000)) {
    throw new BroadcastError("BAD_REQUEST", `Schedule it between now and ${MAX_SCHEDULE_DAYS} days from now.`);
  }

  const members = await resolveAudience(workspaceId, channel, broadcast.audience);
  const summary = summariseAudience(members);
  if (summary.tooMany) throw new BroadcastError("BAD_REQUEST", `A broadcast reaches at most ${MAX_RECIPIENTS.toLocaleString("en")} contacts: narrow the audience or split it.`);
  if (summary.reachable === 0) {
    throw new BroadcastError("BAD_REQUEST", summary.total === 0 ? "No contact matches this audience." : "No one in this audience may receive it: every contact is skipped.");
  }

  const created = await db().$transaction(
    async (tx) => {
      const newNumbers = members.filter((member) => member.contactId === null).map((member) => member.waId!);
      const newIds = new Map<string | null, string>();
      for (const numbers of slices(newNumbers)) {
        await tx.contact.createMany({ data: numbers.map((waId) => ({ workspaceId, waId })), skipDuplicates: true });
        for (const contact of await tx.contact.findMany({ where: { workspaceId, waId: { in: numbers } }, select: { id: true, waId: true } })) newIds.set(contact.waId, contact.id);
      }
      const record = await tx.broadcast.create({
        data: {
          workspaceId,
          channelId: channel.id,
          name: broadcast.name,
          templateName: template.name,
          templateLanguage: template.language,
          bodyParameters: broadcast.bodyParameters,
          ...(header ? { header } : {}),
          ...(buttons.length > 0 ? { buttonParameters: buttons } : {}),
          audience: broadcast.audience as Prisma.InputJsonValue,
          ...(broadcast.scheduledFor ? { status: "scheduled" as const, scheduledFor: broadcast.scheduledFor } : {}),
          createdById: input.userId,
        },
        select: { id: true },
      });
      for (const slice of slices(members)) {
        await tx.broadcastRecipient.createMany({
          data: slice.map((member) => ({
            broadcastId: record.id,
            contactId: member.contactId ?? newIds.get(member.waId)!,
            ...(member.skipReason ? { status: "skipped" as const, reason: member.skipReason } : {}),
          })),
          skipDuplicates: true,
        });
      }
      await tx.auditLog.create({
        data: {
          workspaceId,
          userId: input.userId,
          action: "broadcast.create",
          target: record.id,
          details: { name: broadcast.name, template: template.name, channelId: channel.id, recipients: summary.total, reachable: summary.reachable, scheduledFor: broadcast.scheduledFor?.toISOString() ?? null },
        },
      });
      return record;
    },
    { timeout: 60_000 },
  );
  await sendEvents({
    name: BROADCAST_SEND_EVENT,
    id: `broadcast:${created.id}`,
    data: { broadcastId: created.id, channelId: channel.id, ...(broadcast.scheduledFor ? { scheduledFor: broadcast.scheduledFor.toISOString() } : {}) },
  });
  return created;
}

/** Checks the header and button parameters against what the template takes; returns them as stored. */
function templateHeaderAndButtons(template: { name: string; components: Prisma.JsonValue }, broadcast: BroadcastInput) {
  const shape = templateParameters(template.components);
  const refuse = (message: string) => new BroadcastError("BAD_REQUEST", `Template “${template.name}” ${message}`);
  let header: { format: "text" | "image" | "video" | "document"; value: string } | null = null;
  if (shape.header) {
    const { format } = shape.header;
    if (!broadcast.headerParameter) throw refuse(format === "text" ? "has a header with {{1}}: give its text." : `has a media header (${format}): give the public https link to the ${format}.`);
    if (format !== "text" && !/^https?:\/\/[^\s/]+\.\S*$/i.test(broadcast.headerParameter)) throw refuse(`has a media header (${format}): its parameter must be a public https link.`);
    header = { format, value: broadcast.headerParameter };
  } else if (broadcast.headerParameter) {
    throw refuse("has no header that takes a parameter.");
  }
  const buttons = broadcast.buttonParameters.map((given) => {
    const button = shape.buttons.find((candidate) => candidate.index === given.index);
    if (!button) throw refuse(`has no button ${given.index + 1} that takes a parameter.`);
    return { index: given.index, subType: button.subType, value: given.value };
  });
  const missing = shape.buttons.find((button) => button.required && !buttons.some((given) => given.index === button.index));
  if (missing) throw refuse(`has a link button “${missing.text}” whose link ends with {{1}}: give that ending.`);
  return { header, buttons };
}

export async function cancelBroadcast(input: { workspaceId: string; userId: string; id: string }): Promise<void> {
  await db().$transaction(async (tx) => {
    const cancelled = await tx.broadcast.updateMany({ where: { id: input.id, workspaceId: input.workspaceId, status: { in: ["scheduled", "sending"] } }, data: { status: "cancelled", finishedAt: new Date() } });
    if (cancelled.count === 0) {
      const exists = await tx.broadcast.count({ where: { id: input.id, workspaceId: input.workspaceId } });
      throw exists ? new BroadcastError("CONFLICT", "This broadcast has already finished.") : new BroadcastError("NOT_FOUND", "No such broadcast in your workspace.");
    }
    await tx.broadcastRecipient.updateMany({ where: { broadcastId: input.id, status: "queued" }, data: { status: "cancelled", reason: "the broadcast was cancelled" } });
    await tx.auditLog.create({ data: { workspaceId: input.workspaceId, userId: input.userId, action: "broadcast.cancel", target: input.id } });
  });
  await sendEvents({ name: BROADCAST_CANCEL_EVENT, id: `broadcast-cancel:${input.id}`, data: { broadcastId: input.id } });
}

/** Where a recipient stands: queued, skipped, cancelled, or once sent its message's status. */
export const RECIPIENT_STATES = ["queued", "sent", "delivered", "read", "failed", "skipped", "cancelled"] as const;
export type RecipientState = (typeof RECIPIENT_STATES)[number];
export type RecipientCounts = Record<RecipientState, number>;

const STATE_SQL = Prisma.sql`CASE WHEN r.status = 'sent' THEN (CASE WHEN m.status IS NULL OR m.status = 'pending' THEN 'sent' ELSE m.status::text END) ELSE r.status::text END`;

async function countsByBroadcast(ids: string[]): Promise<Map<string, RecipientCounts>> {
  const counts = new Map<string, RecipientCounts>(ids.map((id) => [id, Object.fromEntries(RECIPIENT_STATES.map((state) => [state, 0])) as RecipientCounts]));
  if (ids.length === 0) return counts;
  const rows = await db().$queryRaw<{ broadcastId: string; state: RecipientState; count: bigint }[]>(Prisma.sql`
    SELECT r."broadcastId", ${STATE_SQL} AS state, count(*) AS count
    FROM "BroadcastRecipient" r LEFT JOIN "Message" m ON m.id = r."messageId"
    WHERE r."broadcastId" IN (${Prisma.join(ids)})
    GROUP BY 1, 2`);
  for (const row of rows) counts.get(row.broadcastId)![row.state] += Number(row.count);
  return counts;
}

export async function listBroadcasts(input: { workspaceId: string }) {
  const broadcasts = await db().broadcast.findMany({
    where: { workspaceId: input.workspaceId },
    orderBy: { createdAt: "desc" },
    take: 200,
    include: { channel: { select: { name: true, displayPhoneNumber: true } } },
  });
  const counts = await countsByBroadcast(broadcasts.map((broadcast) => broadcast.id));
  return broadcasts.map((broadcast) => ({
    id: broadcast.id,
    name: broadcast.name,
    status: broadcast.status,
    template: `${broadcast.templateName} (${broadcast.templateLanguage})`,
    channel: broadcast.channel.name,
    createdAt: broadcast.createdAt,
    scheduledFor: broadcast.scheduledFor,
    finishedAt: broadcast.finishedAt,
    counts: counts.get(broadcast.id)!,
  }));
}

const PAGE_SIZE = 50;

export const recipientQuerySchema = z.object({
  id: z.string().min(1),
  state: z.enum(RECIPIENT_STATES).optional(),
  page: z.number().int().min(0).max(10_000).default(0),
});

export async function broadcastDetail(input: { workspaceId: string } & z.output<typeof recipientQuerySchema>) {
  const broadcast = await db().broadcast.findFirst({
    where: { id: input.id, workspaceId: input.workspaceId },
    include: { channel: { select: { name: true, displayPhoneNumber: true } } },
  });
  if (!broadcast) throw new BroadcastError("NOT_FOUND", "No such broadcast in your workspace.");
  const counts = (await countsByBroadcast([broadcast.id])).get(broadcast.id)!;
  const createdBy = broadcast.createdById ? await db().user.findUnique({ where: { id: broadcast.createdById }, select: { name: true, email: true } }) : null;
  const stateFilter = input.state ? Prisma.sql`AND ${STATE_SQL} = ${input.state}` : Prisma.empty;
  const recipients = await db().$queryRaw<{
    id: string;
    contactName: string | null;
    waId: string | null;
    state: RecipientState;
    reason: string | null;
    error: { meaning?: string; code?: number | null } | null;
    conversationId: string | null;
    sentAt: Date | null;
  }[]>(Prisma.sql`
    SELECT r.id, c.name AS "contactName", c."waId", ${STATE_SQL} AS state, r.reason, m.error, m."conversationId", m."sentAt"
    FROM "BroadcastRecipient" r
    JOIN "Contact" c ON c.id = r."contactId"
    LEFT JOIN "Message" m ON m.id = r."messageId"
    WHERE r."broadcastId" = ${broadcast.id} ${stateFilter}
    ORDER BY r.id
    LIMIT ${PAGE_SIZE} OFFSET ${input.page * PAGE_SIZE}`);
  return {
    id: broadcast.id,
    name: broadcast.name,
    status: broadcast.status,
    channel: broadcast.channel.name,
    template: { name: broadcast.templateName, language: broadcast.templateLanguage },
    bodyParameters: broadcast.bodyParameters,
    audience: audienceSchema.parse(broadcast.audience),
    createdAt: broadcast.createdAt,
    scheduledFor: broadcast.scheduledFor,
    finishedAt: broadcast.finishedAt,
    createdBy: createdBy?.name ?? createdBy?.email ?? null,
    counts,
    pageSize: PAGE_SIZE,
    recipients: recipients.map((recipient) => ({
      id: recipient.id,
      contact: recipient.contactName ?? (recipient.waId ? `+${recipient.waId}` : "unknown"),
      waId: recipient.waId,
      state: recipient.state,
      // Why it was skipped or failed: Parley's reason, or Meta's meaning of a failed status.
      reason: recipient.reason ?? (recipient.state === "failed" ? (recipient.error?.meaning ?? null) : null),
      conversationId: recipient.conversationId,
      sentAt: recipient.sentAt,
    })),
  };
}
