import { describe, expect, it } from "vitest";
import { nodeDefinitions } from "@/flows/registry";
import { paletteGroups, type PaletteEntry } from "./palette";

const entry = (type: string, category: string, title: string, description = ""): PaletteEntry => ({ type, category, title, description, icon: "•" });

describe("palette", () => {
  it("groups the registry's node types by category, triggers first", () => {
    const groups = paletteGroups(nodeDefinitions());
    expect(groups[0]!.label).toBe("Triggers");
    const listed = groups.flatMap((group) => group.entries.map((e) => e.type)).sort();
    expect(listed).toEqual(nodeDefinitions().map((d) => d.type).sort());
    for (const group of groups) expect(group.entries.every((e) => e.category === group.category)).toBe(true);
  });

  it("puts a node package's own category after the known ones", () => {
    const groups = paletteGroups([entry("crm_lookup", "crm", "CRM contact"), entry("reply", "message", "Send a message"), entry("x", "ai", "Classify")]);
    expect(groups.map((g) => g.label)).toEqual(["Messages", "AI", "Crm"]);
  });

  it("finds entries by any word of their title or description, ignoring case and accents", () => {
    const entries = [entry("ask", "message", "Ask a question", "Sends a question and waits for the answer"), entry("http", "data", "HTTP request", "Calls an API")];
    expect(paletteGroups(entries, "WAITS answer").flatMap((g) => g.entries.map((e) => e.type))).toEqual(["ask"]);
    expect(paletteGroups(entries, "api").flatMap((g) => g.entries.map((e) => e.type))).toEqual(["http"]);
    expect(paletteGroups([entry("menu", "message", "Menú")], "menu")).toHaveLength(1);
    expect(paletteGroups(entries, "nothing like this")).toEqual([]);
  });
});
