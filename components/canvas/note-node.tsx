"use client";
import { NodeResizer, type NodeProps } from "@xyflow/react";
import { memo, useContext } from "react";
import { CanvasActionsContext } from "./canvas-context";
import type { NoteNode } from "./graph";

/** A sticky note: free text for the people editing the flow, never run. */
function NoteView({ id, data, selected }: NodeProps<NoteNode>) {
  const actions = useContext(CanvasActionsContext);
  return (
    <div data-testid="canvas-note" data-note-id={id} className={`flex h-full min-h-20 w-full min-w-40 flex-col rounded-md border bg-amber-100 shadow-sm ${selected ? "border-amber-500 ring-2 ring-amber-400/40" : "border-amber-200"}`}>
      <NodeResizer isVisible={selected && !actions.readOnly} minWidth={160} minHeight={80} color="#f59e0b" />
      <div className="h-3 shrink-0 cursor-move rounded-t-md bg-amber-200/70" aria-hidden />
      <textarea
        aria-label="Note"
        data-testid="note-text"
        readOnly={actions.readOnly}
        value={data.text}
        placeholder="Write a note for your team…"
        maxLength={2000}
        onChange={(event) => actions.updateNote(id, event.target.value)}
        // Typing and scrolling in the note must not drag or zoom the canvas.
        className="nodrag nowheel flex-1 resize-none bg-transparent px-2 py-1 text-sm text-amber-950 placeholder:text-amber-700/50 focus:outline-none"
      />
    </div>
  );
}

export const NoteNodeComponent = memo(NoteView);
