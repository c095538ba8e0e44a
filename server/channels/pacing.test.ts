import { describe, expect, test } from "vitest";
import { PAIR_RATE, sendTime, throughputRule } from "./pacing";

/** Plays `count` sends all asked for at `now`, reserving as the database does; returns when each may go. */
function play(count: number, now: number, rule: { intervalMs: number; burst: number }): number[] {
  let reservedUntil = 0;
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    reservedUntil = Math.max(reservedUntil, now) + rule.intervalMs;
    times.push(sendTime(reservedUntil, now, rule));
  }
  return times;
}

describe("pacing rules", () => {
  test("to one contact 45 messages go at once, then one every 6 seconds (Meta's pair rate)", () => {
    const times = play(48, 1_000, PAIR_RATE);
    expect(times.slice(0, 45).every((t) => t === 1_000)).toBe(true);
    expect(times.slice(45)).toEqual([7_000, 13_000, 19_000]);
  });

  test("a number's sends are spaced evenly, never faster than its messages per second", () => {
    expect(throughputRule(80)).toEqual({ intervalMs: 13, burst: 1 });
    expect(throughputRule(1000)).toEqual({ intervalMs: 1, burst: 1 });
    const times = play(81, 0, throughputRule(80));
    expect(times.filter((t) => t < 1000).length).toBeLessThanOrEqual(80);
  });

  test("after a quiet spell the burst is available again", () => {
    let reservedUntil = 0;
    for (let i = 0; i < 45; i++) reservedUntil = Math.max(reservedUntil, 0) + PAIR_RATE.intervalMs;
    const later = 45 * PAIR_RATE.intervalMs;
    const next = Math.max(reservedUntil, later) + PAIR_RATE.intervalMs;
    expect(sendTime(next, later, PAIR_RATE)).toBe(later);
  });
});
