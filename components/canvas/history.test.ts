import { describe, expect, it } from "vitest";
import { canRedo, canUndo, record, redo, startHistory, undo } from "./history";

describe("canvas history", () => {
  it("undoes and redoes edits in order", () => {
    let history = startHistory("a");
    history = record(history, "b");
    history = record(history, "c");
    history = undo(history);
    expect(history.present).toBe("b");
    history = undo(history);
    expect(history.present).toBe("a");
    expect(canUndo(history)).toBe(false);
    history = redo(history);
    expect(history.present).toBe("b");
    history = redo(history);
    expect(history.present).toBe("c");
    expect(canRedo(history)).toBe(false);
  });

  it("drops what could be redone once a new edit is made", () => {
    let history = record(record(startHistory("a"), "b"), "c");
    history = undo(history);
    history = record(history, "d");
    expect(canRedo(history)).toBe(false);
    expect(undo(history).present).toBe("b");
  });

  it("records nothing when the graph did not change", () => {
    const history = record(startHistory("a"), "a");
    expect(canUndo(history)).toBe(false);
  });

  it("keeps only the newest snapshots when the limit is reached", () => {
    let history = startHistory("0");
    for (let i = 1; i <= 10; i++) history = record(history, String(i), 3);
    expect(history.past).toEqual(["7", "8", "9"]);
    history = undo(undo(undo(history)));
    expect(history.present).toBe("7");
    expect(canUndo(history)).toBe(false);
  });

  it("undo and redo with nothing to undo or redo leave the history as it is", () => {
    const history = startHistory("a");
    expect(undo(history)).toBe(history);
    expect(redo(history)).toBe(history);
  });
});
