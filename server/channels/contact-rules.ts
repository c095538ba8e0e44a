// Who a number answers and who it may reach on its own. Per number: an allowlist or a
// blocklist (a refused contact's messages are stored and shown, and start nothing), and the
// keywords by which a contact opts out of proactive messages (STOP) or back in (START).
// An opted-out contact gets no schedule or API-event run and no template, until they
// write again or opt back in; replies to what they write are not proactive and still go.
import { z } from "zod";
import { db } from "@/server/db/client";
import { phoneNumberSchema } from "@/flows/message";

const keywords = z.array(z.string().trim().min(1, "a keyword cannot be empty").max(40, "keywords hold at most 40 characters")).max(20, "at most 20 keywords");

export const contactRulesSchema = z.object({
  contactRule: z.enum(["everyone", "allowlist"]),
  allowlist: z.array(phoneNumberSchema).max(10_000),
  blocklist: z.array(phoneNumberSchema).max(10_000),
  optOutKeywords: keywords,
  optInKeywords: keywords,
  optOutReply: z.string().trim().max(1000),
});
export type ContactRules = z.output<typeof contactRulesSchema>;

/** Whether a message from `waId` may start a run on a number with these rules. */
export function mayStartRuns(rules: { contactRule: string; allowlist: string[]; blocklist: string[] }, waId: string | null): boolean {
  if (waId && rules.blocklist.includes(waId)) return false;
  if (rules.contactRule === "allowlist") return waId !== null && rules.allowlist.includes(waId);
  return true;
}

/** "stop", " Stop! " and "STOP." all say STOP: case, spaces and closing punctuation do not count. */
const normalise = (text: string) => text.trim().replace(/[.!¡¿?]+$/u, "").trim().toUpperCase();

/** The consent a message expresses, when it is exactly one of the number's keywords. */
export function consentKeyword(rules: Pick<ContactRules, "optOutKeywords" | "optInKeywords">, text: string | null): "opt_out" | "opt_in" | null {
  if (!text) return null;
  const said = normalise(text);
  if (rules.optOutKeywords.some((keyword) => normalise(keyword) === said)) return "opt_out";
  if (rules.optInKeywords.some((keyword) => normalise(keyword) === said)) return "opt_in";
  return null;
}

/** Records the contact's choice; opting back in clears the opt-out. */
export async function recordConsent(contactId: string, consent: "opt_out" | "opt_in", at = new Date()): Promise<void> {
  await db().contact.update({ where: { id: contactId }, data: consent === "opt_out" ? { optedOutAt: at } : { optedOutAt: null, optedInAt: at } });
}

/** Whether a message the contact did not ask for may reach them: not after an opt-out they have not followed with a message. */
export function mayReachProactively(contact: { optedOutAt: Date | null }, lastInboundAt: Date | null): boolean {
  return contact.optedOutAt === null || (lastInboundAt !== null && lastInboundAt > contact.optedOutAt);
}

export const OPTED_OUT_MEANING = "The contact opted out (STOP): Parley sends them nothing they did not ask for until they write again or opt back in.";

export async function readContactRules(input: { workspaceId: string; channelId: string }): Promise<ContactRules | null> {
  return db().channel.findFirst({
    where: { id: input.channelId, workspaceId: input.workspaceId },
    select: { contactRule: true, allowlist: true, blocklist: true, optOutKeywords: true, optInKeywords: true, optOutReply: true },
  }) as Promise<ContactRules | null>;
}

export async function saveContactRules(input: { workspaceId: string; userId: string; channelId: string; rules: ContactRules }): Promise<boolean> {
  const rules = { ...input.rules, allowlist: [...new Set(input.rules.allowlist)], blocklist: [...new Set(input.rules.blocklist)] };
  return db().$transaction(async (tx) => {
    const saved = await tx.channel.updateMany({ where: { id: input.channelId, workspaceId: input.workspaceId }, data: rules });
    if (saved.count === 0) return false;
    await tx.auditLog.create({
      data: {
        workspaceId: input.workspaceId,
        userId: input.userId,
        action: "channel.contact_rules",
        target: input.channelId,
        details: { contactRule: rules.contactRule, allowlist: rules.allowlist.length, blocklist: rules.blocklist.length, optOutKeywords: rules.optOutKeywords },
      },
    });
    return true;
  });
}
