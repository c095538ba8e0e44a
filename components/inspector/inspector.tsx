"use client";
import Link from "next/link";
import { useMemo } from "react";
import { availableVariables } from "@/flows/outputs";
import { nodeDefinition, nodeSource } from "@/flows/registry";
import type { FlowGraph } from "@/flows/schema";
import type { CanvasNode, FlowNodeData } from "@/components/canvas/graph";
import { Button } from "@/components/ui/button";
import { ConfigForm } from "./config-form";

/** The side panel for one selected node: its label and a form for its config. */
export function Inspector({
  node,
  graph,
  readOnly,
  onChange,
  onDelete,
}: {
  node: CanvasNode;
  /** The flow being edited, for the variables its templates can use. */
  graph: FlowGraph;
  readOnly: boolean;
  onChange: (data: Partial<FlowNodeData>) => void;
  onDelete: () => void;
}) {
  const definition = nodeDefinition(node.data.type);
  const source = nodeSource(node.data.type);
  const hasTemplates = (definition?.templateFields?.length ?? 0) > 0;
  const variables = useMemo(() => (hasTemplates ? availableVariables(graph, node.id) : []), [hasTemplates, graph, node.id]);
  return (
    <section aria-labelledby="inspector-title" className="space-y-4 p-4" data-testid="inspector">
      <div className="flex items-start gap-2">
        <span aria-hidden className="text-xl leading-none">
          {definition?.icon ?? "❔"}
        </span>
        <div className="min-w-0 flex-1">
          <h2 id="inspector-title" className="text-sm font-semibold text-slate-900">
            {definition?.title ?? `Unknown node type “${node.data.type}”`}
          </h2>
          {definition ? <p className="mt-0.5 text-xs text-slate-500">{definition.description}</p> : null}
          <p className="mt-1 font-mono text-[11px] text-slate-400">id: {node.id}</p>
          {source ? <p className="text-[11px] text-slate-400">from the node package {source}</p> : null}
        </div>
      </div>
      <fieldset disabled={readOnly} className="space-y-4">
        <div className="space-y-1">
          <label htmlFor="node-label" className="block text-xs font-medium text-slate-700">
            Label <span className="font-normal text-slate-400">(optional)</span>
          </label>
          <input
            id="node-label"
            className="field"
            maxLength={80}
            placeholder={definition?.title}
            value={node.data.label ?? ""}
            onChange={(event) => onChange({ label: event.target.value })}
          />
        </div>
        {definition ? (
          <ConfigForm
            key={node.id}
            schema={definition.config}
            config={node.data.config}
            templateFields={definition.templateFields as string[] | undefined}
            onChange={(config) => onChange({ config })}
          />
        ) : (
          <p className="text-sm text-red-700">This node’s type is not installed: it cannot be edited or run. Delete it or install the type.</p>
        )}
      </fieldset>
      {definition?.secrets?.length ? (
        <p className="text-xs text-slate-500" data-testid="node-secrets-note">
          Uses {definition.secrets.length === 1 ? "the secret" : "the secrets"} {definition.secrets.map((secret) => `“${secret.label}”`).join(", ")}, stored by an
          admin in{" "}
          <Link href="/settings/node-secrets" className="text-brand-700 hover:underline">
            Settings → Node secrets
          </Link>
          .
        </p>
      ) : null}
      {variables.length > 0 ? (
        <details className="text-xs text-slate-600" data-testid="variable-hints">
          <summary className="cursor-pointer font-medium text-slate-700">Variables you can use</summary>
          <ul className="mt-1 flex flex-wrap gap-1">
            {variables.map((variable) => (
              <li key={variable}>
                <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-[11px] text-slate-700">{`{{${variable}}}`}</code>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {readOnly ? null : (
        <Button variant="ghost" className="text-red-700 hover:bg-red-50" onClick={onDelete}>
          Delete node
        </Button>
      )}
    </section>
  );
}
