// Twilio's WhatsApp templates are Content API templates (GET {content}/v1/Content, each
// approved for WhatsApp through /v1/Content/{sid}/ApprovalRequests), sent by their Content
// SID with ContentVariables, a JSON object of the numbered variables ({"1": "Ana"}). They
// are listed in Meta's component shape with Twilio's own placeholders kept, so the shared
// cache and picker read them as Meta's, and a send maps Parley's template message (body,
// header and button parameters) onto the variables those placeholders name.
import { z } from "zod";
import type { OutboundMessage } from "@/flows/message";
import { TemplateListError, type ListedTemplate, type ProviderChannel } from "../provider";
import { placeholders } from "../templates";
import { basicAuth, twilioUrl } from "./account";

const PAGE_SIZE = 100;
/** An account holds at most a few thousand Content templates. */
const MAX_PAGES = 50;
/** The Content types that carry WhatsApp templates Parley can fill in, richest first: the one WhatsApp shows is read. */
const READABLE_TYPES = ["whatsapp/card", "twilio/call-to-action", "twilio/quick-reply", "twilio/media", "twilio/text"] as const;
/** What WhatsApp calls a template, and so Parley's template messages: lowercase letters, digits and '_'. */
const TEMPLATE_NAME = /^[a-z0-9_]{1,512}$/;

const contentSchema = z.looseObject({
  sid: z.string().regex(/^HX\w+$/),
  friendly_name: z.string(),
  language: z.string(),
  types: z.record(z.string(), z.unknown()),
});
const pageSchema = z.looseObject({ contents: z.array(z.unknown()), meta: z.looseObject({ next_page_url: z.string().nullish() }).optional() });
const approvalSchema = z.looseObject({
  whatsapp: z.looseObject({ name: z.string().optional(), category: z.string().nullish(), status: z.string() }).optional(),
});
const actionSchema = z.looseObject({ type: z.string().optional(), title: z.string(), id: z.string().optional(), url: z.string().optional(), phone: z.string().optional() });
const contentTypeSchema = z.looseObject({
  body: z.string().optional(),
  footer: z.string().optional(),
  header_text: z.string().optional(),
  media: z.array(z.string()).optional(),
  actions: z.array(actionSchema).optional(),
});

/** The components Parley writes for a Content template: Meta's, with a media header's link and a quick reply's id kept. */
const contentComponentsSchema = z.array(
  z.looseObject({
    type: z.string(),
    text: z.string().optional(),
    url: z.string().optional(),
    buttons: z.array(z.looseObject({ type: z.string(), text: z.string(), url: z.string().optional(), id: z.string().optional() })).optional(),
  }),
);
type ContentComponents = z.infer<typeof contentComponentsSchema>;

export const missingContentTemplateSetup = (channel: ProviderChannel) => (channel.accountId ? null : "Set the number's Twilio Account SID to list its Content templates.");

/** GET a Content API path with the account's credentials: its JSON, or null when Twilio has no such resource. */
async function getContent(channel: ProviderChannel, path: string): Promise<unknown> {
  const url = `${twilioUrl(channel, "content")}${path}`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: basicAuth(channel) }, signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    throw new TemplateListError(`Twilio's Content API could not be reached at ${url}: ${(error as Error).message}`);
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.status === 404) return null;
  if (!response.ok) {
    const message = z.looseObject({ message: z.string() }).safeParse(body);
    throw new TemplateListError(`Twilio refused to list the Content templates (${response.status}): ${message.success ? message.data.message : "no reason given"}`);
  }
  return body;
}

/**
 * The account's Content templates submitted to WhatsApp, with their approval status. Those
 * never submitted, of a type Parley cannot fill in, or named as WhatsApp names no template are left out.
 */
export async function listContentTemplates(channel: ProviderChannel): Promise<ListedTemplate[]> {
  const templates: ListedTemplate[] = [];
  let path: string | null = `/v1/Content?PageSize=${PAGE_SIZE}`;
  for (let page = 0; path && page < MAX_PAGES; page++) {
    const body = await getContent(channel, path);
    const parsed = pageSchema.safeParse(body);
    if (!parsed.success) throw new TemplateListError(`Unexpected Content API answer: ${JSON.stringify(body)?.slice(0, 200)}`);
    for (const item of parsed.data.contents) {
      const content = contentSchema.safeParse(item);
      const components = content.success ? contentComponents(content.data.types) : null;
      if (!content.success || !components) continue;
      // A template never submitted to WhatsApp has no approval request, or one "unsubmitted".
      const approval = await getContent(channel, `/v1/Content/${encodeURIComponent(content.data.sid)}/ApprovalRequests`);
      const whatsapp = approvalSchema.safeParse(approval).data?.whatsapp;
      const name = whatsapp?.name ?? content.data.friendly_name;
      if (!whatsapp || whatsapp.status === "unsubmitted" || !TEMPLATE_NAME.test(name)) continue;
      templates.push({
        name,
        language: content.data.language.replace("-", "_"),
        status: whatsapp.status.toUpperCase(),
        category: whatsapp.category?.toUpperCase() ?? null,
        components,
        providerTemplateId: content.data.sid,
      });
    }
    // Twilio's next page is a link on its own host: followed on the configured one.
    const next = parsed.data.meta?.next_page_url;
    path = next ? `${new URL(next).pathname}${new URL(next).search}` : null;
  }
  return templates;
}

