// Settings → WhatsApp numbers: everyone reads the numbers, the flows on them and their last
// webhooks; admins add, edit, delete, test and bind, and see the verify token. Access
// tokens and app secrets are write-only: no procedure returns them. The numbers' message
// templates are listed for the reply node's inspector.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import {
  channelInputSchema,
  ChannelSettingsError,
  deleteChannel,
  listChannels,
  saveChannel,
  setChannelFlows,
  testChannelToken,
  webhookDeliveries,
} from "@/server/channels/settings";
import { contactRulesSchema, readContactRules, saveContactRules } from "@/server/channels/contact-rules";
import { listTemplates } from "@/server/channels/template-cache";
import { procedureFor, router, withRefusals } from "../init";

const channelId = z.object({ id: z.string().min(1) });

export const channelsRouter = router({
  /** Who the number answers (allowlist, blocklist) and its opt-out and opt-in keywords. */
  contactRules: procedureFor("viewer")
    .input(channelId)
    .query(async ({ ctx, input }) => {
      const rules = await readContactRules({ workspaceId: ctx.viewer.workspaceId, channelId: input.id });
      if (!rules) throw new TRPCError({ code: "NOT_FOUND", message: "No such number in your workspace." });
      return rules;
    }),

  saveContactRules: procedureFor("admin")
    .input(channelId.extend({ rules: contactRulesSchema }))
    .mutation(async ({ ctx, input }) => {
      const saved = await saveContactRules({ workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId, channelId: input.id, rules: input.rules });
      if (!saved) throw new TRPCError({ code: "NOT_FOUND", message: "No such number in your workspace." });
    }),

  list: procedureFor("viewer").query(({ ctx }) =>
    listChannels({ workspaceId: ctx.viewer.workspaceId, showVerifyToken: ctx.viewer.role === "admin" || ctx.viewer.role === "owner" }),
  ),

  /** The last webhooks the number received: when, signature, what they held, what was refused. */
  webhooks: procedureFor("viewer")
    .input(channelId)
    .query(({ ctx, input }) => withRefusals(ChannelSettingsError, () => webhookDeliveries({ workspaceId: ctx.viewer.workspaceId, id: input.id }))),

  save: procedureFor("admin")
    .input(channelInputSchema)
    .mutation(({ ctx, input }) => withRefusals(ChannelSettingsError, () => saveChannel({ workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId, channel: input }))),

  remove: procedureFor("admin")
    .input(channelId)
    .mutation(({ ctx, input }) => withRefusals(ChannelSettingsError, () => deleteChannel({ workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId, id: input.id }))),

  /** Asks the Graph API for the number with its token (GET /{phone_number_id}). */
  testToken: procedureFor("admin")
    .input(channelId)
    .mutation(({ ctx, input }) => withRefusals(ChannelSettingsError, () => testChannelToken({ workspaceId: ctx.viewer.workspaceId, id: input.id }))),

  /** The approved and pending templates of the workspace's numbers (or one), from the cache or their providers when it is stale. */
  templates: procedureFor("viewer")
    .input(z.object({ channelId: z.string().min(1).optional() }).default({}))
    .query(({ ctx, input }) => listTemplates({ workspaceId: ctx.viewer.workspaceId, channelId: input.channelId })),

  /** Reads the templates from the numbers' providers now (after creating one in WhatsApp Manager or Twilio's Content Template Builder). */
  refreshTemplates: procedureFor("editor")
    .input(z.object({ channelId: z.string().min(1).optional() }).default({}))
    .mutation(({ ctx, input }) => listTemplates({ workspaceId: ctx.viewer.workspaceId, channelId: input.channelId, refresh: true })),

  setFlows: procedureFor("admin")
    .input(z.object({ id: z.string().min(1), flowIds: z.array(z.string().min(1)).max(500) }))
    .mutation(({ ctx, input }) => withRefusals(ChannelSettingsError, () => setChannelFlows({ workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId, id: input.id, flowIds: input.flowIds }))),
});
