import { describe, expect, test } from "vitest";
import { templateMismatches } from "./template-mismatches";

const orderUpdate = {
  bodyParameters: 2,
  header: { format: "image" as const },
  buttons: [
    { index: 0, subType: "url" as const, text: "Track", required: true },
    { index: 1, subType: "quick_reply" as const, text: "Stop", required: false },
  ],
};

describe("a reply node's parameters against its template", () => {
  test("parameters that fit the template say nothing (a quick reply's payload is optional)", () => {
    expect(templateMismatches(orderUpdate, { parameters: ["Ana", "A-42"], headerFormat: "image", buttonParameters: [{ index: 0 }] })).toEqual([]);
  });

  test("a body, header or link button the node does not fill is named, with what to do", () => {
    const mismatches = templateMismatches(orderUpdate, { parameters: ["Ana"], headerFormat: undefined, buttonParameters: [] });
    expect(mismatches).toEqual([
      { part: "body", message: "This template's body takes 2 parameters; the node gives 1. WhatsApp refuses the send until they match." },
      { part: "header", message: "This template's header takes a link to its image: pick the template again to set it up." },
      { part: "buttons", message: "Its link button needs the end of its URL: pick the template again to add it." },
    ]);
  });

  test("a header the template dropped since it was picked is called out too", () => {
    expect(templateMismatches({ bodyParameters: 0, header: null, buttons: [] }, { parameters: [], headerFormat: "text", buttonParameters: [] })).toEqual([
      { part: "header", message: "This template's header takes no parameter: pick the template again." },
    ]);
  });
});
