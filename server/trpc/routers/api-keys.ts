import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { db } from "@/server/db/client";
import { createApiKey, revokeApiKey } from "@/server/security/api-keys";
import { procedureFor, router } from "../init";

export const apiKeysRouter = router({
  list: procedureFor("admin").query(async ({ ctx }) =>
    db().apiKey.findMany({
      where: { workspaceId: ctx.viewer.workspaceId },
      orderBy: [{ revokedAt: { sort: "desc", nulls: "first" } }, { createdAt: "desc" }],
      select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true },
    }),
  ),

  /** Returns the key itself this once: only its hash is kept. */
  create: procedureFor("admin")
    .input(z.object({ name: z.string().trim().min(1, "Name the key after the system that uses it.").max(80) }))
    .mutation(({ ctx, input }) => createApiKey({ workspaceId: ctx.viewer.workspaceId, name: input.name, userId: ctx.viewer.userId })),

  revoke: procedureFor("admin")
    .input(z.object({ id: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const revoked = await revokeApiKey({ workspaceId: ctx.viewer.workspaceId, id: input.id, userId: ctx.viewer.userId });
      if (!revoked) throw new TRPCError({ code: "NOT_FOUND", message: "No such key, or it is already revoked." });
    }),
});
