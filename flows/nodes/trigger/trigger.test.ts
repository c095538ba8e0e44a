import { describe, expect, test } from "vitest";
import { validateFlow } from "../../validator";
import trigger from ".";

const message = (text: string, replyId: string | null = null) => ({ id: "m", type: "text", text, replyId, receivedAt: new Date().toISOString() });
const later = { firstMessage: false };
const base = { keywords: [], pattern: "", replyIds: [], priority: 0 };
const behaviour = trigger.trigger!;
if (behaviour.kind !== "message") throw new Error("the trigger node starts flows on messages");
const match = (config: Partial<Parameters<typeof trigger.run>[0]["config"]>, text: string, situation = later, replyId: string | null = null) =>
  behaviour.match({ ...base, match: "any", ...config }, message(text, replyId), situation);

describe("trigger matching", () => {
  test("“any” matches every message, with the lowest specificity", () => {
    expect(match({ match: "any" }, "whatever")).toBe(0);
  });

  test("keywords match whole words and phrases, ignoring case and punctuation", () => {
    const config = { match: "keywords" as const, keywords: ["order status", "refund"] };
    expect(match(config, "Hi! What's my ORDER status?")).toBe(2);
    expect(match(config, "REFUND please")).toBe(2);
    expect(match(config, "refunded")).toBeNull();
    expect(match(config, "status of my order")).toBeNull();
  });

  test("“first” matches only a conversation's first message", () => {
    expect(match({ match: "first" }, "hello", { firstMessage: true })).toBe(1);
    expect(match({ match: "first" }, "hello", later)).toBeNull();
  });

  test("a pattern is tested case-insensitively", () => {
    expect(match({ match: "regex", pattern: "^order\\s+#?\\d{4,}$" }, "Order #12345")).toBe(2);
    expect(match({ match: "regex", pattern: "^order\\s+#?\\d{4,}$" }, "my order 12345")).toBeNull();
  });

  test("a button or list choice matches by its id", () => {
    expect(match({ match: "reply", replyIds: ["book", "cancel"] }, "Book a table", later, "book")).toBe(3);
    expect(match({ match: "reply", replyIds: ["book"] }, "book", later, null)).toBeNull();
  });

  test("priority outranks specificity", () => {
    expect(match({ match: "any", priority: 1 }, "x")!).toBeGreaterThan(match({ match: "reply", replyIds: ["a"] }, "x", later, "a")!);
  });

  test("configs saved before these options existed still parse", () => {
    expect(trigger.config.parse({ match: "keywords", keywords: ["hi"] })).toMatchObject({ match: "keywords", keywords: ["hi"], priority: 0 });
  });

  test("an invalid pattern or an empty keyword list is a diagnostic on the trigger", () => {
    const flow = (config: Record<string, unknown>) => ({ nodes: [{ id: "start", type: "trigger", version: 1, config, position: { x: 0, y: 0 } }], edges: [] });
    expect(validateFlow(flow({ match: "any" }))).toEqual([]);
    expect(validateFlow(flow({ match: "regex", pattern: "(" }))).toContainEqual(
      expect.objectContaining({ nodeId: "start", message: expect.stringMatching(/^pattern: not a valid pattern/) }),
    );
    expect(validateFlow(flow({ match: "keywords", keywords: [] }))).toContainEqual(
      expect.objectContaining({ nodeId: "start", message: "keywords: add at least one keyword" }),
    );
  });
});
