// Each number's message templates, listed by its provider (./provider.ts, `templates`)
// and cached per channel, so the reply node's inspector and broadcasts can offer them with
// their parameters without asking the provider each time.
import { db, Prisma } from "@/server/db/client";
import { TemplateListError, type ProviderChannel } from "./provider";
import { providerFor } from "./providers";
import { bodyParameterCount, bodyText, templateParameters, type TemplateView } from "./templates";

/** Cached templates older than this are read again on the next listing. */
export const TEMPLATE_CACHE_MS = 60 * 60 * 1000;

type CachedChannel = ProviderChannel & { provider: string };

/** Reads every template of the channel from its provider and replaces the channel's cache with them. */
export async function refreshTemplates(channel: CachedChannel, now = new Date()): Promise<number> {
  const { templates: provider } = providerFor(channel.provider);
  const missing = provider.missingSetup(channel);
  if (missing) throw new TemplateListError(missing);
  const templates = await provider.list(channel);
  await db().$transaction(async (tx) => {
    await tx.messageTemplate.deleteMany({ where: { channelId: channel.id } });
    await tx.messageTemplate.createMany({
      data: templates.map((template) => {
        const body = bodyText(template.components);
        return {
          channelId: channel.id,
          name: template.name,
          language: template.language,
          status: template.status,
          category: template.category,
          bodyText: body ?? null,
          bodyParameters: bodyParameterCount(body),
          components: template.components as Prisma.InputJsonValue,
          providerTemplateId: template.providerTemplateId,
          fetchedAt: now,
        };
      }),
      skipDuplicates: true,
    });
    await tx.channel.update({ where: { id: channel.id }, data: { templatesFetchedAt: now } });
  });
  return templates.length;
}

/**
 * The cached templates of the workspace's numbers (or of one), read again from their
 * providers when older than TEMPLATE_CACHE_MS or on `refresh`. A number whose templates
 * cannot be read keeps its last cached ones and says why in `problems`; without a channel,
 * numbers not set up for templates are left out.
 */
export async function listTemplates(input: { workspaceId: string; channelId?: string; refresh?: boolean; now?: Date }): Promise<{ templates: TemplateView[]; problems: { channelId: string; error: string }[] }> {
  const now = input.now ?? new Date();
  const rows = await db().channel.findMany({
    where: { workspaceId: input.workspaceId, ...(input.channelId ? { id: input.channelId } : {}) },
    select: { id: true, provider: true, phoneNumberId: true, accountId: true, graphBaseUrl: true, accessTokenCipher: true, wabaId: true, templatesFetchedAt: true },
  });
  const channels = input.channelId ? rows : rows.filter((channel) => providerFor(channel.provider).templates.missingSetup(channel) === null);
  const problems: { channelId: string; error: string }[] = [];
  for (const channel of channels) {
    const stale = !channel.templatesFetchedAt || now.getTime() - channel.templatesFetchedAt.getTime() >= TEMPLATE_CACHE_MS;
    if (!input.refresh && !stale) continue;
    try {
      await refreshTemplates(channel, now);
    } catch (error) {
      if (!(error instanceof TemplateListError)) throw error;
      problems.push({ channelId: channel.id, error: error.message });
    }
  }
  const templates = await db().messageTemplate.findMany({
    where: { channelId: { in: channels.map((channel) => channel.id) } },
    orderBy: [{ name: "asc" }, { language: "asc" }],
    select: { channelId: true, name: true, language: true, status: true, category: true, bodyText: true, bodyParameters: true, components: true },
  });
  return { templates: templates.map(({ components, ...template }) => ({ ...template, ...templateParameters(components) })), problems };
}
