import { expect, test } from "vitest";
import { parseResponsePath, readResponsePath } from "./response-path";

const document = { data: { items: [{ id: "a1", tags: ["x", "y"] }], total: 0, empty: null }, "kebab-key": true };

test.each([
  ["data.items[0].id", "a1"],
  ["data.items[0].tags[1]", "y"],
  ["data.total", 0],
  ["data.empty", null],
  ["kebab-key", true],
  ["data.items", [{ id: "a1", tags: ["x", "y"] }]],
])("%s reads %j", (path, expected) => {
  expect(readResponsePath(document, parseResponsePath(path)!)).toEqual(expected);
});

test("paths that lead nowhere read undefined, including into the prototype", () => {
  for (const path of ["data.items[1].id", "data.missing.id", "data.total.x", "data.items.id", "constructor", "data.__proto__", "data.items[0].tags.length"]) {
    expect(readResponsePath(document, parseResponsePath(path)!), path).toBeUndefined();
  }
});

test("an array at the root is read by index", () => {
  expect(readResponsePath([{ name: "first" }], parseResponsePath("[0].name")!)).toBe("first");
});

test.each(["", ".data", "data.", "data..id", "data[x]", "data[-1]", "data items", "data[0"])("“%s” is not a path", (path) => {
  expect(parseResponsePath(path)).toBeNull();
});
