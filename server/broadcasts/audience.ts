// Who a broadcast goes to: the contacts with any of some tags, or a list of numbers, less
// those the number may not write to first — blocked or off its allowlist, opted out (STOP),
// or, when asked, never opted in. The same rules are checked again just before each send,
// since a contact can say STOP while a broadcast is under way.
import { z } from "zod";
import { phoneNumberSchema } from "@/flows/message";
import { db } from "@/server/db/client";
import { slices } from "@/server/db/slices";
import { mayReachProactively, mayStartRuns } from "@/server/channels/contact-rules";

export const tagSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, "a tag cannot be empty")
  .max(40, "tags hold at most 40 characters")
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _-]*$/u, "tags use letters, digits, spaces, '-' and '_'");

/** A broadcast reaches at most this many contacts: more should be split, so a mistake costs less. */
export const MAX_RECIPIENTS = 50_000;

export const audienceSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("tags"),
    tags: z.array(tagSchema).min(1, "choose at least one tag").max(20),
    optedInOnly: z.boolean().default(false),
  }),
  z.object({
    kind: z.literal("numbers"),
    numbers: z.array(phoneNumberSchema).min(1, "list at least one number").max(MAX_RECIPIENTS),
    optedInOnly: z.boolean().default(false),
  }),
]);
export type Audience = z.output<typeof audienceSchema>;

export type ChannelRules = { id: string; contactRule: string; allowlist: string[]; blocklist: string[] };
type ContactState = { waId: string | null; bsuid: string | null; optedOutAt: Date | null; optedInAt: Date | null };

/** Why a contact gets no broadcast through this number, or null when they may. */
export function skipReason(channel: ChannelRules, contact: ContactState, lastInboundAt: Date | null, optedInOnly: boolean): string | null {
  if (!contact.waId && !contact.bsuid) return "no WhatsApp number or user id";
  if (!mayStartRuns(channel, contact.waId)) {
    return contact.waId && channel.blocklist.includes(contact.waId) ? "on this number's blocklist" : "not on this number's allowlist";
  }
  if (!mayReachProactively(contact, lastInboundAt)) return "opted out (STOP)";
  if (optedInOnly && !contact.optedInAt) return "has not opted in";
  return null;
}

export interface AudienceMember {
  /** Null for a listed number that is no contact yet: created when the broadcast is. */
  contactId: string | null;
  waId: string | null;
  skipReason: string | null;
}

/** The audience's contacts with, for each, why it would be skipped (read only: nothing is created). */
export async function resolveAudience(workspaceId: string, channel: ChannelRules, audience: Audience): Promise<AudienceMember[]> {
  const select = {
    id: true,
    waId: true,
    bsuid: true,
    optedOutAt: true,
    optedInAt: true,
    conversations: { where: { channelId: channel.id }, select: { lastInboundAt: true } },
  } as const;
  const contacts =
    audience.kind === "tags"
      ? await db().contact.findMany({ where: { workspaceId, tags: { hasSome: audience.tags } }, select, orderBy: { createdAt: "asc" }, take: MAX_RECIPIENTS + 1 })
      : (await Promise.all(slices([...new Set(audience.numbers)]).map((numbers) => db().contact.findMany({ where: { workspaceId, waId: { in: numbers } }, select })))).flat();
  const members: AudienceMember[] = contacts.map((contact) => ({
    contactId: contact.id,
    waId: contact.waId,
    skipReason: skipReason(channel, contact, contact.conversations[0]?.lastInboundAt ?? null, audience.optedInOnly),
  }));
  if (audience.kind === "numbers") {
    const known = new Set(contacts.map((contact) => contact.waId));
    const unknown = { waId: null, bsuid: null, optedOutAt: null, optedInAt: null };
    for (const waId of new Set(audience.numbers)) {
      if (!known.has(waId)) members.push({ contactId: null, waId, skipReason: skipReason(channel, { ...unknown, waId }, null, audience.optedInOnly) });
    }
  }
  return members;
}

export interface AudienceSummary {
  total: number;
  reachable: number;
  skipped: { reason: string; count: number }[];
  tooMany: boolean;
}

export function summariseAudience(members: AudienceMember[]): AudienceSummary {
  const reasons = new Map<string, number>();
  for (const member of members) if (member.skipReason) reasons.set(member.skipReason, (reasons.get(member.skipReason) ?? 0) + 1);
  const skipped = [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count);
  return {
    total: members.length,
    reachable: members.length - skipped.reduce((sum, entry) => sum + entry.count, 0),
    skipped,
    tooMany: members.length > MAX_RECIPIENTS,
  };
}
