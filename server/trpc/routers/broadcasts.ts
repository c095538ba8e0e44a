// Broadcasts: everyone sees them and their recipients; admins write and cancel them, since
// each template sent is billed by Meta and reaches people who did not write first.
import { z } from "zod";
import { audienceSchema } from "@/server/broadcasts/audience";
import {
  BroadcastError,
  broadcastDetail,
  broadcastInputSchema,
  cancelBroadcast,
  createBroadcast,
  listBroadcasts,
  previewAudience,
  recipientQuerySchema,
} from "@/server/broadcasts/broadcasts";
import { workspaceTags } from "@/server/contacts/tags";
import { procedureFor, router, withRefusals } from "../init";

export const broadcastsRouter = router({
  list: procedureFor("viewer").query(({ ctx }) => listBroadcasts({ workspaceId: ctx.viewer.workspaceId })),

  get: procedureFor("viewer")
    .input(recipientQuerySchema)
    .query(({ ctx, input }) => withRefusals(BroadcastError, () => broadcastDetail({ ...input, workspaceId: ctx.viewer.workspaceId }))),

  /** The tags contacts carry, to choose an audience from. */
  tags: procedureFor("viewer").query(({ ctx }) => workspaceTags(ctx.viewer.workspaceId)),

  /** How many contacts an audience holds, and who of them would be skipped and why. */
  preview: procedureFor("admin")
    .input(z.object({ channelId: z.string().min(1), audience: audienceSchema }))
    .query(({ ctx, input }) => withRefusals(BroadcastError, () => previewAudience({ ...input, workspaceId: ctx.viewer.workspaceId }))),

  create: procedureFor("admin")
    .input(broadcastInputSchema)
    .mutation(({ ctx, input }) => withRefusals(BroadcastError, () => createBroadcast({ workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId, broadcast: input }))),

  cancel: procedureFor("admin")
    .input(z.object({ id: z.string().min(1) }))
    .mutation(({ ctx, input }) => withRefusals(BroadcastError, () => cancelBroadcast({ workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId, id: input.id }))),
});
