import { RateLimiterMemory } from "rate-limiter-flexible";
import { describe, expect, test } from "vitest";
import { clientAddress, overLimit, tooManyRequests } from "./rate-limits";

describe("rate limits", () => {
  test("a caller over its budget waits, others are unaffected", async () => {
    const limiter = new RateLimiterMemory({ points: 3, duration: 60 });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await overLimit(limiter, "user-a"));
    expect(results.slice(0, 3)).toEqual([null, null, null]);
    expect(results[3]).toBeGreaterThan(50);
    expect(await overLimit(limiter, "user-b")).toBeNull();
  });

  test("the 429 names when to come back", async () => {
    const response = tooManyRequests(12, "events with this key");
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("12");
    expect(await response.json()).toEqual({ error: "Too many events with this key: try again in 12 s." });
  });

  test("the client address is the first hop of X-Forwarded-For", () => {
    expect(clientAddress(new Headers({ "x-forwarded-for": "203.0.113.7, 10.0.0.1" }))).toBe("203.0.113.7");
    expect(clientAddress(new Headers())).toBe("local");
  });
});
