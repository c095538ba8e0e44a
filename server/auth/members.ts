// Workspace members: invitations (a link with a one-time token, 7 days), roles, removal and
// unlock. Owners alone grant or take the owner role, and a workspace always keeps one owner.
import { createHash, randomBytes } from "node:crypto";
import { db } from "@/server/db/client";
import type { Role } from "@/server/db/generated/enums";
import { hashPassword } from "./password";

export const INVITATION_DAYS = 7;

export class MemberError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MemberError";
  }
}

const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex");

export async function invite(input: { workspaceId: string; email: string; role: Role; by: { userId: string; role: Role } }): Promise<{ token: string; expiresAt: Date }> {
  if (input.role === "owner" && input.by.role !== "owner") throw new MemberError("Only an owner can invite another owner.");
  if (await db().user.findUnique({ where: { email: input.email } })) throw new MemberError(`${input.email} already has a Parley account.`);
  const token = randomBytes(24).toString("base64url");
  const expiresAt = new Date(Date.now() + INVITATION_DAYS * 86_400_000);
  await db().$transaction(async (tx) => {
    // A new invitation replaces an open one for the same address.
    await tx.invitation.deleteMany({ where: { workspaceId: input.workspaceId, email: input.email, acceptedAt: null } });
    const created = await tx.invitation.create({
      data: { workspaceId: input.workspaceId, email: input.email, role: input.role, tokenHash: tokenHash(token), invitedById: input.by.userId, expiresAt },
    });
    await tx.auditLog.create({
      data: { workspaceId: input.workspaceId, userId: input.by.userId, action: "member.invite", target: created.id, details: { email: input.email, role: input.role } },
    });
  });
  return { token, expiresAt };
}

/** The open invitation a link's token names, or null (unknown, used or expired). */
export async function openInvitation(token: string) {
  const invitation = await db().invitation.findUnique({ where: { tokenHash: tokenHash(token) }, include: { workspace: { select: { name: true } } } });
  if (!invitation || invitation.acceptedAt || invitation.expiresAt < new Date()) return null;
  return { email: invitation.email, role: invitation.role, workspace: invitation.workspace.name };
}

export async function acceptInvitation(input: { token: string; name: string; password: string }): Promise<{ email: string }> {
  const passwordHash = await hashPassword(input.password);
  return db().$transaction(async (tx) => {
    const invitation = await tx.invitation.findUnique({ where: { tokenHash: tokenHash(input.token) } });
    if (!invitation || invitation.acceptedAt || invitation.expiresAt < new Date()) throw new MemberError("This invitation link is no longer valid: ask for a new one.");
    if (await tx.user.findUnique({ where: { email: invitation.email } })) throw new MemberError(`${invitation.email} already has a Parley account: sign in instead.`);
    const user = await tx.user.create({ data: { email: invitation.email, name: input.name, passwordHash } });
    await tx.membership.create({ data: { workspaceId: invitation.workspaceId, userId: user.id, role: invitation.role } });
    await tx.invitation.update({ where: { id: invitation.id }, data: { acceptedAt: new Date() } });
    await tx.auditLog.create({ data: { workspaceId: invitation.workspaceId, userId: user.id, action: "member.join", target: user.id, details: { role: invitation.role } } });
    return { email: user.email };
  });
}

export async function changeRole(input: { workspaceId: string; userId: string; role: Role; by: { userId: string; role: Role } }): Promise<void> {
  await db().$transaction(async (tx) => {
    const member = await tx.membership.findUnique({ where: { workspaceId_userId: { workspaceId: input.workspaceId, userId: input.userId } } });
    if (!member) throw new MemberError("No such member.");
    if ((member.role === "owner" || input.role === "owner") && input.by.role !== "owner") throw new MemberError("Only an owner can grant or take the owner role.");
    if (member.role === "owner" && input.role !== "owner") await keepAnOwner(tx, input.workspaceId);
    await tx.membership.update({ where: { workspaceId_userId: { workspaceId: input.workspaceId, userId: input.userId } }, data: { role: input.role } });
    await tx.auditLog.create({
      data: { workspaceId: input.workspaceId, userId: input.by.userId, action: "member.role", target: input.userId, details: { from: member.role, to: input.role } },
    });
  });
}

export async function removeMember(input: { workspaceId: string; userId: string; by: { userId: string; role: Role } }): Promise<void> {
  if (input.userId === input.by.userId) throw new MemberError("You cannot remove yourself: ask another admin.");
  await db().$transaction(async (tx) => {
    const member = await tx.membership.findUnique({ where: { workspaceId_userId: { workspaceId: input.workspaceId, userId: input.userId } } });
    if (!member) throw new MemberError("No such member.");
    if (member.role === "owner") {
      if (input.by.role !== "owner") throw new MemberError("Only an owner can remove an owner.");
      await keepAnOwner(tx, input.workspaceId);
    }
    await tx.membership.delete({ where: { workspaceId_userId: { workspaceId: input.workspaceId, userId: input.userId } } });
    await tx.auditLog.create({ data: { workspaceId: input.workspaceId, userId: input.by.userId, action: "member.remove", target: input.userId, details: { role: member.role } } });
  });
}

type Tx = Parameters<Parameters<ReturnType<typeof db>["$transaction"]>[0]>[0];

/** Refuses a change that would leave the workspace without an owner. */
async function keepAnOwner(tx: Tx, workspaceId: string): Promise<void> {
  const owners = await tx.membership.count({ where: { workspaceId, role: "owner" } });
  if (owners <= 1) throw new MemberError("A workspace needs an owner: make someone else owner first.");
}
