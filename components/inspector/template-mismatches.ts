// What the reply node's inspector says when a node's template parameters no longer fit the
// template it names (its body, header or link buttons changed in WhatsApp Manager since it
// was picked): WhatsApp refuses such a send (132000), so the node says so before publishing.
import type { TemplateView } from "@/server/channels/templates";

export interface TemplateMismatch {
  part: "body" | "header" | "buttons";
  message: string;
}

/** The parameters a node gives its template, as the reply node's config keeps them. */
export interface GivenTemplateParameters {
  parameters: string[];
  headerFormat: unknown;
  buttonParameters: { index: number }[];
}

export function templateMismatches(template: Pick<TemplateView, "bodyParameters" | "header" | "buttons">, given: GivenTemplateParameters): TemplateMismatch[] {
  const mismatches: TemplateMismatch[] = [];
  const { bodyParameters } = template;
  if (bodyParameters !== given.parameters.length) {
    mismatches.push({
      part: "body",
      message: `This template's body takes ${bodyParameters} parameter${bodyParameters === 1 ? "" : "s"}; the node gives ${given.parameters.length}. WhatsApp refuses the send until they match.`,
    });
  }
  if ((template.header?.format ?? undefined) !== given.headerFormat) {
    mismatches.push({
      part: "header",
      message: template.header
        ? `This template's header takes ${template.header.format === "text" ? "a text parameter" : `a link to its ${template.header.format}`}: pick the template again to set it up.`
        : "This template's header takes no parameter: pick the template again.",
    });
  }
  if (template.buttons.some((button) => button.required && !given.buttonParameters.some((parameter) => parameter.index === button.index))) {
    mismatches.push({ part: "buttons", message: "Its link button needs the end of its URL: pick the template again to add it." });
  }
  return mismatches;
}
