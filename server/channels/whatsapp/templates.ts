// A number's WhatsApp message templates (whatsapp.md fact 14), read from the Graph API
// (GET /{waba_id}/message_templates) and cached per channel, so the reply node's inspector
// can offer them with their parameters without asking Meta each time.
import { z } from "zod";
import { db, Prisma } from "@/server/db/client";
import { decryptSecret } from "@/server/security/secrets";
import { deliveryError } from "./errors";
import { graphApiVersion, graphBaseUrl } from "./graph-client";

/** Cached templates older than this are read again on the next listing. */
export const TEMPLATE_CACHE_MS = 60 * 60 * 1000;
const PAGE_SIZE = 100;
/** A WhatsApp Business Account holds at most a few thousand templates. */
const MAX_PAGES = 50;

const templateSchema = z.looseObject({
  name: z.string(),
  language: z.string(),
  status: z.string().default("UNKNOWN"),
  category: z.string().nullish(),
  components: z.array(z.looseObject({ type: z.string(), text: z.string().optional() })).default([]),
});
const pageSchema = z.looseObject({
  data: z.array(z.unknown()),
  paging: z.looseObject({ cursors: z.looseObject({ after: z.string().optional() }).optional(), next: z.string().optional() }).optional(),
});

export class TemplateListError extends Error {
  name = "TemplateListError";
}

/** The distinct {{1}}, {{2}}… (or named {{order_id}}) placeholders of a template's body. */
export function bodyParameterCount(body: string | undefined): number {
  return new Set([...(body ?? "").matchAll(/\{\{\s*([\w]+)\s*\}\}/g)].map((match) => match[1])).size;
}

type ChannelRecord = { id: string; phoneNumberId: string; graphBaseUrl: string | null; accessTokenCipher: string; wabaId: string | null };

/** Reads every template of the channel's WABA from the Graph API and replaces the channel's cache with them. */
export async function refreshTemplates(channel: ChannelRecord, now = new Date()): Promise<number> {
  if (!channel.wabaId) throw new TemplateListError("Set the number's WhatsApp Business Account ID in Settings → WhatsApp numbers to list its templates.");
  const token = decryptSecret(channel.accessTokenCipher);
  const templates: z.infer<typeof templateSchema>[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const url = new URL(`${graphBaseUrl(channel)}/${graphApiVersion()}/${encodeURIComponent(channel.wabaId)}/message_templates`);
    url.searchParams.set("fields", "name,language,status,category,components");
    url.searchParams.set("limit", String(PAGE_SIZE));
    if (after) url.searchParams.set("after", after);
    let response: Response;
    try {
      response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(15_000) });
    } catch (error) {
      throw new TemplateListError(`The Graph API could not be reached: ${(error as Error).message}`);
    }
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const error = deliveryError((body as { error?: unknown } | null)?.error);
      throw new TemplateListError(`Meta refused to list the templates (${response.status}${error.code !== null ? `, code ${error.code}` : ""}): ${error.title ? `${error.title}. ` : ""}${error.meaning}`);
    }
    const parsed = pageSchema.safeParse(body);
    if (!parsed.success) throw new TemplateListError(`Unexpected Graph API answer: ${JSON.stringify(body)?.slice(0, 200)}`);
    // A template Parley cannot read is left out rather than failing the whole list.
    for (const item of parsed.data.data) {
      const template = templateSchema.safeParse(item);
      if (template.success) templates.push(template.data);
    }
    after = parsed.data.paging?.next ? parsed.data.paging.cursors?.after : undefined;
    if (!after) break;
  }
  await db().$transaction(async (tx) => {
    await tx.messageTemplate.deleteMany({ where: { channelId: channel.id } });
    await tx.messageTemplate.createMany({
      data: templates.map((template) => {
        const body = template.components.find((component) => component.type.toUpperCase() === "BODY")?.text;
        return {
          channelId: channel.id,
          name: template.name,
          language: template.language,
          status: template.status,
          category: template.category ?? null,
          bodyText: body ?? null,
          bodyParameters: bodyParameterCount(body),
          components: template.components as Prisma.InputJsonValue,
          fetchedAt: now,
        };
      }),
      skipDuplicates: true,
    });
    await tx.channel.update({ where: { id: channel.id }, data: { templatesFetchedAt: now } });
  });
  return templates.length;
}

export interface TemplateView {
  channelId: string;
  name: string;
  language: string;
  status: string;
  category: string | null;
  bodyText: string | null;
  bodyParameters: number;
  /** What a send must give its header: a text's {{1}}, or a media link; null when it takes nothing. */
  header: { format: "text" | "image" | "video" | "document" } | null;
  /** Its buttons that take a parameter: a link ending in {{1}} (the suffix) or a quick reply (the payload, optional). */
  buttons: { index: number; subType: "url" | "quick_reply"; text: string; required: boolean }[];
}

const componentsSchema = z.array(
  z.looseObject({
    type: z.string(),
    format: z.string().optional(),
    text: z.string().optional(),
    buttons: z.array(z.looseObject({ type: z.string(), text: z.string().default(""), url: z.string().optional() })).optional(),
  }),
);

/** Which parameters a template's header and buttons take, read from its components as Meta lists them. */
export function templateParameters(components: unknown): Pick<TemplateView, "header" | "buttons"> {
  const parsed = componentsSchema.safeParse(components);
  if (!parsed.success) return { header: null, buttons: [] };
  const header = parsed.data.find((component) => component.type.toUpperCase() === "HEADER");
  const format = header?.format?.toLowerCase();
  const buttons = parsed.data.find((component) => component.type.toUpperCase() === "BUTTONS")?.buttons ?? [];
  return {
    header:
      format === "image" || format === "video" || format === "document"
        ? { format }
        : format === "text" && bodyParameterCount(header?.text) > 0
          ? { format: "text" }
          : null,
    buttons: buttons.flatMap((button, index): TemplateView["buttons"] => {
      const type = button.type.toUpperCase();
      if (type === "URL" && /\{\{\s*\w+\s*\}\}/.test(button.url ?? "")) return [{ index, subType: "url" as const, text: button.text, required: true }];
      if (type === "QUICK_REPLY") return [{ index, subType: "quick_reply" as const, text: button.text, required: false }];
      return [];
    }),
  };
}

/**
 * The cached templates of the workspace's numbers (or of one), read again from the Graph
 * API when older than TEMPLATE_CACHE_MS or on `refresh`. A number whose templates cannot be
 * read keeps its last cached ones and says why in `problems`.
 */
export async function listTemplates(input: { workspaceId: string; channelId?: string; refresh?: boolean; now?: Date }): Promise<{ templates: TemplateView[]; problems: { channelId: string; error: string }[] }> {
  const now = input.now ?? new Date();
  const channels = await db().channel.findMany({
    where: { workspaceId: input.workspaceId, provider: "whatsapp_cloud", ...(input.channelId ? { id: input.channelId } : { wabaId: { not: null } }) },
    select: { id: true, phoneNumberId: true, graphBaseUrl: true, accessTokenCipher: true, wabaId: true, templatesFetchedAt: true },
  });
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
