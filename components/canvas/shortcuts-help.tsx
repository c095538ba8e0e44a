"use client";
import { useEffect, useRef } from "react";

const MOD = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform) ? "⌘" : "Ctrl";

export const SHORTCUTS: [keys: string, what: string][] = [
  [`${MOD}+S`, "Save now (the draft also saves by itself)"],
  [`${MOD}+Z`, "Undo"],
  [`${MOD}+Shift+Z  or  ${MOD}+Y`, "Redo"],
  [`${MOD}+C  /  ${MOD}+X  /  ${MOD}+V`, "Copy, cut, paste the selected nodes"],
  [`${MOD}+A`, "Select everything"],
  ["Shift+drag on the canvas", "Select with a box"],
  [`Shift+click  or  ${MOD}+click`, "Add a node to the selection"],
  ["Delete  or  Backspace", "Delete the selection (asks first when it matters)"],
  ["Shift+L", "Tidy up: lay the flow out automatically"],
  ["Shift+F", "Zoom to fit the whole flow"],
  ["N", "Add a sticky note"],
  ["?", "Show or hide this list"],
];

/** The "?" popover listing the canvas's keyboard shortcuts. */
export function ShortcutsHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    function away(event: PointerEvent) {
      const target = event.target as HTMLElement;
      if (ref.current && !ref.current.contains(target) && !target.closest("[data-shortcuts-toggle]")) onClose();
    }
    function escape(event: KeyboardEvent) {
      if (event.key === "Escape") onClose();
    }
    window.addEventListener("pointerdown", away, true);
    window.addEventListener("keydown", escape);
    return () => {
      window.removeEventListener("pointerdown", away, true);
      window.removeEventListener("keydown", escape);
    };
  }, [open, onClose]);
  if (!open) return null;
  return (
    <div ref={ref} role="dialog" aria-label="Keyboard shortcuts" data-testid="shortcuts-help" className="absolute right-4 top-14 z-40 w-96 rounded-lg border border-slate-200 bg-white p-4 shadow-xl">
      <h2 className="mb-2 text-sm font-semibold text-slate-900">Keyboard shortcuts</h2>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5 text-sm">
        {SHORTCUTS.map(([keys, what]) => (
          <div key={keys} className="contents">
            <dt className="whitespace-nowrap font-mono text-xs text-slate-700">{keys}</dt>
            <dd className="text-slate-600">{what}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
