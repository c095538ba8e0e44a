import { describe, expect, test } from "vitest";
import { renderTemplate, templateError, templateVariables } from "./template";

const scope = {
  contact: { name: "Ana", waId: "34600000001" },
  message: { text: "hola" },
  vars: { order_id: "A-17", empty: "" },
  nodes: { ask_name: { answer: "Ana María" } },
};

describe("templates", () => {
  test("fills contact, message, vars and earlier nodes' outputs", () => {
    expect(renderTemplate("Hi {{contact.name}}, you said {{message.text}} about {{vars.order_id}} ({{nodes.ask_name.answer}})", scope)).toBe(
      "Hi Ana, you said hola about A-17 (Ana María)",
    );
  });

  test("renders a missing variable as empty, and `default` replaces it", () => {
    expect(renderTemplate("[{{vars.nope}}]", scope)).toBe("[]");
    expect(renderTemplate("{{vars.nope | default: 'friend'}} / {{vars.empty | default: 'none'}}", scope)).toBe("friend / none");
  });

  test("has upper and lower filters", () => {
    expect(renderTemplate("{{contact.name | upper}} {{vars.order_id | lower}}", scope)).toBe("ANA a-17");
  });

  test("does not interpret text without template markers", () => {
    expect(renderTemplate("50% off {not a tag}", scope)).toBe("50% off {not a tag}");
  });

  test("does not execute anything hostile", () => {
    expect(renderTemplate("{{ contact.constructor.constructor }}", scope)).toBe("");
  });

  test("lists the variables a template reads, for design-time checks", () => {
    expect(templateVariables("{{contact.name}} {{vars.x | default: vars.y}}").sort()).toEqual(["contact.name", "vars.x", "vars.y"]);
  });

  test("reports a malformed template or an unknown filter", () => {
    expect(templateError("Hi {{contact.name")).toMatch(/.+/);
    expect(templateError("{{contact.name | shout}}")).toMatch(/shout/);
    expect(templateError("Hi {{contact.name}}")).toBeNull();
  });
});
