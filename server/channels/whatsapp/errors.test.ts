import { describe, expect, test } from "vitest";
import { deliveryError, errorMeaning } from "./errors";

describe("WhatsApp error codes", () => {
  test("the window, throughput and pair rate errors are named, and only the latter two are retried", () => {
    expect(errorMeaning(131047)).toMatchObject({ kind: "window_closed", retriable: false });
    expect(errorMeaning(130429)).toMatchObject({ kind: "throughput", retriable: true });
    expect(errorMeaning(131056)).toMatchObject({ kind: "pair_rate", retriable: true });
    expect(errorMeaning(80007)).toMatchObject({ kind: "rate_limit", retriable: true });
    expect(errorMeaning(132001)).toMatchObject({ kind: "template", retriable: false });
  });

  test("a failed status's error keeps Meta's title and details beside its meaning", () => {
    const error = deliveryError({
      code: 131047,
      title: "Re-engagement message",
      message: "Re-engagement message",
      error_data: { details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number." },
    });
    expect(error).toEqual({
      code: 131047,
      kind: "window_closed",
      meaning: expect.stringMatching(/only an approved template/),
      title: "Re-engagement message",
      details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
      retriable: false,
    });
  });

  test("an unknown code or an unreadable error is still recorded, as unknown", () => {
    expect(deliveryError({ code: 999999, message: "Something new" })).toMatchObject({ code: 999999, kind: "unknown", meaning: "WhatsApp error 999999.", title: "Something new" });
    expect(deliveryError("garbage")).toMatchObject({ code: null, kind: "unknown", retriable: false });
  });
});
