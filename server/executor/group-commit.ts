// Group commit: calls made while a batch is being written wait for the next batch, which
// takes all of them in one transaction; a call made while nothing is being written starts its
// batch at once, so a lone call waits for nothing. Under load, N concurrent calls cost one
// transaction instead of N.

/**
 * Wraps `commit` (which takes a batch and returns one result per call, in order). When a
 * batch of several fails, each of its calls is committed again on its own, so that one bad
 * call fails alone.
 */
export function groupCommit<Call, Result>(commit: (calls: Call[]) => Promise<Result[]>): (call: Call) => Promise<Result> {
  let waiting: { call: Call; resolve: (result: Result) => void; reject: (error: unknown) => void }[] = [];
  let writing = false;

  const settle = async (batch: typeof waiting) => {
    try {
      const results = await commit(batch.map((item) => item.call));
      batch.forEach((item, index) => item.resolve(results[index] as Result));
    } catch (error) {
      if (batch.length === 1) batch[0]?.reject(error);
      else for (const item of batch) await settle([item]);
    }
  };

  const drain = async () => {
    writing = true;
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      await settle(batch);
    }
    writing = false;
  };

  return (call) =>
    new Promise<Result>((resolve, reject) => {
      waiting.push({ call, resolve, reject });
      if (!writing) void drain();
    });
}
