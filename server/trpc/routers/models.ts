// Settings → Models: the workspace's language model providers (fallback order, keys,
// circuit breakers) and prices. Everyone reads; admins change. Keys are write-only.
import { z } from "zod";
import {
  modelSettings,
  priceInputSchema,
  providerInputSchema,
  ProviderSettingsError,
  removeProvider,
  reorderProviders,
  resetPrice,
  saveProvider,
  setPrice,
  testProvider,
} from "@/server/ai/providers";
import { procedureFor, router, withRefusals } from "../init";

export const modelsRouter = router({
  settings: procedureFor("viewer").query(({ ctx }) => modelSettings(ctx.viewer.workspaceId)),

  saveProvider: procedureFor("admin")
    .input(providerInputSchema)
    .mutation(({ ctx, input }) => withRefusals(ProviderSettingsError, () => saveProvider({ workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId, provider: input }))),

  removeProvider: procedureFor("admin")
    .input(z.object({ id: z.string().min(1) }))
    .mutation(({ ctx, input }) => withRefusals(ProviderSettingsError, () => removeProvider({ workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId, id: input.id }))),

  reorderProviders: procedureFor("admin")
    .input(z.object({ ids: z.array(z.string().min(1)).max(100) }))
    .mutation(({ ctx, input }) => withRefusals(ProviderSettingsError, () => reorderProviders({ workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId, ids: input.ids }))),

  /** Sends one short request with the provider's default model (it spends a few tokens). */
  testProvider: procedureFor("admin")
    .input(z.object({ id: z.string().min(1) }))
    .mutation(({ ctx, input }) => withRefusals(ProviderSettingsError, () => testProvider({ workspaceId: ctx.viewer.workspaceId, id: input.id }))),

  setPrice: procedureFor("admin")
    .input(priceInputSchema)
    .mutation(({ ctx, input }) => withRefusals(ProviderSettingsError, () => setPrice({ workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId, price: input }))),

  resetPrice: procedureFor("admin")
    .input(z.object({ model: z.string().min(1).max(200) }))
    .mutation(({ ctx, input }) => withRefusals(ProviderSettingsError, () => resetPrice({ workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId, model: input.model }))),
});
