import { describe, expect, test } from "vitest";
import { twilioError } from "./errors";

describe("Twilio error codes", () => {
  test("its rate limits are retried: 20429 from the API, 30001 from the queue, 63018 from the WhatsApp sender", () => {
    expect(twilioError(20429, "Too Many Requests")).toMatchObject({ kind: "rate_limit", retriable: true, title: "Too Many Requests" });
    expect(twilioError(30001, null)).toMatchObject({ kind: "throughput", retriable: true });
    expect(twilioError(63018, "Account exceeded the 1 rps rate limit")).toMatchObject({ kind: "throughput", retriable: true, meaning: expect.stringMatching(/this contact/) });
  });

  test("the closed window, the sandbox, the trial's daily limit and template mismatches are not retried, and say what to do", () => {
    expect(twilioError(63016, null)).toMatchObject({ kind: "window_closed", retriable: false });
    expect(twilioError(63015, null)).toMatchObject({ kind: "recipient", retriable: false, meaning: expect.stringMatching(/join/) });
    expect(twilioError(63038, null)).toMatchObject({ kind: "account", retriable: false, meaning: expect.stringMatching(/24 hours/) });
    expect(twilioError(63028, null)).toMatchObject({ kind: "template", retriable: false });
  });

  test("an unknown code, or none, is still recorded, as unknown", () => {
    expect(twilioError(99999, "Something new")).toEqual({ code: 99999, kind: "unknown", meaning: "Twilio error 99999.", title: "Something new", details: null, retriable: false });
    expect(twilioError(null, null)).toMatchObject({ code: null, kind: "unknown", retriable: false });
  });
});
