import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { changeRole, invite, MemberError, removeMember } from "@/server/auth/members";
import { unlockUser } from "@/server/auth/sign-in";
import { db } from "@/server/db/client";
import { procedureFor, router, withRefusals } from "../init";

const roleSchema = z.enum(["owner", "admin", "editor", "viewer"]);

export const membersRouter = router({
  list: procedureFor("admin").query(async ({ ctx }) => {
    const [members, invitations] = await Promise.all([
      db().membership.findMany({
        where: { workspaceId: ctx.viewer.workspaceId },
        include: { user: { select: { id: true, email: true, name: true, lockedUntil: true } } },
        orderBy: { createdAt: "asc" },
      }),
      db().invitation.findMany({
        where: { workspaceId: ctx.viewer.workspaceId, acceptedAt: null, expiresAt: { gt: new Date() } },
        select: { id: true, email: true, role: true, expiresAt: true },
        orderBy: { createdAt: "desc" },
      }),
    ]);
    const now = new Date();
    return {
      members: members.map((member) => ({
        userId: member.user.id,
        email: member.user.email,
        name: member.user.name,
        role: member.role,
        since: member.createdAt,
        lockedUntil: member.user.lockedUntil && member.user.lockedUntil > now ? member.user.lockedUntil : null,
        you: member.user.id === ctx.viewer.userId,
      })),
      invitations,
    };
  }),

  /** Returns the invitation link's token once; only its hash is kept. */
  invite: procedureFor("admin")
    .input(z.object({ email: z.string().trim().toLowerCase().email("an email address").max(254), role: roleSchema }))
    .mutation(({ ctx, input }) => withRefusals(MemberError, () => invite({ workspaceId: ctx.viewer.workspaceId, ...input, by: ctx.viewer }))),

  revokeInvitation: procedureFor("admin")
    .input(z.object({ id: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const deleted = await db().invitation.deleteMany({ where: { id: input.id, workspaceId: ctx.viewer.workspaceId, acceptedAt: null } });
      if (deleted.count === 0) throw new TRPCError({ code: "NOT_FOUND", message: "No such open invitation." });
    }),

  changeRole: procedureFor("admin")
    .input(z.object({ userId: z.string(), role: roleSchema }))
    .mutation(({ ctx, input }) => withRefusals(MemberError, () => changeRole({ workspaceId: ctx.viewer.workspaceId, ...input, by: ctx.viewer }))),

  remove: procedureFor("admin")
    .input(z.object({ userId: z.string() }))
    .mutation(({ ctx, input }) => withRefusals(MemberError, () => removeMember({ workspaceId: ctx.viewer.workspaceId, userId: input.userId, by: ctx.viewer }))),

  unlock: procedureFor("admin")
    .input(z.object({ userId: z.string() }))
    .mutation(async ({ ctx, input }) => {
      if (!(await unlockUser({ workspaceId: ctx.viewer.workspaceId, userId: input.userId, byUserId: ctx.viewer.userId }))) {
        throw new TRPCError({ code: "NOT_FOUND", message: "No such member." });
      }
    }),
});
