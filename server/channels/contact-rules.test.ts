import { describe, expect, test } from "vitest";
import { consentKeyword, mayReachProactively, mayStartRuns } from "./contact-rules";

const keywords = { optOutKeywords: ["STOP", "Baja"], optInKeywords: ["START"] };

describe("consent keywords", () => {
  test("a message that is exactly a keyword, in any case, with spaces or closing punctuation", () => {
    for (const text of ["stop", " STOP ", "Stop!", "stop.", "baja", "BAJA!!"]) expect(consentKeyword(keywords, text)).toBe("opt_out");
    expect(consentKeyword(keywords, "start")).toBe("opt_in");
  });

  test("a keyword inside a sentence is a sentence, not a request", () => {
    for (const text of ["please don't stop", "stop sending me the wrong size", "", null]) expect(consentKeyword(keywords, text)).toBeNull();
  });
});

describe("who the bot answers and reaches", () => {
  test("blocked numbers never start runs; with an allowlist only listed ones do", () => {
    expect(mayStartRuns({ contactRule: "everyone", allowlist: [], blocklist: ["34600000001"] }, "34600000001")).toBe(false);
    expect(mayStartRuns({ contactRule: "everyone", allowlist: [], blocklist: ["34600000001"] }, "34600000002")).toBe(true);
    expect(mayStartRuns({ contactRule: "allowlist", allowlist: ["34600000002"], blocklist: [] }, "34600000002")).toBe(true);
    expect(mayStartRuns({ contactRule: "allowlist", allowlist: ["34600000002"], blocklist: [] }, "34600000003")).toBe(false);
    expect(mayStartRuns({ contactRule: "allowlist", allowlist: ["34600000002"], blocklist: ["34600000002"] }, "34600000002")).toBe(false);
  });

  test("after an opt-out, proactive messages wait until the contact writes again", () => {
    const optedOutAt = new Date("2026-11-20T10:00:00Z");
    expect(mayReachProactively({ optedOutAt: null }, null)).toBe(true);
    expect(mayReachProactively({ optedOutAt }, optedOutAt)).toBe(false);
    expect(mayReachProactively({ optedOutAt }, new Date("2026-11-21T09:00:00Z"))).toBe(true);
  });
});
