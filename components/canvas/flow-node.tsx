"use client";
import { Handle, Position, useStore, type NodeProps, type ReactFlowState } from "@xyflow/react";
import { createContext, memo, useContext } from "react";
import type { NodeCategory } from "@/flows/define-node";
import { nodeDefinition } from "@/flows/registry";
import { CanvasActionsContext, NodeDiffContext, RunHighlightContext, type NodeDiffState } from "./canvas-context";
import { nodePorts, nodeSummary, type CanvasNode } from "./graph";

export interface NodeIssues {
  errors: string[];
  warnings: string[];
}

/** Diagnostics per node id, provided by the editor so nodes can show a badge. */
export const NodeIssuesContext = createContext<Map<string, NodeIssues>>(new Map());

/**
 * How much of a card is drawn at the view's zoom. Below SMALL_PRINT_ZOOM the small print
 * (type, summary, port labels, "+") is unreadable and hidden with the shadow; below
 * BLOCK_ZOOM the title is too, and the card is a plain block coloured by its category, so
 * a large flow seen whole paints fast (bench/canvas.ts). Either way the layout is the same
 * (only visibility and colours change), so edges keep attaching to the handles.
 */
type CardDetail = "full" | "titles" | "block";
const SMALL_PRINT_ZOOM = 0.4;
const BLOCK_ZOOM = 0.25;
// A store selector returning a string: cards re-render when the zoom crosses a threshold, not on every pan or zoom step.
function cardDetail(state: ReactFlowState): CardDetail {
  const zoom = state.transform[2];
  return zoom < BLOCK_ZOOM ? "block" : zoom < SMALL_PRINT_ZOOM ? "titles" : "full";
}

const CATEGORY_COLOURS: Record<NodeCategory, { accent: string; block: string }> = {
  trigger: { accent: "border-t-amber-400", block: "bg-amber-400" },
  message: { accent: "border-t-brand-500", block: "bg-brand-500" },
  logic: { accent: "border-t-violet-400", block: "bg-violet-400" },
  ai: { accent: "border-t-sky-400", block: "bg-sky-400" },
  data: { accent: "border-t-slate-400", block: "bg-slate-400" },
};

const DIFF_OUTLINE: Record<NodeDiffState, string> = {
  added: "outline-emerald-400",
  removed: "opacity-60 outline-dashed outline-red-400",
  changed: "outline-amber-400",
};

interface CardMarks {
  selected: boolean;
  running: boolean;
  visited: boolean;
  diff: NodeDiffState | undefined;
  errors: boolean;
  warnings: boolean;
}

function cardClasses(category: NodeCategory | undefined, marks: CardMarks, shadow: boolean): string {
  const accent = category ? CATEGORY_COLOURS[category].accent : "border-t-red-400";
  const frame = marks.selected ? "border-brand-600 shadow-md ring-2 ring-brand-500/40" : marks.errors ? "border-red-300" : "border-slate-200";
  const run = marks.running ? "shadow-lg shadow-sky-300 outline-4 outline-offset-2 outline-sky-400" : marks.visited ? "outline-2 outline-offset-1 outline-sky-200" : "";
  const diff = marks.diff ? `outline-4 outline-offset-2 ${DIFF_OUTLINE[marks.diff]}` : "";
  return `rounded-lg bg-white transition-shadow ${shadow ? "shadow-sm" : ""} ${accent} ${frame} ${run} ${diff}`;
}

/**
 * A block shows one mark, the most pressing, as an outline thick enough to see zoomed out
 * (20 px is 2–5 px on screen); errors turn the whole block red, as in the minimap.
 */
function blockClasses(category: NodeCategory | undefined, marks: CardMarks): string {
  const fill = marks.errors || !category ? "bg-red-600" : CATEGORY_COLOURS[category].block;
  const mark = marks.selected
    ? "outline-slate-900"
    : marks.running
      ? "outline-sky-500"
      : marks.diff
        ? DIFF_OUTLINE[marks.diff]
        : marks.warnings
          ? "outline-amber-500"
          : marks.visited
            ? "outline-sky-300"
            : null;
  // The children keep their boxes (the handles stay where edges attach) but are not painted.
  return `border-transparent *:invisible ${fill} ${mark ? `outline-[20px] ${mark}` : ""}`;
}

