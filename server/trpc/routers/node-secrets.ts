import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { declaredSecret, listNodeSecrets, removeNodeSecret, setNodeSecret } from "@/server/security/node-secrets";
import { procedureFor, router } from "../init";

const secretAddress = z.object({ nodeType: z.string().min(1).max(64), name: z.string().min(1).max(64) });

/** The address of a secret some installed node type declares, or BAD_REQUEST saying why not. */
function declared(input: z.infer<typeof secretAddress>) {
  const secret = declaredSecret(input.nodeType, input.name);
  if ("error" in secret) throw new TRPCError({ code: "BAD_REQUEST", message: secret.error });
}

// Values go in and never come out: the list says which secrets are stored and their last 4 characters.
export const nodeSecretsRouter = router({
  list: procedureFor("admin").query(({ ctx }) => listNodeSecrets(ctx.viewer.workspaceId)),

  set: procedureFor("admin")
    .input(secretAddress.extend({ value: z.string().trim().min(1, "Paste the secret's value.").max(8_192, "A secret holds at most 8,192 characters.") }))
    .mutation(async ({ ctx, input }) => {
      declared(input);
      await setNodeSecret({ workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId, nodeType: input.nodeType, name: input.name, value: input.value });
    }),

  remove: procedureFor("admin")
    .input(secretAddress)
    .mutation(async ({ ctx, input }) => {
      const removed = await removeNodeSecret({ workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId, nodeType: input.nodeType, name: input.name });
      if (!removed) throw new TRPCError({ code: "NOT_FOUND", message: "That secret is not stored." });
    }),
});
