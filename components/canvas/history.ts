// Undo/redo for the canvas: a bounded list of graph snapshots. Snapshots are the flow
// document as JSON text, so "nothing changed" is a string comparison and a snapshot can
// never be mutated after it is taken.

export interface History {
  past: string[];
  present: string;
  future: string[];
}

/** Snapshots kept behind the present: older ones are dropped. */
export const HISTORY_LIMIT = 100;

export function startHistory(present: string): History {
  return { past: [], present, future: [] };
}

/** The graph became `next`: the present moves into the past and the redo list is dropped. */
export function record(history: History, next: string, limit = HISTORY_LIMIT): History {
  if (next === history.present) return history;
  const past = [...history.past, history.present];
  return { past: past.length > limit ? past.slice(past.length - limit) : past, present: next, future: [] };
}

export function undo(history: History): History {
  const previous = history.past.at(-1);
  if (previous === undefined) return history;
  return { past: history.past.slice(0, -1), present: previous, future: [history.present, ...history.future] };
}

export function redo(history: History): History {
  const [next, ...rest] = history.future;
  if (next === undefined) return history;
  return { past: [...history.past, history.present], present: next, future: rest };
}

export const canUndo = (history: History) => history.past.length > 0;
export const canRedo = (history: History) => history.future.length > 0;
