// Reads a node definition's zod 4 config schema into form fields, so the inspector can
// render a form for any node type without knowing it.
import type { z } from "zod";

export type FieldSpec =
  /** `choices`: the value is picked from the workspace's records of that kind (a schema's `.meta({ choices: "flows" })` or `"templates"`). */
  | { kind: "text"; multiline: boolean; maxLength: number | null; choices?: TextChoices }
  | { kind: "enum"; options: string[] }
  | { kind: "list"; maxItems: number | null }
  /** A list of small records (condition branches, headers, assignments), edited row by row. */
  | { kind: "objects"; fields: FormField[]; maxItems: number | null }
  | { kind: "number"; integer: boolean; min: number | null; max: number | null }
  | { kind: "boolean" }
  | { kind: "json" };

export type TextChoices = "flows" | "templates";
const TEXT_CHOICES = new Set<unknown>(["flows", "templates"]);

export interface FormField {
  key: string;
  label: string;
  description?: string;
  required: boolean;
  defaultValue?: unknown;
  spec: FieldSpec;
}

interface Introspectable {
  def: { type: string; innerType?: Introspectable; defaultValue?: unknown; element?: Introspectable; shape?: Record<string, Introspectable> };
  description?: string;
  maxLength?: number | null;
  minValue?: number | null;
  maxValue?: number | null;
  isInt?: boolean;
  options?: unknown[];
  shape?: Record<string, Introspectable>;
  meta?(): Record<string, unknown> | undefined;
}

/** Field names whose texts are long enough to deserve a textarea. */
const LONG_TEXT_KEYS = new Set(["text", "question", "body", "message", "prompt", "template", "instructions", "system"]);

function humanize(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function unwrap(schema: Introspectable): { inner: Introspectable; required: boolean; defaultValue?: unknown; description?: string } {
  let current = schema;
  let required = true;
  let defaultValue: unknown;
  let description = schema.description;
  for (let depth = 0; depth < 10; depth++) {
    const type = current.def.type;
    if ((type === "default" || type === "prefault") && current.def.innerType) {
      required = false;
      const raw = current.def.defaultValue;
      defaultValue = typeof raw === "function" ? (raw as () => unknown)() : raw;
    } else if ((type === "optional" || type === "nullable" || type === "readonly" || type === "catch") && current.def.innerType) {
      if (type === "optional") required = false;
    } else {
      break;
    }
    current = current.def.innerType!;
    description ??= current.description;
  }
  return { inner: current, required, defaultValue, description };
}

function specFor(key: string, schema: Introspectable, choices: unknown): FieldSpec {
  switch (schema.def.type) {
    case "string": {
      const maxLength = schema.maxLength ?? null;
      return { kind: "text", multiline: LONG_TEXT_KEYS.has(key) || (maxLength !== null && maxLength > 300), maxLength, ...(TEXT_CHOICES.has(choices) ? { choices: choices as TextChoices } : {}) };
    }
    case "enum":
      return { kind: "enum", options: (schema.options ?? []).map(String) };
    case "number":
      return { kind: "number", integer: Boolean(schema.isInt), min: schema.minValue ?? null, max: schema.maxValue ?? null };
    case "boolean":
      return { kind: "boolean" };
    case "array": {
      const element = schema.def.element ? unwrap(schema.def.element).inner : undefined;
      if (element?.def.type === "string") return { kind: "list", maxItems: schema.maxLength ?? null };
      if (element?.def.type === "object") {
        const fields = objectFields(element);
        if (fields.every((field) => field.spec.kind !== "json" && field.spec.kind !== "objects")) {
          return { kind: "objects", fields, maxItems: schema.maxLength ?? null };
        }
      }
      return { kind: "json" };
    }
    default:
      return { kind: "json" };
  }
}

/** The form fields of an object schema, in declaration order; empty for other schemas. */
export function formFields(schema: z.ZodType): FormField[] {
  return objectFields(schema as unknown as Introspectable);
}

function objectFields(schema: Introspectable): FormField[] {
  const root = unwrap(schema).inner;
  const shape = root.shape ?? root.def.shape;
  if (root.def.type !== "object" || !shape) return [];
  return Object.entries(shape).map(([key, field]) => {
    const { inner, required, defaultValue, description } = unwrap(field);
    return { key, label: humanize(key), description, required, defaultValue, spec: specFor(key, inner, field.meta?.()?.choices) };
  });
}

/** Issues from parsing `config` with `schema`, keyed by top-level field ("" for the whole config). */
export function fieldErrors(schema: z.ZodType, config: unknown): Map<string, string[]> {
  const errors = new Map<string, string[]>();
  const result = schema.safeParse(config);
  if (result.success) return errors;
  for (const issue of result.error.issues) {
    const key = issue.path.length > 0 ? String(issue.path[0]) : "";
    const where = issue.path.length > 1 ? `item ${Number(issue.path[1]) + 1}: ` : "";
    errors.set(key, [...(errors.get(key) ?? []), `${where}${issue.message}`]);
  }
  return errors;
}
