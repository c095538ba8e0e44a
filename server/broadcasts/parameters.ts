// A broadcast's template parameters, personalised per recipient: `{{contact.name}}` and
// `{{contact.phone}}` are filled from the contact, with a fallback after `|` for contacts
// whose name is unknown (`{{contact.name|there}}`), since WhatsApp refuses empty parameters.
import { z } from "zod";

const PLACEHOLDER = /\{\{\s*([\w.]+)\s*(?:\|([^}]*))?\}\}/g;
const FIELDS = ["contact.name", "contact.phone"] as const;

/** One parameter as written: text with `{{contact.…}}` placeholders, which must be known ones. */
export const parameterSchema = z
  .string()
  .trim()
  .min(1, "template parameters cannot be empty")
  .max(2000, "a parameter holds at most 2,000 characters")
  .superRefine((parameter, context) => {
    for (const [, field] of parameter.matchAll(PLACEHOLDER)) {
      if (!(FIELDS as readonly string[]).includes(field!)) context.addIssue({ code: "custom", message: `{{${field}}} is not known: use {{contact.name}} or {{contact.phone}}` });
    }
  });

export const bodyParametersSchema = z.array(parameterSchema).max(100);

export type Personalised = { ok: true; parameters: string[] } | { ok: false; reason: string };

export function personalise(parameters: string[], contact: { name: string | null; waId: string | null }): Personalised {
  const values: Record<string, string> = { "contact.name": contact.name?.trim() ?? "", "contact.phone": contact.waId ? `+${contact.waId}` : "" };
  const rendered = parameters.map((parameter) => parameter.replace(PLACEHOLDER, (_, field: string, fallback?: string) => values[field] || (fallback ?? "").trim()).trim());
  const empty = rendered.findIndex((parameter) => parameter === "");
  if (empty >= 0) return { ok: false, reason: `parameter {{${empty + 1}}} is empty for this contact: give it a fallback, like {{contact.name|there}}` };
  return { ok: true, parameters: rendered };
}
