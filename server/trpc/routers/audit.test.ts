import { describe, expect, test } from "vitest";
import { csvCell } from "./audit";

describe("audit CSV cells", () => {
  test("quotes commas, quotes and line breaks", () => {
    expect(csvCell('{"a":1,"b":"x"}')).toBe('"{""a"":1,""b"":""x""}"');
    expect(csvCell("plain")).toBe("plain");
  });

  test("a cell that a spreadsheet would run as a formula is neutralised", () => {
    expect(csvCell("=HYPERLINK(\"http://evil\")")).toBe("\"'=HYPERLINK(\"\"http://evil\"\")\"");
    expect(csvCell("+34600000001")).toBe("'+34600000001");
  });
});
