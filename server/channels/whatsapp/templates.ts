// A number's WhatsApp message templates as Meta lists them (whatsapp.md fact 14): GET
// /{waba_id}/message_templates, page by page. The cache is shared by every provider (../templates.ts).
import { z } from "zod";
import { decryptSecret } from "@/server/security/secrets";
import { TemplateListError, type ListedTemplate, type ProviderChannel } from "../provider";
import { deliveryError } from "./errors";
import { graphApiVersion, graphBaseUrl } from "./graph-client";

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

export const missingGraphTemplateSetup = (channel: ProviderChannel) =>
  channel.wabaId ? null : "Set the number's WhatsApp Business Account ID in Settings → WhatsApp numbers to list its templates.";

/** Every template of the channel's WABA, read from the Graph API. */
export async function listGraphTemplates(channel: ProviderChannel): Promise<ListedTemplate[]> {
  const token = decryptSecret(channel.accessTokenCipher);
  const templates: ListedTemplate[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const url = new URL(`${graphBaseUrl(channel)}/${graphApiVersion()}/${encodeURIComponent(channel.wabaId ?? "")}/message_templates`);
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
      if (template.success) {
        const { name, language, status, category, components } = template.data;
        templates.push({ name, language, status, category: category ?? null, components, providerTemplateId: null });
      }
    }
    after = parsed.data.paging?.next ? parsed.data.paging.cursors?.after : undefined;
    if (!after) break;
  }
  return templates;
}
