// Shared by the benchmarks: a fresh database, the machine's description, and the result
// rows every part reports (printed as a table, and collected by `npm run bench`).
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedDatabase } from "@/server/db/embedded";
import { migrate } from "@/server/db/migrate";

/** One measured figure beside its same-run baseline. */
export interface BenchRow {
  part: string;
  what: string;
  measure: string;
  baseline: string;
  /** measure ÷ baseline, said in words ("0.62× the baseline", "12 ms added"). */
  ratio: string;
  target: string;
  /** Whether the target is met; null when the row has no target. */
  met: boolean | null;
}

/** A fresh migrated database on BENCH_DATABASE_URL's server, else on an embedded PostgreSQL in a temp folder. */
export async function benchDatabase(): Promise<{ url: string; serverUrl: string; cleanup(): Promise<void> }> {
  const name = `parley_bench_${randomBytes(4).toString("hex")}`;
  let serverUrl = process.env.BENCH_DATABASE_URL;
  let stopEmbedded = async () => {};
  if (!serverUrl) {
    const dir = await mkdtemp(path.join(os.tmpdir(), "parley-bench-pg-"));
    const embedded = await startEmbeddedDatabase({ dir: path.join(dir, "pg"), password: "bench" });
    serverUrl = embedded.serverUrl;
    stopEmbedded = async () => {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  return {
    url: url.toString(),
    serverUrl,
    async cleanup() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
      await stopEmbedded();
    },
  };
}

export function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? "CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, ${os.type()} ${os.release()}, node ${process.version}`;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

export function table(rows: BenchRow[]): string {
  const header = ["part", "what", "measure", "baseline (same run)", "ratio", "target", "met"];
  const cells = rows.map((row) => [row.part, row.what, row.measure, row.baseline, row.ratio, row.target, row.met === null ? "—" : row.met ? "yes" : "no"]);
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((line) => line[i]!.length)));
  const line = (values: string[]) => `| ${values.map((value, i) => value.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...cells.map(line)].join("\n");
}

/**
 * Prints a part's rows, and hands them to `npm run bench` when it asked (BENCH_RESULTS_FILE).
 * Call once at the end of a part.
 */
export async function report(rows: BenchRow[], notes: string[] = []): Promise<void> {
  console.log(`\n${table(rows)}\n`);
  for (const note of notes) console.log(note);
  if (process.env.BENCH_RESULTS_FILE) await writeFile(process.env.BENCH_RESULTS_FILE, JSON.stringify({ rows, notes }));
}

export const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");

/** USER_HZ, the unit of /proc's CPU times: fixed by the kernel's ABI on Linux. */
const TICKS_PER_SECOND = 100;

/** A process's parent and CPU ticks (its own, and its reaped children's), from /proc; null when it is gone or /proc is absent. */
async function procStat(pid: number | string): Promise<{ parent: number; ownTicks: number; childTicks: number } | null> {
  const { readFile } = await import("node:fs/promises");
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  if (!stat) return null;
  // Fields after the command name, which is parenthesised and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
  return { parent: Number(fields[1]), ownTicks: utime! + stime!, childTicks: cutime! + cstime! };
}

/**
 * CPU time (ms, user + system) spent so far by this process's descendants, e.g. an embedded
 * PostgreSQL and its backends, ended ones included (a parent's reaped children are in its
 * own stat), except the processes in `except` and their descendants (a load generator, the
 * app's instances). Linux only: 0 elsewhere.
 */
export async function descendantsCpuMs(options: { except?: number[] } = {}): Promise<number> {
  const except = new Set(options.except);
  const { readdir } = await import("node:fs/promises");
  let pids: string[];
  try {
    pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name));
  } catch {
    return 0;
  }
  const processes = new Map<number, { parent: number; ticks: number }>();
  await Promise.all(
    pids.map(async (pid) => {
      const stat = await procStat(pid);
      if (stat) processes.set(Number(pid), { parent: stat.parent, ticks: stat.ownTicks + stat.childTicks });
    }),
  );
  const isDescendant = (pid: number): boolean => {
    if (except.has(pid)) return false;
    for (let parent = processes.get(pid)?.parent; parent; parent = processes.get(parent)?.parent) {
      if (except.has(parent)) return false;
      if (parent === process.pid) return true;
    }
    return false;
  };
  let ticks = 0;
  for (const [pid, { ticks: own }] of processes) if (isDescendant(pid)) ticks += own;
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** CPU time (ms, user + system, its threads included) one process has spent so far; 0 when it is gone or off Linux. */
export async function processCpuMs(pid: number): Promise<number> {
  const stat = await procStat(pid);
  return stat ? (stat.ownTicks * 1000) / TICKS_PER_SECOND : 0;
}
