// WhatsApp's limits (whatsapp.md facts 12–13) as zod config schemas, so a flow that breaks
// one gets a canvas diagnostic naming the field. Shared by the reply and ask nodes.
import { z } from "zod";
import { outboundMessageSchema, WHATSAPP_LIMITS as L, type OutboundMessage } from "../../message";

/**
 * Length of a template's fixed text, without its `{{…}}`/`{%…%}` tags: the most a design-time
 * check can know. The rendered message is checked again when it is sent.
 */
export function fixedLength(template: string): number {
  return template.replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g, "").length;
}

/** A `{{template}}` string whose fixed text fits `max` characters; non-empty when `emptyMessage` is given. */
export function templated(max: number, message: string, emptyMessage?: string) {
  const text = z.string().trim();
  // Refinements, not a pipe: the inspector reads a plain string field.
  return (emptyMessage ? text.min(1, emptyMessage) : text).refine((value) => fixedLength(value) <= max, message);
}

/** A link, or a template that renders one (checked when sent). */
export const templatedUrl = z
  .string()
  .trim()
  .refine((value) => value === "" || value.includes("{{") || /^https?:\/\/[^\s/]+\.\S*$/i.test(value), "a public http(s) link WhatsApp can download, such as https://example.com/menu.pdf");

/** A pause before a send: seconds or minutes. Longer waits are the delay node's job. */
export const pauseSchema = z.string().trim().regex(/^\d{1,3}[sm]$/, 'a short pause such as "2s" or "1m"');

const optionId = z
  .string()
  .trim()
  .min(1, "give it an id: it is what the contact's answer carries")
  .max(L.replyId, `ids hold at most ${L.replyId} characters`);

export const replyButtonConfig = z.object({
  id: optionId,
  title: templated(L.buttonTitle, `Button titles hold at most ${L.buttonTitle} characters (WhatsApp's limit).`, "give the button a title"),
});

export const listRowConfig = z.object({
  id: optionId,
  title: templated(L.rowTitle, `List row titles hold at most ${L.rowTitle} characters (WhatsApp's limit).`, "give the row a title"),
  description: templated(L.rowDescription, `Row descriptions hold at most ${L.rowDescription} characters (WhatsApp's limit).`).optional(),
});

export const listSectionConfig = z.object({
  title: templated(L.sectionTitle, `Section titles hold at most ${L.sectionTitle} characters (WhatsApp's limit).`).optional(),
  rows: z.array(listRowConfig).min(1, "a section needs at least one row"),
});

type Issues = z.core.$RefinementCtx;

/** Flags the second of two options with the same id or (ignoring case) the same title. */
export function checkDistinct(options: { id: string; title: string }[], issues: Issues, path: (index: number) => (string | number)[], what: string): void {
  const ids = new Set<string>();
  const titles = new Set<string>();
  options.forEach((option, index) => {
    if (ids.has(option.id)) issues.addIssue({ code: "custom", path: [...path(index), "id"], message: `Two ${what}s have the id “${option.id}”: each needs its own.` });
    const title = option.title.trim().toLowerCase();
    if (titles.has(title)) {
      issues.addIssue({ code: "custom", path: [...path(index), "title"], message: `Two ${what}s are titled “${option.title}”: WhatsApp needs each title to differ.` });
    }
    ids.add(option.id);
    titles.add(title);
  });
}

export const messageLimits = {
  header: templated(L.headerText, `A header holds at most ${L.headerText} characters (WhatsApp's limit).`),
  footer: templated(L.footerText, `A footer holds at most ${L.footerText} characters (WhatsApp's limit).`),
  listButton: templated(L.listButtonLabel, `The list's button label holds at most ${L.listButtonLabel} characters (WhatsApp's limit).`),
  buttons: z
    .array(replyButtonConfig)
    .max(L.buttons, `A reply can have at most ${L.buttons} buttons: WhatsApp refuses more. Use a list for up to ${L.listRows} options.`)
    .superRefine((buttons, issues) => checkDistinct(buttons, issues, (index) => [index], "button")),
  sections: z
    .array(listSectionConfig)
    .max(L.listSections, `A list can have at most ${L.listSections} sections (WhatsApp's limit).`)
    .superRefine((sections, issues) => {
      const rows = sections.flatMap((section) => section.rows);
      if (rows.length > L.listRows) {
        issues.addIssue({ code: "custom", message: `A list can have at most ${L.listRows} rows in all its sections (it has ${rows.length}): WhatsApp refuses more.` });
      }
      const where = sections.flatMap((section, s) => section.rows.map((_, r) => [s, "rows", r]));
      checkDistinct(rows, issues, (index) => where[index] ?? [], "list row");
      if (sections.length > 1) {
        sections.forEach((section, index) => {
          if (!section.title) issues.addIssue({ code: "custom", path: [index, "title"], message: "With several sections, each needs a title (WhatsApp's rule)." });
        });
      }
    }),
};

/** Checks the text of a kind that needs one (or allows one) against that kind's limit. */
export function requireText(text: string | undefined, max: number, required: boolean, issues: Issues, tooLong: string): void {
  if (required && !text) issues.addIssue({ code: "custom", path: ["text"], message: "write the text the contact sees" });
  if (text && fixedLength(text) > max) issues.addIssue({ code: "custom", path: ["text"], message: tooLong });
}

/**
 * The canvas checked the templates; a variable can still render a text too long, empty or
 * duplicated. Failing the node with the reason beats a send WhatsApp refuses later.
 */
export function checkRendered(message: OutboundMessage): OutboundMessage {
  const result = outboundMessageSchema.safeParse(message);
  if (result.success) return result.data;
  const reasons = result.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message));
  throw new Error(`With its variables filled in, this ${message.type} message is not one WhatsApp accepts: ${reasons.join("; ")}.`);
}
