"use client";
import { useCallback, useEffect, useReducer, useRef } from "react";
import { canRedo, canUndo, record, redo, startHistory, undo, type History } from "./history";

/** Edits closer together than this become one undo step (a drag, a word typed). */
const COALESCE_MS = 400;

/**
 * Undo/redo over the editor's graph (as JSON text). Changes are recorded once they settle;
 * `restore` puts a snapshot back on the canvas.
 */
export function useGraphHistory(graphJson: string, restore: (json: string) => void) {
  const history = useRef<History>(startHistory(graphJson));
  const latest = useRef(graphJson);
  // True while the canvas shows a change not yet recorded.
  const unrecorded = useRef(false);
  const [, rerender] = useReducer((n: number) => n + 1, 0);

  useEffect(() => {
    latest.current = graphJson;
    if (graphJson === history.current.present) {
      unrecorded.current = false;
      return;
    }
    unrecorded.current = true;
    const timer = setTimeout(() => {
      history.current = record(history.current, graphJson);
      unrecorded.current = false;
      rerender();
    }, COALESCE_MS);
    return () => clearTimeout(timer);
  }, [graphJson]);

  const move = useCallback(
    (direction: (h: History) => History) => {
      if (unrecorded.current) {
        history.current = record(history.current, latest.current);
        unrecorded.current = false;
      }
      const next = direction(history.current);
      if (next === history.current) return;
      history.current = next;
      restore(next.present);
      rerender();
    },
    [restore],
  );

  return {
    undo: useCallback(() => move(undo), [move]),
    redo: useCallback(() => move(redo), [move]),
    canUndo: canUndo(history.current) || graphJson !== history.current.present,
    canRedo: canRedo(history.current) && graphJson === history.current.present,
  };
}
