"use client";
import { useMemo, useState } from "react";
import { paletteGroups, type PaletteEntry } from "./palette";

/** The drag type the canvas accepts from the palette; its data is the node type (or NOTE_ENTRY). */
export const PALETTE_DRAG_TYPE = "application/x-parley-node";
/** The palette's sticky-note entry: a canvas element, not a node type. */
export const NOTE_ENTRY = "parley:note";

/** Node types from the registry by category, searchable; drag one onto the canvas or click to add it. */
export function PalettePanel({ entries, onAdd }: { entries: PaletteEntry[]; onAdd: (type: string) => void }) {
  const [query, setQuery] = useState("");
  const groups = useMemo(() => paletteGroups(entries, query), [entries, query]);
  const showNote = query.trim() === "" || "note sticky comment".includes(query.trim().toLowerCase());
  return (
    <aside aria-label="Node palette" data-testid="palette" className="flex w-56 shrink-0 flex-col border-r border-slate-200 bg-white">
      <div className="border-b border-slate-200 p-2">
        <label htmlFor="palette-search" className="sr-only">
          Search node types
        </label>
        <input
          id="palette-search"
          type="search"
          className="field py-1"
          placeholder="Search nodes…"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
        <p className="mt-1 text-[11px] text-slate-400">Drag onto the canvas, or click to add.</p>
      </div>
      <div className="flex-1 overflow-y-auto p-2">
        {groups.length === 0 && !showNote ? <p className="px-1 text-sm text-slate-500">No node type matches “{query}”.</p> : null}
        {groups.map((group) => (
          <section key={group.category} aria-label={group.label} className="mb-3">
            <h3 className="px-1 pb-1 text-[11px] font-semibold uppercase tracking-wide text-slate-400">{group.label}</h3>
            <ul className="space-y-0.5">
              {group.entries.map((entry) => (
                <li key={entry.type}>
                  <PaletteItem type={entry.type} icon={entry.icon} title={entry.title} description={entry.description} onAdd={onAdd} />
                </li>
              ))}
            </ul>
          </section>
        ))}
        {showNote ? (
          <section aria-label="Canvas" className="mb-3">
            <h3 className="px-1 pb-1 text-[11px] font-semibold uppercase tracking-wide text-slate-400">Canvas</h3>
            <PaletteItem type={NOTE_ENTRY} icon="🗒️" title="Sticky note" description="A note for your team; never sent to anyone." onAdd={onAdd} />
          </section>
        ) : null}
      </div>
    </aside>
  );
}

function PaletteItem({ type, icon, title, description, onAdd }: { type: string; icon: string; title: string; description: string; onAdd: (type: string) => void }) {
  return (
    <button
      type="button"
      draggable
      data-testid="palette-item"
      data-node-type={type}
      title={description}
      onDragStart={(event) => {
        event.dataTransfer.setData(PALETTE_DRAG_TYPE, type);
        event.dataTransfer.effectAllowed = "copy";
      }}
      onClick={() => onAdd(type)}
      className="flex w-full cursor-grab items-center gap-2 rounded-md px-2 py-1.5 text-left text-sm text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-brand-600 active:cursor-grabbing"
    >
      <span aria-hidden className="w-5 text-center">
        {icon}
      </span>
      <span className="min-w-0 flex-1 truncate">{title}</span>
    </button>
  );
}
