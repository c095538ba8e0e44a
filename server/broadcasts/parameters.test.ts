import { describe, expect, test } from "vitest";
import { bodyParametersSchema, personalise } from "./parameters";

describe("broadcast parameters", () => {
  test("fill the contact's name and number, with the fallback when the name is unknown", () => {
    const parameters = ["{{contact.name|there}}", "Order for {{ contact.phone }}"];
    expect(personalise(parameters, { name: "Ana", waId: "34600000001" })).toEqual({ ok: true, parameters: ["Ana", "Order for +34600000001"] });
    expect(personalise(parameters, { name: null, waId: "34600000001" })).toEqual({ ok: true, parameters: ["there", "Order for +34600000001"] });
  });

  test("a parameter left empty for a contact is refused with the way to fix it", () => {
    const result = personalise(["20% off", "{{contact.name}}"], { name: "  ", waId: "34600000001" });
    expect(result).toEqual({ ok: false, reason: expect.stringContaining("parameter {{2}} is empty") });
  });

  test("unknown placeholders and empty parameters are refused when the broadcast is written", () => {
    const parsed = bodyParametersSchema.safeParse(["{{contact.email}}", " "]);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => [issue.path, issue.message])).toEqual(
      expect.arrayContaining([
        [[0], "{{contact.email}} is not known: use {{contact.name}} or {{contact.phone}}"],
        [[1], "template parameters cannot be empty"],
      ]),
    );
  });
});
