// Checking a sign-in: the password, then the account lockout (after LOCK_AFTER consecutive
// failures the account refuses sign-in for LOCK_MINUTES, whatever the password), and a
// rate limit per client address so nobody can try passwords across many accounts quickly.
import { db } from "@/server/db/client";
import { overLimit, RATE_LIMITS } from "@/server/security/rate-limits";
import { hashPassword, verifyPassword } from "./password";

export const LOCK_AFTER = 5;
export const LOCK_MINUTES = 15;

export type SignInResult =
  | { ok: true; user: { id: string; email: string; name: string | null } }
  | { ok: false; reason: string };

const WRONG = "Wrong email or password.";
// Compared against when the email is unknown, so both cases take as long (no account probing by timing).
const decoyHash = hashPassword("parley-decoy-password");

export async function signIn(input: { email: string; password: string; address: string }, now = new Date()): Promise<SignInResult> {
  if ((await overLimit(RATE_LIMITS.signIn, input.address)) !== null) {
    return { ok: false, reason: "Too many sign-in attempts from your network: wait a minute and try again." };
  }
  const user = await db().user.findUnique({ where: { email: input.email } });
  if (!user) {
    await verifyPassword(input.password, await decoyHash);
    return { ok: false, reason: WRONG };
  }
  if (user.lockedUntil && user.lockedUntil > now) return { ok: false, reason: lockedReason(user.lockedUntil, now) };
  if (!(await verifyPassword(input.password, user.passwordHash))) {
    const failed = await db().user.update({
      where: { id: user.id },
      data: { failedLogins: { increment: 1 } },
      select: { failedLogins: true },
    });
    if (failed.failedLogins < LOCK_AFTER) return { ok: false, reason: WRONG };
    const until = new Date(now.getTime() + LOCK_MINUTES * 60_000);
    await db().user.update({ where: { id: user.id }, data: { lockedUntil: until, failedLogins: 0 } });
    return { ok: false, reason: lockedReason(until, now) };
  }
  if (user.failedLogins > 0 || user.lockedUntil) await db().user.update({ where: { id: user.id }, data: { failedLogins: 0, lockedUntil: null } });
  return { ok: true, user: { id: user.id, email: user.email, name: user.name } };
}

function lockedReason(until: Date, now: Date): string {
  const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
  return `This account is locked after ${LOCK_AFTER} failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}, or ask an admin to unlock it.`;
}

/** An admin's unlock: the member can sign in again at once. */
export async function unlockUser(input: { workspaceId: string; userId: string; byUserId: string }): Promise<boolean> {
  return db().$transaction(async (tx) => {
    const member = await tx.membership.findUnique({ where: { workspaceId_userId: { workspaceId: input.workspaceId, userId: input.userId } } });
    if (!member) return false;
    await tx.user.update({ where: { id: input.userId }, data: { failedLogins: 0, lockedUntil: null } });
    await tx.auditLog.create({ data: { workspaceId: input.workspaceId, userId: input.byUserId, action: "user.unlock", target: input.userId, details: {} } });
    return true;
  });
}
