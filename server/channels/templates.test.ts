import { expect, test } from "vitest";
import { bodyParameterCount, templateParameters } from "./templates";

test("a template body's parameters are its distinct placeholders, numbered or named", () => {
  expect(bodyParameterCount("Hi {{1}}, order {{2}} ships {{3}}.")).toBe(3);
  expect(bodyParameterCount("Reply {{1}} or call {{1}}")).toBe(1);
  expect(bodyParameterCount("Hello {{ first_name }}, your code is {{code}}")).toBe(2);
  expect(bodyParameterCount("No parameters")).toBe(0);
  expect(bodyParameterCount(undefined)).toBe(0);
});

test("a template's header and buttons say which parameters a send must give them", () => {
  const components = [
    { type: "HEADER", format: "IMAGE", example: { header_handle: ["https://scontent.example/abc"] } },
    { type: "BODY", text: "Hi {{1}}, your parcel is on its way." },
    {
      type: "BUTTONS",
      buttons: [
        { type: "URL", text: "Track it", url: "https://shop.example/track/{{1}}" },
        { type: "URL", text: "Our shop", url: "https://shop.example" },
        { type: "QUICK_REPLY", text: "Stop promotions" },
        { type: "PHONE_NUMBER", text: "Call us", phone_number: "+34600000000" },
      ],
    },
  ];
  expect(templateParameters(components)).toEqual({
    header: { format: "image" },
    buttons: [
      { index: 0, subType: "url", text: "Track it", required: true },
      { index: 2, subType: "quick_reply", text: "Stop promotions", required: false },
    ],
  });
  expect(templateParameters([{ type: "HEADER", format: "TEXT", text: "Order {{1}}" }]).header).toEqual({ format: "text" });
  expect(templateParameters([{ type: "HEADER", format: "TEXT", text: "Spring offer" }]).header).toBeNull();
  expect(templateParameters("not components")).toEqual({ header: null, buttons: [] });
});
