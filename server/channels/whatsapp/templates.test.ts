import { expect, test } from "vitest";
import { bodyParameterCount } from "./templates";

test("a template body's parameters are its distinct placeholders, numbered or named", () => {
  expect(bodyParameterCount("Hi {{1}}, order {{2}} ships {{3}}.")).toBe(3);
  expect(bodyParameterCount("Reply {{1}} or call {{1}}")).toBe(1);
  expect(bodyParameterCount("Hello {{ first_name }}, your code is {{code}}")).toBe(2);
  expect(bodyParameterCount("No parameters")).toBe(0);
  expect(bodyParameterCount(undefined)).toBe(0);
});
