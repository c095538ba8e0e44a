import { describe, expect, test } from "vitest";
import { runScripted } from "../testing";
import { validateFlow } from "../validator";
import { flowTemplates } from ".";
import { menuFlow } from "./menu";

describe("flow templates", () => {
  test.each(flowTemplates.map((t) => [t.id, t] as const))("%s has no errors", (_, template) => {
    expect(validateFlow(template.graph).filter((d) => d.severity === "error")).toEqual([]);
  });

  test("the menu answers a valid choice and re-asks after an invalid one", async () => {
    const run = await runScripted(menuFlow.graph, "menu", ["3", " 2 "]);
    expect(run.sent.map((m) => (m.type === "text" ? m.text : m.type))).toEqual([
      "How can I help? Reply 1 for opening hours, 2 for our address.",
      "Sorry, “3” is not on the menu.",
      "How can I help? Reply 1 for opening hours, 2 for our address.",
      "You will find us at Calle Mayor 1, Madrid.",
    ]);
    expect(run.status).toBe("completed");
  });
});
