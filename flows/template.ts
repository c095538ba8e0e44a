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

export type TemplateAnalysis = { ok: true; variables: string[] } | { ok: false; error: string };

const analyses = new Map<string, TemplateAnalysis>();

/**
 * Parses a template once for design-time checks: the variable paths it reads (e.g.
 * "contact.name", "vars.order_id") or why it cannot be parsed (unclosed tag, unknown
 * filter…). Memoized: the canvas re-checks every template on each edit.
 */
export function analyseTemplate(source: string): TemplateAnalysis {
  if (!source.includes("{{") && !source.includes("{%")) return { ok: true, variables: [] };
  let analysis = analyses.get(source);
  if (!analysis) {
    try {
      analysis = { ok: true, variables: liquid.fullVariablesSync(liquid.parse(source)) };
    } catch (error) {
      analysis = { ok: false, error: (error as Error).message.split("\n")[0] ?? "invalid template" };
    }
    if (analyses.size > 5_000) analyses.clear();
    analyses.set(source, analysis);
  }
  return analysis;
}

/** Variable paths a template reads, for design-time checks. */
export function templateVariables(source: string): string[] {
  const analysis = analyseTemplate(source);
  return analysis.ok ? analysis.variables : [];
}

/** A reason the template cannot be parsed, or null. */
export function templateError(source: string): string | null {
  const analysis = analyseTemplate(source);
  return analysis.ok ? null : analysis.error;
}
