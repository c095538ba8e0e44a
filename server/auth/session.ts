import { getServerSession } from "next-auth";
import { db } from "@/server/db/client";
import type { Role } from "@/server/db/generated/enums";
import { authOptions } from "./options";

export interface Viewer {
  userId: string;
  email: string;
  workspaceId: string;
  role: Role;
}

/** The signed-in user and their workspace role, or null. Read from the server session only. */
export async function currentViewer(): Promise<Viewer | null> {
  const session = await getServerSession(authOptions);
  const userId = (session?.user as { id?: string } | undefined)?.id;
  if (!userId) return null;
  const membership = await db().membership.findFirst({
    where: { userId },
    include: { user: { select: { email: true } } },
    orderBy: { createdAt: "asc" },
  });
  if (!membership) return null;
  return { userId, email: membership.user.email, workspaceId: membership.workspaceId, role: membership.role };
}
