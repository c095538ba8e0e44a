import { describe, expect, test } from "vitest";
import trigger from ".";

const message = (text: string) => ({ id: "m", type: "text", text, replyId: null, receivedAt: new Date().toISOString() });

describe("trigger matching", () => {
  test("“any” matches every message, with the lowest specificity", () => {
    expect(trigger.trigger!.match({ match: "any", keywords: [] }, message("whatever"))).toBe(0);
  });

  test("keywords match whole words, ignoring case and punctuation, and beat “any”", () => {
    const config = { match: "keywords" as const, keywords: ["order status", "refund"] };
    expect(trigger.trigger!.match(config, message("Hi! What's my ORDER status?"))).toBe(1);
    expect(trigger.trigger!.match(config, message("REFUND please"))).toBe(1);
    expect(trigger.trigger!.match(config, message("refunded"))).toBeNull();
    expect(trigger.trigger!.match(config, message("my order"))).toBeNull();
  });
});
