"use client";
import { useEffect, useMemo, useRef, useState } from "react";
import { paletteGroups, type PaletteEntry } from "./palette";

/** The small picker a port's "+" opens: choose what comes next; it is added and connected. */
export function PortPicker({
  entries,
  anchor,
  portLabel,
  onPick,
  onClose,
}: {
  entries: PaletteEntry[];
  anchor: { x: number; y: number };
  portLabel: string;
  onPick: (type: string) => void;
  onClose: () => void;
}) {
  const [query, setQuery] = useState("");
  const ref = useRef<HTMLDivElement>(null);
  const groups = useMemo(() => paletteGroups(entries, query), [entries, query]);
  const first = groups[0]?.entries[0];

  useEffect(() => {
    function away(event: PointerEvent) {
      if (ref.current && !ref.current.contains(event.target as Node)) onClose();
    }
    window.addEventListener("pointerdown", away, true);
    return () => window.removeEventListener("pointerdown", away, true);
  }, [onClose]);

  // Keep the picker on screen near the port.
  const left = Math.max(8, Math.min(anchor.x - 130, window.innerWidth - 270));
  const top = Math.max(8, Math.min(anchor.y + 6, window.innerHeight - 330));
  return (
    <div
      ref={ref}
      role="dialog"
      aria-label={`Add a node after “${portLabel}”`}
      data-testid="port-picker"
      className="fixed z-50 flex max-h-80 w-64 flex-col rounded-lg border border-slate-200 bg-white shadow-xl"
      style={{ left, top }}
      onKeyDown={(event) => {
        if (event.key === "Escape") onClose();
      }}
    >
      <div className="border-b border-slate-100 p-2">
        <p className="mb-1 text-xs text-slate-500">After “{portLabel}”:</p>
        <input
          autoFocus
          type="search"
          aria-label="Search node types"
          className="field py-1"
          placeholder="Search…"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter" && first) onPick(first.type);
          }}
        />
      </div>
      <div className="overflow-y-auto p-1">
        {groups.length === 0 ? <p className="p-2 text-sm text-slate-500">Nothing matches.</p> : null}
        {groups.map((group) => (
          <div key={group.category}>
            <div className="px-2 pt-1.5 text-[10px] font-semibold uppercase tracking-wide text-slate-400">{group.label}</div>
            {group.entries.map((entry) => (
              <button
                key={entry.type}
                type="button"
                data-testid="port-picker-item"
                data-node-type={entry.type}
                onClick={() => onPick(entry.type)}
                className="flex w-full items-center gap-2 rounded px-2 py-1 text-left text-sm text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-brand-600"
              >
                <span aria-hidden className="w-5 text-center">
                  {entry.icon}
                </span>
                {entry.title}
              </button>
            ))}
          </div>
        ))}
      </div>
    </div>
  );
}
