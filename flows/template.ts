// `{{…}}` templates in node texts, rendered with LiquidJS (no code execution, filters
// such as `default`, `upper`, `lower`, `date`). Missing variables render as empty.
import { Liquid } from "liquidjs";

const liquid = new Liquid({ strictVariables: false, strictFilters: true, cache: 500 });
liquid.registerFilter("upper", (value: unknown) => String(value ?? "").toUpperCase());
liquid.registerFilter("lower", (value: unknown) => String(value ?? "").toLowerCase());

export type TemplateScope = Record<string, unknown>;

export function renderTemplate(source: string, scope: TemplateScope): string {
  if (!source.includes("{{") && !source.includes("{%")) return source;
  return liquid.parseAndRenderSync(source, scope);
}

/** Variable paths a template reads (e.g. ["contact.name", "vars.order_id"]), for design-time checks. */
export function templateVariables(source: string): string[] {
  return liquid.fullVariablesSync(source);
}

/** A reason the template cannot be parsed (unclosed tag, unknown filter…), or null. */
export function templateError(source: string): string | null {
  try {
    liquid.parse(source);
    return null;
  } catch (error) {
    return (error as Error).message.split("\n")[0] ?? "invalid template";
  }
}
