import { expect, test } from "vitest";
import { renderFamilies } from "./metrics";

test("renders Prometheus text: help, type, escaped labels, and no sample for an unknown value", () => {
  expect(
    renderFamilies([
      { name: "parley_x", help: "An example.", type: "gauge", samples: [{ labels: { name: 'a "quoted"\nname\\' }, value: 3 }, { value: null }] },
      { name: "parley_y_total", help: "Another.", type: "counter", samples: [{ value: 7 }] },
    ]),
  ).toBe(
    [
      "# HELP parley_x An example.",
      "# TYPE parley_x gauge",
      'parley_x{name="a \\"quoted\\"\\nname\\\\"} 3',
      "# HELP parley_y_total Another.",
      "# TYPE parley_y_total counter",
      "parley_y_total 7",
      "",
    ].join("\n"),
  );
});
