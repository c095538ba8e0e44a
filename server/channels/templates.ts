// What a message template takes, read from its components in the shape of Meta's
// (whatsapp.md fact 14), which every provider lists its templates in (./provider.ts,
// ListedTemplate): the body's text and parameters, and what its header and buttons take.
// The cache of each number's templates is ./template-cache.ts.
import { z } from "zod";

/** The distinct {{1}}, {{2}}… (or named {{order_id}}) placeholders of a text, in the order they first appear. */
export function placeholders(text: string | undefined): string[] {
  return [...new Set([...(text ?? "").matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((match) => match[1]!))];
}

/** How many parameters a template's body takes: its distinct placeholders. */
export function bodyParameterCount(body: string | undefined): number {
  return placeholders(body).length;
}

const componentsSchema = z.array(
  z.looseObject({
    type: z.string(),
    format: z.string().optional(),
    text: z.string().optional(),
    buttons: z.array(z.looseObject({ type: z.string(), text: z.string().default(""), url: z.string().optional() })).optional(),
  }),
);

/** The text of a template's body, read from its components. */
export function bodyText(components: unknown): string | undefined {
  const parsed = componentsSchema.safeParse(components);
  return parsed.success ? parsed.data.find((component) => component.type.toUpperCase() === "BODY")?.text : undefined;
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
      if (type === "URL" && placeholders(button.url).length > 0) return [{ index, subType: "url" as const, text: button.text, required: true }];
      if (type === "QUICK_REPLY") return [{ index, subType: "quick_reply" as const, text: button.text, required: false }];
      return [];
    }),
  };
}
