import { z } from "zod";
import { db } from "@/server/db/client";
import { eraseContact, exportContact, findContacts, PrivacyError } from "@/server/privacy/contacts";
import { procedureFor, router, withRefusals } from "../init";

export const privacyRouter = router({
  settings: procedureFor("admin").query(async ({ ctx }) => {
    const workspace = await db().workspace.findUniqueOrThrow({ where: { id: ctx.viewer.workspaceId }, select: { retentionDays: true } });
    return { retentionDays: workspace.retentionDays };
  }),

  setRetention: procedureFor("owner")
    .input(z.object({ retentionDays: z.number().int().min(1, "at least 1 day").max(3650, "at most 10 years").nullable() }))
    .mutation(async ({ ctx, input }) => {
      await db().$transaction([
        db().workspace.update({ where: { id: ctx.viewer.workspaceId }, data: { retentionDays: input.retentionDays } }),
        db().auditLog.create({
          data: { workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId, action: "workspace.retention", details: { retentionDays: input.retentionDays } },
        }),
      ]);
    }),

  findContacts: procedureFor("admin")
    .input(z.object({ query: z.string().trim().min(2, "type at least 2 characters").max(100) }))
    .query(({ ctx, input }) => findContacts(ctx.viewer.workspaceId, input.query)),

  exportContact: procedureFor("admin")
    .input(z.object({ contactId: z.string() }))
    .mutation(({ ctx, input }) => withRefusals(PrivacyError, () => exportContact({ workspaceId: ctx.viewer.workspaceId, contactId: input.contactId, userId: ctx.viewer.userId }))),

  eraseContact: procedureFor("admin")
    .input(z.object({ contactId: z.string(), mode: z.enum(["delete", "anonymise"]) }))
    .mutation(({ ctx, input }) => withRefusals(PrivacyError, () => eraseContact({ workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId, ...input }))),
});
