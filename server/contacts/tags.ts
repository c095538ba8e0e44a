// Contact tags: labels staff give contacts in the inbox ("vip", "spring-promo"), by which
// broadcasts choose their audience.
import { z } from "zod";
import { db, Prisma } from "@/server/db/client";
import { tagSchema } from "@/server/broadcasts/audience";

export const contactTagsSchema = z.array(tagSchema).max(30, "at most 30 tags per contact");

/** Replaces the contact's tags; false when the contact is not in the workspace. */
export async function setContactTags(input: { workspaceId: string; userId: string; contactId: string; tags: string[] }): Promise<boolean> {
  const tags = [...new Set(input.tags)].sort();
  return db().$transaction(async (tx) => {
    const saved = await tx.contact.updateMany({ where: { id: input.contactId, workspaceId: input.workspaceId }, data: { tags } });
    if (saved.count === 0) return false;
    await tx.auditLog.create({ data: { workspaceId: input.workspaceId, userId: input.userId, action: "contact.tags", target: input.contactId, details: { tags } } });
    return true;
  });
}

/** Every tag in use in the workspace, with how many contacts carry it, most used first. */
export async function workspaceTags(workspaceId: string): Promise<{ tag: string; contacts: number }[]> {
  const rows = await db().$queryRaw<{ tag: string; contacts: bigint }[]>(Prisma.sql`
    SELECT tag, count(*) AS contacts FROM "Contact", unnest(tags) AS tag
    WHERE "workspaceId" = ${workspaceId}
    GROUP BY tag ORDER BY contacts DESC, tag LIMIT 500`);
  return rows.map((row) => ({ tag: row.tag, contacts: Number(row.contacts) }));
}
