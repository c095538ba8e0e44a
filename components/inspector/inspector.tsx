"use client";
import { nodeDefinition } from "@/flows/registry";
import type { CanvasNode, FlowNodeData } from "@/components/canvas/graph";
import { Button } from "@/components/ui/button";
import { ConfigForm } from "./config-form";

/** The side panel for one selected node: its label and a form for its config. */
export function Inspector({
  node,
  readOnly,
  onChange,
  onDelete,
}: {
  node: CanvasNode;
  readOnly: boolean;
  onChange: (data: Partial<FlowNodeData>) => void;
  onDelete: () => void;
}) {
  const definition = nodeDefinition(node.data.type);
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
      {readOnly ? null : (
        <Button variant="ghost" className="text-red-700 hover:bg-red-50" onClick={onDelete}>
          Delete node
        </Button>
      )}
    </section>
  );
}
