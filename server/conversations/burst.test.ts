import { afterEach, describe, expect, test } from "vitest";
import { burstWindow, mergeBurst } from "./burst";

const message = (id: string, text: string | null, type = "text", replyId: string | null = null) => ({ id, type, text, replyId, receivedAt: `2026-01-01T00:00:0${id}Z` });

describe("bursts", () => {
  afterEach(() => {
    delete process.env.PARLEY_BURST_WINDOW;
  });

  test("are merged into one message: texts in order, the last message's identity", () => {
    expect(mergeBurst([message("1", "hi"), message("2", "I need"), message("3", "my order")])).toEqual({
      id: "3",
      type: "text",
      text: "hi\nI need\nmy order",
      replyId: null,
      receivedAt: "2026-01-01T00:00:03Z",
    });
  });

  test("keep the last choice and skip messages without text", () => {
    expect(mergeBurst([message("1", "size"), message("2", null, "sticker"), message("3", "Medium", "interactive", "m")])).toMatchObject({
      id: "3",
      type: "interactive",
      text: "size\nMedium",
      replyId: "m",
    });
  });

  test("are off unless PARLEY_BURST_WINDOW names a number of seconds", () => {
    expect(burstWindow()).toBeNull();
    process.env.PARLEY_BURST_WINDOW = "0";
    expect(burstWindow()).toBeNull();
    process.env.PARLEY_BURST_WINDOW = "2s";
    expect(burstWindow()).toBe("2s");
    process.env.PARLEY_BURST_WINDOW = "soon";
    expect(() => burstWindow()).toThrow(/number of seconds/);
  });
});
