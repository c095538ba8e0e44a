// `npm run bench`: every benchmark part, each in its own process (so one part's heap and
// JIT state do not colour the next), then one table of all figures beside their same-run
// baselines, printed and written to bench/results/<date>.md with the machine's description
// (added below the day's earlier runs).
// BENCH_PARTS=ingest,compile runs a subset.
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { machine, table, type BenchRow } from "./support";

const PARTS = ["ingest", "e2e", "executor", "compile", "classify", "canvas", "memory"];

const chosen = process.env.BENCH_PARTS ? process.env.BENCH_PARTS.split(",").map((part) => part.trim()) : PARTS;
const scratch = mkdtempSync(path.join(os.tmpdir(), "parley-bench-"));
const rows: BenchRow[] = [];
const notes: string[] = [];
for (const part of chosen) {
  if (!PARTS.includes(part)) throw new Error(`Unknown bench part “${part}”: choose among ${PARTS.join(", ")}.`);
  const resultsFile = path.join(scratch, `${part}.json`);
  console.log(`\n── bench:${part}`);
  const run = spawnSync(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, `${part}.ts`)], {
    stdio: "inherit",
    env: { ...process.env, BENCH_RESULTS_FILE: resultsFile },
  });
  try {
    const result = JSON.parse(readFileSync(resultsFile, "utf8")) as { rows: BenchRow[]; notes: string[] };
    rows.push(...result.rows);
    notes.push(...result.notes);
  } catch {
    notes.push(`bench:${part} failed (exit ${run.status}): no figures.`);
  }
}
rmSync(scratch, { recursive: true, force: true });

const when = new Date();
const summary = [
  `# Parley benchmarks, ${when.toISOString().slice(0, 16).replace("T", " ")} UTC`,
  "",
  `Machine: ${machine()}. Each figure stands beside a baseline measured in the same run; the machine may be shared, so read the ratios.`,
  "",
  table(rows),
  "",
  ...notes.map((note) => `- ${note}`),
  "",
].join("\n");
console.log(`\n${summary}`);
const folder = path.join(import.meta.dirname, "results");
mkdirSync(folder, { recursive: true });
const file = path.join(folder, `${when.toISOString().slice(0, 10)}.md`);
// A later run the same day is added below the earlier ones, each under its own heading.
if (existsSync(file)) appendFileSync(file, `\n${summary}`);
else writeFileSync(file, summary);
console.log(`written to ${path.relative(process.cwd(), file)}`);
