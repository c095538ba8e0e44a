"use client";
import { useQuery } from "@tanstack/react-query";
import { useId, useMemo, useState, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from "react";
import type { z } from "zod";
import { useTRPC } from "@/components/trpc/client";
import { fieldErrors, formFields, type FormField } from "./schema-fields";
import { templateMismatches } from "./template-mismatches";

/** A form for any node config, generated from the node definition's zod schema. */
export function ConfigForm({
  schema,
  config,
  templateFields = [],
  onChange,
}: {
  schema: z.ZodType;
  config: Record<string, unknown>;
  templateFields?: string[];
  onChange: (config: Record<string, unknown>) => void;
}) {
  const fields = useMemo(() => formFields(schema), [schema]);
  const errors = useMemo(() => fieldErrors(schema, config), [schema, config]);
  const general = errors.get("") ?? [];

  function set(key: string, value: unknown) {
    const next = { ...config };
    if (value === undefined) delete next[key];
    else next[key] = value;
    onChange(next);
  }

  if (fields.length === 0) {
    return <p className="text-sm text-slate-500">This node has nothing to configure.</p>;
  }
  return (
    <div className="space-y-4">
      {fields.map((field) => (
        <Field
          key={field.key}
          field={field}
          value={config[field.key]}
          config={config}
          errors={errors.get(field.key) ?? []}
          template={templateFields.includes(field.key)}
          onChange={(value) => set(field.key, value)}
          onPatch={(patch) => onChange({ ...config, ...patch })}
        />
      ))}
      {general.length > 0 ? (
        <ul role="alert" className="space-y-1 text-xs text-red-700">
          {general.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function Field({
  field,
  value,
  config,
  errors,
  template,
  onChange,
  onPatch,
}: {
  field: FormField;
  value: unknown;
  /** The whole config, for pickers that fill related fields too. */
  config?: Record<string, unknown>;
  errors: string[];
  template: boolean;
  onChange: (value: unknown) => void;
  /** Sets several fields at once (a template's name, language and parameters). */
  onPatch?: (patch: Record<string, unknown>) => void;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const helpId = `${id}-help`;
  const invalid = errors.length > 0;
  const describedBy = [invalid ? errorId : null, field.description || template ? helpId : null].filter(Boolean).join(" ") || undefined;
  const common = { id, "aria-invalid": invalid || undefined, "aria-describedby": describedBy, className: "field" } as const;
  const spec = field.spec;

  let control: ReactNode;
  if (spec.kind === "text") {
    const text = typeof value === "string" ? value : value == null ? "" : String(value);
    control = spec.choices === "flows" ? (
      <FlowSelect {...common} value={text} onChange={onChange} />
    ) : spec.choices === "templates" ? (
      <TemplateSelect {...common} config={config ?? {}} onPatch={onPatch ?? (() => {})} />
    ) : spec.multiline ? (
      <textarea {...common} rows={4} value={text} maxLength={spec.maxLength ?? undefined} onChange={(e) => onChange(e.target.value)} />
    ) : (
      <input {...common} type="text" value={text} maxLength={spec.maxLength ?? undefined} onChange={(e) => onChange(e.target.value)} />
    );
  } else if (spec.kind === "enum") {
    const selected = typeof value === "string" ? value : typeof field.defaultValue === "string" ? field.defaultValue : "";
    control = (
      <select {...common} value={selected} onChange={(e) => onChange(e.target.value)}>
        {selected === "" ? <option value="">Choose…</option> : null}
        {spec.options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    );
  } else if (spec.kind === "number") {
    control = (
      <input
        {...common}
        type="number"
        step={spec.integer ? 1 : "any"}
        min={spec.min ?? undefined}
        max={spec.max ?? undefined}
        value={typeof value === "number" || typeof value === "string" ? value : ""}
        onChange={(e) => {
          const raw = e.target.value;
          if (raw === "") return onChange(undefined);
          const number = Number(raw);
          onChange(Number.isFinite(number) ? number : raw);
        }}
      />
    );
  } else if (spec.kind === "boolean") {
    control = (
      <input
        id={id}
        type="checkbox"
        aria-describedby={describedBy}
        className="size-4 rounded border-slate-300 accent-brand-600"
        checked={value === true || (value === undefined && field.defaultValue === true)}
        onChange={(e) => onChange(e.target.checked)}
      />
    );
  } else if (spec.kind === "list") {
    control = <ListEditor {...common} value={Array.isArray(value) ? value.map(String) : []} onChange={onChange} />;
  } else if (spec.kind === "objects") {
    control = <ObjectListEditor label={field.label} fields={spec.fields} maxItems={spec.maxItems} value={Array.isArray(value) ? value : []} onChange={onChange} />;
  } else {
    control = <JsonEditor {...common} value={value} onChange={onChange} />;
  }

  return (
    <div className={spec.kind === "boolean" ? "flex items-center gap-2" : "space-y-1"}>
      <label htmlFor={id} className="block text-xs font-medium text-slate-700">
        {field.label}
        {field.required ? null : <span className="ml-1 font-normal text-slate-400">(optional)</span>}
      </label>
      {control}
      {spec.kind === "list" ? <p className="text-xs text-slate-400">One per line.</p> : null}
      {field.description || template ? (
        <p id={helpId} className="text-xs text-slate-500">
          {field.description}
          {field.description && template ? " " : null}
          {template ? "Use {{contact.name}}, {{message.text}}, {{vars.…}} to personalise." : null}
        </p>
      ) : null}
      {invalid ? (
        <p id={errorId} className="text-xs text-red-700" data-testid="field-error">
          {errors.join("; ")}
        </p>
      ) : null}
    </div>
  );
}

/** One bordered row per item, each with the item's own fields; rows can be added and removed. */
function ObjectListEditor({
  label,
  fields,
  maxItems,
  value,
  onChange,
}: {
  label: string;
  fields: FormField[];
  maxItems: number | null;
  value: unknown[];
  onChange: (value: unknown[]) => void;
}) {
  const items = value.map((item) => (item && typeof item === "object" ? (item as Record<string, unknown>) : {}));
  const blank = () => Object.fromEntries(fields.map((field) => [field.key, field.defaultValue ?? (field.spec.kind === "number" ? 0 : field.spec.kind === "boolean" ? false : "")]));
  const full = maxItems !== null && items.length >= maxItems;
  return (
    <div className="space-y-2" role="group" aria-label={label}>
      {items.map((item, index) => (
        <div key={index} className="space-y-2 rounded-md border border-slate-200 bg-slate-50 p-2" data-testid="object-row">
          {fields.map((sub) => (
            <Field
              key={sub.key}
              field={sub}
              value={item[sub.key]}
              errors={[]}
              template={false}
              onChange={(next) => onChange(items.map((other, i) => (i === index ? { ...other, [sub.key]: next } : other)))}
            />
          ))}
          <button type="button" className="text-xs text-red-700 hover:underline" onClick={() => onChange(items.filter((_, i) => i !== index))}>
            Remove
          </button>
        </div>
      ))}
      <button
        type="button"
        className="text-xs font-medium text-brand-700 hover:underline disabled:text-slate-400 disabled:no-underline"
        disabled={full}
        onClick={() => onChange([...items, blank()])}
      >
        + Add {full ? `(at most ${maxItems})` : ""}
      </button>
    </div>
  );
}

/** The workspace's flows by name (the value is the flow's id); one no longer listed stays shown by its id. */
function FlowSelect({ value, onChange, ...props }: { value: string; onChange: (value: string) => void } & Omit<SelectHTMLAttributes<HTMLSelectElement>, "value" | "onChange">) {
  const trpc = useTRPC();
  const flows = useQuery(trpc.flows.list.queryOptions());
  const listed = flows.data ?? [];
  return (
    <select {...props} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{flows.isPending ? "Loading flows…" : "Choose a flow…"}</option>
      {listed.map((flow) => (
        <option key={flow.id} value={flow.id}>
          {flow.name}
          {flow.publishedVersion === null ? " (not published)" : ""}
        </option>
      ))}
      {value && !flows.isPending && !listed.some((flow) => flow.id === value) ? <option value={value}>{value} (not found)</option> : null}
    </select>
  );
}

/**
 * The approved templates of the workspace's numbers (read from the Graph API and cached).
 * Picking one sets its name and language and makes room for exactly its body parameters;
 * a template no longer listed, or parameters that do not match its body, are called out.
 */
function TemplateSelect({
  config,
  onPatch,
  ...props
}: { config: Record<string, unknown>; onPatch: (patch: Record<string, unknown>) => void } & Omit<SelectHTMLAttributes<HTMLSelectElement>, "value" | "onChange">) {
  const trpc = useTRPC();
  const templates = useQuery(trpc.channels.templates.queryOptions({}));
  const name = typeof config.templateName === "string" ? config.templateName : "";
  const language = typeof config.language === "string" ? config.language : "";
  const parameters = Array.isArray(config.parameters) ? config.parameters.map(String) : [];
  const buttonParameters = Array.isArray(config.buttonParameters) ? (config.buttonParameters as { index: number; value: string }[]) : [];
  const listed = (templates.data?.templates ?? []).filter(
    (template, index, all) => all.findIndex((other) => other.name === template.name && other.language === template.language) === index,
  );
  const key = (template: { name: string; language: string }) => `${template.name}\u0000${template.language}`;
  const chosen = listed.find((template) => template.name === name && template.language === language);
  return (
    <div className="space-y-1">
      <select
        {...props}
        value={name ? key({ name, language }) : ""}
        onChange={(e) => {
          const template = listed.find((candidate) => key(candidate) === e.target.value);
          if (!template) return onPatch({ templateName: undefined, language: undefined, headerFormat: undefined, headerParameter: undefined, buttonParameters: undefined });
          const buttonValues = new Map(buttonParameters.map((button) => [button.index, button.value]));
          onPatch({
            templateName: template.name,
            language: template.language,
            parameters: Array.from({ length: template.bodyParameters }, (_, i) => parameters[i] ?? ""),
            headerFormat: template.header?.format,
            headerParameter: template.header ? (config.headerParameter ?? "") : undefined,
            // Links ending in {{1}} need their suffix; quick replies' payloads are optional and added by hand.
            buttonParameters: template.buttons.filter((button) => button.required).map((button) => ({ index: button.index, subType: button.subType, value: buttonValues.get(button.index) ?? "" })),
          });
        }}
      >
        <option value="">{templates.isPending ? "Loading templates…" : listed.length === 0 ? "No templates: add a number's WABA id in Settings" : "Choose a template…"}</option>
        {listed.map((template) => (
          <option key={key(template)} value={key(template)} disabled={template.status !== "APPROVED"}>
            {template.name} ({template.language}){template.status !== "APPROVED" ? ` — ${template.status.toLowerCase()}` : ""}
          </option>
        ))}
        {name && !templates.isPending && !chosen ? <option value={key({ name, language })}>{name} ({language || "?"}) — not found</option> : null}
      </select>
      {chosen?.bodyText ? (
        <p className="whitespace-pre-wrap rounded bg-slate-50 p-1.5 text-xs text-slate-600" data-testid="template-body">
          {chosen.bodyText}
        </p>
      ) : null}
      {chosen
        ? templateMismatches(chosen, { parameters, headerFormat: config.headerFormat, buttonParameters }).map((mismatch) => (
            <p key={mismatch.part} className="text-xs text-amber-800" data-testid={`template-${mismatch.part}-warning`}>
              {mismatch.message}
            </p>
          ))
        : null}
      {templates.data?.problems.length ? <p className="text-xs text-amber-800">Some numbers&apos; templates could not be read: {templates.data.problems[0]?.error}</p> : null}
    </div>
  );
}

/** One item per line: items may contain commas ("hi, where is my order?"). */
function splitList(text: string): string[] {
  return text
    .split("\n")
    .map((item) => item.trim())
    .filter(Boolean);
}

function ListEditor({ value, onChange, ...props }: { value: string[]; onChange: (value: string[]) => void } & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "value" | "onChange">) {
  // Keep the typed text so separators the user just typed do not vanish mid-edit.
  const [text, setText] = useState(() => value.join("\n"));
  const current = splitList(text);
  const shown = current.join("\n") === value.join("\n") ? text : value.join("\n");
  return (
    <textarea
      {...props}
      rows={3}
      value={shown}
      onChange={(e) => {
        setText(e.target.value);
        onChange(splitList(e.target.value));
      }}
    />
  );
}

function JsonEditor({ value, onChange, ...props }: { value: unknown; onChange: (value: unknown) => void } & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "value" | "onChange">) {
  const [text, setText] = useState(() => JSON.stringify(value ?? null, null, 2));
  const [bad, setBad] = useState(false);
  return (
    <>
      <textarea
        {...props}
        rows={4}
        className="field font-mono text-xs"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          try {
            onChange(JSON.parse(e.target.value));
            setBad(false);
          } catch {
            setBad(true);
          }
        }}
      />
      {bad ? <p className="text-xs text-amber-700">Not valid JSON yet: the last valid value is kept.</p> : null}
    </>
  );
}