/** A Content template's richest readable type as Meta's components; null when it has none Parley can fill in. */
export function contentComponents(types: Record<string, unknown>): ContentComponents | null {
  const typeName = READABLE_TYPES.find((name) => contentTypeSchema.safeParse(types[name]).success);
  if (!typeName) return null;
  const content = contentTypeSchema.parse(types[typeName]);
  const components: ContentComponents = [];
  const media = content.media?.[0];
  if (content.header_text) components.push({ type: "HEADER", format: "TEXT", text: content.header_text });
  // Media at a fixed link takes no parameter, so it is no header a send fills in.
  else if (media && placeholders(media).length > 0) components.push({ type: "HEADER", format: mediaFormat(media), url: media });
  if (content.body) components.push({ type: "BODY", text: content.body });
  if (content.footer) components.push({ type: "FOOTER", text: content.footer });
  if (content.actions?.length) {
    components.push({
      type: "BUTTONS",
      // twilio/quick-reply's actions are quick replies without saying so.
      // Fields a button lacks stay undefined, which its JSON leaves out.
      buttons: content.actions.map((action) => ({ type: (action.type ?? "QUICK_REPLY").toUpperCase(), text: action.title, url: action.url, id: action.id, phone_number: action.phone })),
    });
  }
  return components;
}

/** Twilio tells a header's kind from the file itself; its link's extension is the best guess, an image otherwise. */
function mediaFormat(link: string): "IMAGE" | "VIDEO" | "DOCUMENT" {
  if (/\.(mp4|3gp)(\?|$)/i.test(link)) return "VIDEO";
  if (/\.pdf(\?|$)/i.test(link)) return "DOCUMENT";
  return "IMAGE";
}

/** A cached Content template, as the send reads it. */
export interface ContentTemplate {
  name: string;
  status: string;
  providerTemplateId: string | null;
  components: unknown;
}

type TemplateMessage = Extract<OutboundMessage, { type: "template" }>;

/** The variable a link pattern such as "https://cdn.example/{{3}}.jpg" names, and what `link` gives it; null when `link` is not of that form. */
function fillIn(pattern: string, link: string): [string, string] | null {
  const [key] = placeholders(pattern);
  const [before = "", after = ""] = pattern.split(/\{\{\s*\w+\s*\}\}/);
  if (!key || !link.startsWith(before) || !link.endsWith(after) || link.length <= before.length + after.length) return null;
  return [key, link.slice(before.length, link.length - after.length)];
}

/** ContentSid and ContentVariables for Parley's template message, or why the Content template cannot take it. */
export function contentFields(template: ContentTemplate | null, message: TemplateMessage): { ContentSid: string; ContentVariables: string } | { refused: string } {
  if (!template?.providerTemplateId) {
    return { refused: `This number has no Twilio Content template “${message.name}” (${message.language}): create it in Twilio's Content Template Builder, have WhatsApp approve it, then refresh the number's templates.` };
  }
  const refuse = (why: string) => ({ refused: `The Twilio Content template “${template.name}” ${why}` });
  if (template.status !== "APPROVED") return refuse(`is ${template.status.toLowerCase()}: WhatsApp sends only approved templates.`);
  const components = contentComponentsSchema.safeParse(template.components);
  if (!components.success) return refuse("could not be read from the cache: refresh the number's templates.");
  const part = (type: string) => components.data.find((component) => component.type === type);
  const variables: Record<string, string> = {};

  // Parley's body parameters are {{1}}, {{2}}… in order; Twilio numbers its variables across the whole template.
  const body = placeholders(part("BODY")?.text).sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  if (message.bodyParameters.length !== body.length) return refuse(`takes ${body.length} body parameter(s); ${message.bodyParameters.length} given.`);
  body.forEach((key, index) => (variables[key] = message.bodyParameters[index]!));

  const header = part("HEADER");
  const headerTakes = header?.url ?? header?.text;
  if (message.header) {
    if (!header || placeholders(headerTakes).length === 0) return refuse("has no header that takes a parameter.");
    if (message.header.type === "text") {
      if (header.url) return refuse("has a media header: give the link to its media, not a text.");
      variables[placeholders(header.text)[0]!] = message.header.text;
    } else {
      if (!header.url) return refuse("has a text header: give its text, not a link.");
      const filled = fillIn(header.url, message.header.url);
      if (!filled) return refuse(`shows the media at ${header.url}: give a link of that form.`);
      variables[filled[0]] = filled[1];
    }
  } else if (placeholders(headerTakes).length > 0) {
    return refuse(`has a header that takes ${header?.url ? `the media link ${header.url}` : "a text"}: give it.`);
  }

  const buttons = part("BUTTONS")?.buttons ?? [];
  for (const given of message.buttons ?? []) {
    const [key] = placeholders(given.subType === "url" ? buttons[given.index]?.url : buttons[given.index]?.id);
    if (!key) return refuse(`has no button ${given.index + 1} whose ${given.subType === "url" ? "link" : "payload"} takes a parameter: Twilio fixes it in the template.`);
    variables[key] = given.value;
  }
  const missing = buttons.findIndex((button) => [...placeholders(button.url), ...placeholders(button.id)].some((key) => !(key in variables)));
  if (missing >= 0) return refuse(`has a button “${buttons[missing]!.text}” that takes a parameter: give it.`);

  return { ContentSid: template.providerTemplateId, ContentVariables: JSON.stringify(variables) };
}
