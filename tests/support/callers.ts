// tRPC callers for integration tests, as the seeded workspace's first member with a chosen
// role: procedures run with their role checks, as from the studio.
import type { Viewer } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { appRouter } from "@/server/trpc/root";

export type Caller = ReturnType<typeof appRouter.createCaller>;

export async function seededMember(role: Viewer["role"] = "owner"): Promise<{ caller: Caller; viewer: Viewer; name: string }> {
  const membership = await db().membership.findFirstOrThrow({ include: { user: true } });
  const viewer: Viewer = { userId: membership.userId, email: membership.user.email, workspaceId: membership.workspaceId, role };
  return { caller: appRouter.createCaller({ viewer }), viewer, name: membership.user.name ?? membership.user.email };
}