function FlowNodeView({ id, data, selected }: NodeProps<CanvasNode>) {
  const definition = nodeDefinition(data.type);
  const issues = useContext(NodeIssuesContext).get(id);
  const actions = useContext(CanvasActionsContext);
  const run = useContext(RunHighlightContext);
  const running = run.current === id;
  const diff = useContext(NodeDiffContext).get(id);
  const detail = useStore(cardDetail);
  const smallPrint = detail === "full" ? "" : "invisible";
  const ports = nodePorts(data.type, data.config);
  const summary = nodeSummary(data.type, data.config);
  const title = data.label?.trim() || definition?.title || data.type;
  const errorCount = issues?.errors.length ?? 0;
  const warningCount = issues?.warnings.length ?? 0;
  const marks: CardMarks = { selected, running, visited: run.visited.has(id), diff, errors: errorCount > 0, warnings: warningCount > 0 };

  return (
    <div
      data-testid="flow-node"
      data-node-id={id}
      data-detail={detail}
      data-run-state={running ? "current" : marks.visited ? "visited" : undefined}
      data-diff={diff}
      // Zoomed out to a block, hovering it still tells which node it is.
      title={detail === "block" ? title : undefined}
      className={`relative w-60 border border-t-4 ${detail === "block" ? blockClasses(definition?.category, marks) : cardClasses(definition?.category, marks, detail === "full")}`}
    >
      {definition && !definition.trigger ? (
        <Handle type="target" position={Position.Top} className="!size-3 !border-2 !border-white !bg-slate-400" />
      ) : null}
      {errorCount + warningCount > 0 ? (
        <span
          data-testid="node-issue-badge"
          title={[...(issues?.errors ?? []), ...(issues?.warnings ?? [])].join("\n")}
          className={`absolute -right-2 -top-3 flex h-5 min-w-5 items-center justify-center rounded-full px-1 text-[11px] font-bold text-white shadow ${
            errorCount > 0 ? "bg-red-600" : "bg-amber-500"
          }`}
        >
          {errorCount > 0 ? errorCount : warningCount}
          <span className="sr-only">{errorCount > 0 ? " errors" : " warnings"}</span>
        </span>
      ) : null}
      <div className="px-3 pb-2 pt-2">
        <div className="flex items-center gap-2">
          <span aria-hidden className="text-base leading-none">
            {definition?.icon ?? "❔"}
          </span>
          <div className="min-w-0 flex-1">
            <div className="truncate text-sm font-semibold text-slate-900" data-testid="flow-node-title">
              {title}
            </div>
            <div className={`truncate text-[11px] uppercase tracking-wide text-slate-400 ${smallPrint}`}>{definition ? definition.title : `unknown type “${data.type}”`}</div>
          </div>
        </div>
        {summary ? (
          <p className={`mt-1.5 truncate text-xs text-slate-600 ${smallPrint}`} title={summary}>
            {summary}
          </p>
        ) : null}
      </div>
      {ports.length > 0 ? (
        <div className="relative flex h-7 border-t border-slate-100">
          {ports.map((port, index) => {
            const left = `${((index + 0.5) / ports.length) * 100}%`;
            return (
              <div key={port.id} className="absolute inset-y-0 -translate-x-1/2 pt-0.5 text-center leading-none" style={{ left }}>
                <span className={`whitespace-nowrap text-[10px] text-slate-500 ${smallPrint}`}>{port.label}</span>
                <Handle
                  id={port.id}
                  type="source"
                  position={Position.Bottom}
                  title={`Output: ${port.label}`}
                  style={{ left: "50%" }}
                  className="!size-3 !border-2 !border-white !bg-brand-600"
                />
                {actions.readOnly ? null : (
                  <button
                    type="button"
                    data-testid="port-add"
                    data-port-id={port.id}
                    aria-label={`Add a node after “${port.label}”`}
                    title={`Add a node after “${port.label}”`}
                    onClick={(event) => {
                      const box = event.currentTarget.getBoundingClientRect();
                      actions.addAfterPort(id, port.id, { x: box.left + box.width / 2, y: box.bottom });
                    }}
                    // Below the handle, so dragging from the handle still draws a connection.
                    className={`${smallPrint} nodrag nopan absolute left-1/2 top-[calc(100%+10px)] flex size-4 -translate-x-1/2 items-center justify-center rounded-full border border-slate-300 bg-white text-[11px] leading-none text-slate-500 opacity-60 hover:border-brand-600 hover:bg-brand-50 hover:text-brand-700 hover:opacity-100 focus-visible:opacity-100 focus-visible:outline-2 focus-visible:outline-brand-600`}
                  >
                    +
                  </button>
                )}
              </div>
            );
          })}
        </div>
      ) : null}
    </div>
  );
}

export const FlowNodeComponent = memo(FlowNodeView);
