// A clock for tests of pacing and backoff: sleeping moves time forward at once and is
// recorded, so a test reads how long the code would have waited without waiting.
import type { Clock } from "@/server/channels/clock";

export interface FakeClock extends Clock {
  /** Every sleep asked for, in ms, in order. */
  sleeps: number[];
  advance(ms: number): void;
}

export function fakeClock(start = Date.UTC(2026, 0, 1, 12)): FakeClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms) => {
      now += ms;
    },
    sleeps,
  };
}
