// Time as the channel layer reads and spends it: pacing and retry backoff wait on it, so
// tests drive them with a fake clock instead of real seconds.
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
