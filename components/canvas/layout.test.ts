import { describe, expect, it } from "vitest";
import { layoutNodes } from "./layout";

const box = (id: string) => ({ id, width: 240, height: 90 });
const overlaps = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.abs(a.x - b.x) < 240 && Math.abs(a.y - b.y) < 90;

describe("auto-layout", () => {
  it("puts each step below the one leading to it, and branches side by side", () => {
    const positions = layoutNodes(
      [box("start"), box("ask"), box("yes"), box("no"), box("end")],
      [
        { source: "start", target: "ask" },
        { source: "ask", target: "yes" },
        { source: "ask", target: "no" },
        { source: "yes", target: "end" },
        { source: "no", target: "end" },
      ],
    );
    const at = (id: string) => positions.get(id)!;
    expect(at("ask").y).toBeGreaterThan(at("start").y);
    expect(at("yes").y).toBeGreaterThan(at("ask").y);
    expect(at("yes").y).toBe(at("no").y);
    expect(at("yes").x).not.toBe(at("no").x);
    expect(at("end").y).toBeGreaterThan(at("yes").y);
  });

  it("leaves no two nodes overlapping, loops and unconnected nodes included", () => {
    const nodes = Array.from({ length: 12 }, (_, i) => box(`n${i}`));
    const edges = [
      ...Array.from({ length: 8 }, (_, i) => ({ source: `n${i}`, target: `n${i + 1}` })),
      { source: "n5", target: "n2" },
      { source: "n3", target: "n3" },
      { source: "n1", target: "missing" },
    ];
    const positions = [...layoutNodes(nodes, edges).values()];
    expect(positions).toHaveLength(12);
    for (let i = 0; i < positions.length; i++) {
      for (let j = i + 1; j < positions.length; j++) expect(overlaps(positions[i]!, positions[j]!)).toBe(false);
    }
  });
});
