// `npm run bench:compile`: validates and compiles a 1,000-node flow (target: under 50 ms),
// beside a baseline measured in the same run: parsing the same document with the flow
// schema alone. Figures are medians of repeated runs after a warm-up; the machine is
// shared and noisy, so compare the ratio, not the absolute time.
import { performance } from "node:perf_hooks";
import { compileFlow } from "@/flows/compiler";
import { flowGraphSchema, type FlowGraph } from "@/flows/schema";
import { fixed, report } from "./support";

function bigFlow(size: number): FlowGraph {
  const nodes: FlowGraph["nodes"] = [{ id: "start", type: "trigger", version: 1, config: { match: "any", keywords: [] }, position: { x: 0, y: 0 } }];
  const edges: FlowGraph["edges"] = [];
  let previous = "start";
  for (let i = 1; i < size; i++) {
    const id = `n${i}`;
    const kind = i % 4;
    const config =
      kind === 0
        ? { question: `Question ${i}, {{contact.name}}?`, variable: `answer_${i}`, timeout: "1h" }
        : kind === 1
          ? { branches: [{ id: "yes", label: "Yes", when: `vars.answer_${i - 1} == "yes"` }] }
          : { text: `Step ${i}: {{vars.answer_${i - (i % 4)} | default: 'n/a'}}` };
    const type = kind === 0 ? "ask" : kind === 1 ? "condition" : "reply";
    nodes.push({ id, type, version: 1, config, position: { x: 0, y: i * 120 } });
    edges.push({ id: `e${i}`, from: previous, port: "next", to: id });
    if (type === "condition") edges.push({ id: `e${i}y`, from: id, port: "yes", to: `n${i + 1 < size ? i + 1 : 1}` });
    previous = id;
    if (type === "condition") previous = `${id}`; // "else" continues the chain below
  }
  // Conditions continue on "else"; rewrite their "next" edges accordingly.
  for (const edge of edges) if (edge.from.startsWith("n") && nodes.find((n) => n.id === edge.from)?.type === "condition" && edge.port === "next") edge.port = "else";
  return { nodes, edges };
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function measure(body: () => void, rounds: number): number {
  for (let i = 0; i < 3; i++) body();
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    body();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

const graph = bigFlow(1_000);
const raw = JSON.parse(JSON.stringify(graph)) as unknown;
const baseline = measure(() => flowGraphSchema.parse(raw), 20);
const compile = measure(() => compileFlow(flowGraphSchema.parse(raw)), 20);

await report([
  {
    part: "compile",
    what: "1,000-node flow validated and compiled (median)",
    measure: `${fixed(compile, 2)} ms`,
    baseline: `${fixed(baseline, 2)} ms (schema parse only)`,
    ratio: `${fixed(compile / baseline)}× the parse`,
    target: "< 50 ms",
    met: compile < 50,
  },
]);
