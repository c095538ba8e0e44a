import { describe, expect, it } from "vitest";
import { groupCommit } from "./group-commit";

/** A commit that records each batch it is given and waits until released. */
function recordingCommit() {
  const batches: number[][] = [];
  let release: () => void = () => {};
  let gate = new Promise<void>((resolve) => (release = resolve));
  const commit = async (calls: number[]) => {
    batches.push(calls);
    await gate;
    if (calls.includes(13) && calls.length > 1) throw new Error("batch refused");
    if (calls.includes(13)) throw new Error("13 refused");
    return calls.map((n) => n * 10);
  };
  return {
    batches,
    commit,
    open() {
      release();
      gate = Promise.resolve();
    },
  };
}

describe("groupCommit", () => {
  it("commits a lone call at once, and the calls made meanwhile together in the next batch", async () => {
    const recorder = recordingCommit();
    const send = groupCommit(recorder.commit);
    const first = send(1);
    const later = [send(2), send(3), send(4)];
    expect(recorder.batches).toEqual([[1]]);
    recorder.open();
    expect(await first).toBe(10);
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
    expect(recorder.batches).toEqual([[1], [2, 3, 4]]);
  });

  it("fails only the call that fails alone when its batch is refused", async () => {
    const recorder = recordingCommit();
    const send = groupCommit(recorder.commit);
    const first = send(1);
    const batch = [send(12), send(13), send(14)].map((result) => result.then((value) => ({ value }), (error: Error) => ({ error: error.message })));
    recorder.open();
    await first;
    expect(await Promise.all(batch)).toEqual([{ value: 120 }, { error: "13 refused" }, { value: 140 }]);
    expect(recorder.batches).toEqual([[1], [12, 13, 14], [12], [13], [14]]);
  });
});
