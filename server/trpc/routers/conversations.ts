import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { handBack, handBackSchema, HandoffError, manualMessageSchema, sendByHand, takeOver } from "@/server/conversations/handoff";
import { conversationDetail, conversationFilterSchema, listConversations } from "@/server/conversations/review";
import { contactTagsSchema, setContactTags } from "@/server/contacts/tags";
import { procedureFor, router } from "../init";

const CODES = { not_found: "NOT_FOUND", conflict: "CONFLICT", window_closed: "PRECONDITION_FAILED", send_failed: "BAD_GATEWAY" } as const;

function asClientError(error: unknown): never {
  if (error instanceof HandoffError) throw new TRPCError({ code: CODES[error.reason], message: error.message });
  throw error;
}

const conversationId = z.object({ conversationId: z.string() });

export const conversationsRouter = router({
  list: procedureFor("viewer")
    .input(conversationFilterSchema.default({ limit: 50 }))
    .query(({ ctx, input }) => listConversations(ctx.viewer.workspaceId, input)),

  get: procedureFor("viewer")
    .input(conversationId)
    .query(async ({ ctx, input }) => {
      const conversation = await conversationDetail(ctx.viewer.workspaceId, input.conversationId);
      if (!conversation) throw new TRPCError({ code: "NOT_FOUND", message: "No such conversation in your workspace." });
      return conversation;
    }),

  /** Replaces a contact's tags (broadcasts choose their audience by them). */
  setContactTags: procedureFor("editor")
    .input(z.object({ contactId: z.string().min(1), tags: contactTagsSchema }))
    .mutation(async ({ ctx, input }) => {
      const saved = await setContactTags({ ...input, workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId });
      if (!saved) throw new TRPCError({ code: "NOT_FOUND", message: "No such contact in your workspace." });
    }),

  /** Pauses the bot here: its run is cancelled and a person answers. */
  takeOver: procedureFor("admin")
    .input(conversationId)
    .mutation(({ ctx, input }) => takeOver({ ...input, workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId }).catch(asClientError)),

  send: procedureFor("admin")
    .input(conversationId.extend({ message: manualMessageSchema }))
    .mutation(({ ctx, input }) => sendByHand({ ...input, workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId }).catch(asClientError)),

  handBack: procedureFor("admin")
    .input(conversationId.extend({ to: handBackSchema.default({ kind: "next_message" }) }))
    .mutation(({ ctx, input }) => handBack({ ...input, workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId }).catch(asClientError)),
});
