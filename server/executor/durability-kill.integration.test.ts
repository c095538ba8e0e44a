// Durability under SIGKILL: a child process (kill-restart.child.ts: the SDK app and an
// executor) is killed while runs sleep, wait, back off before a retry and execute steps, then
// started again on the same database. No run is lost, and no step whose result was recorded
// before the kill runs again; only a step in flight at the kill may run twice (at-least-once).
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { eventually, freePort } from "./testing";

let database: TestDatabase;
let dir: string;
let env: Record<string, string>;
let child: ChildProcess | null = null;

const WORK_RUNS = 24;

async function spawnChild(): Promise<ChildProcess> {
  // node --import tsx (not the tsx CLI, which runs the script in a grandchild): the pid we
  // SIGKILL is the process that runs the executor.
  const proc = spawn(process.execPath, ["--import", "tsx", path.resolve("server/executor/kill-restart.child.ts")], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  proc.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child not ready in time: ${stderr.slice(-2000)}`)), 60_000);
    proc.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${String(code)}): ${stderr.slice(-2000)}`));
    });
  });
  return proc;
}

async function kill(proc: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  proc.kill("SIGKILL");
  await exited;
}

async function send(events: unknown[]): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${env.EXECUTOR_PORT}/e/${env.EVENT_KEY}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(events),
  });
  expect(response.status).toBe(200);
}

function marks(): { pid: number; key: string }[] {
  return readFileSync(env.LOG_FILE!, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [pid, key] = line.split(" ");
      return { pid: Number(pid), key: key ?? "" };
    });
}

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");

beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(path.join(os.tmpdir(), "parley-kill-"));
  env = {
    DATABASE_URL: database.url,
    APP_PORT: String(await freePort()),
    EXECUTOR_PORT: String(await freePort()),
    SIGNING_KEY: `signkey-test-${randomBytes(32).toString("hex")}`,
    EVENT_KEY: `evt-${randomBytes(8).toString("hex")}`,
    LOG_FILE: path.join(dir, "steps.log"),
  };
});

afterAll(async () => {
  if (child && child.exitCode === null) await kill(child);
  await database?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("kill -9 and restart", () => {
  // Two process starts (tsx compiles the app each time): a roomy budget on a loaded machine.
  it("loses no run and repeats no recorded step", { timeout: 240_000 }, async () => {
    const db = database.db;
    child = await spawnChild();
    await send([
      { name: "kill/nap" },
      { name: "kill/ask", data: { chat: "c1" } },
      { name: "kill/flaky" },
      ...Array.from({ length: WORK_RUNS }, (_, n) => ({ name: "kill/work", data: { n } })),
    ]);
    const byFn = (id: string) => db.executorRun.findMany({ where: { functionId: `kill-${id}` } });
    // Kill while the nap sleeps, the question waits, the flaky run backs off before a retry,
    // and work runs are mid-way.
    await eventually(async () => {
      const [nap, ask, flaky] = [(await byFn("nap"))[0], (await byFn("ask"))[0], (await byFn("flaky"))[0]];
      return nap?.status === "sleeping" && ask?.status === "waiting" && flaky?.status === "queued" && flaky.attempt >= 1;
    }, 30_000);
    await kill(child);
    const killedPid = child.pid;

    // What was recorded at the moment of the kill.
    const snapshot = await db.executorRun.findMany();
    const recorded = new Map(snapshot.map((run) => [run.id, new Set(Object.keys(run.steps as object))]));
    const statusesAtKill = snapshot.map((r) => r.status);
    expect(statusesAtKill).toContain("sleeping");
    expect(statusesAtKill).toContain("waiting");
    // Work runs were in flight too (each step takes 200 ms).
    expect(snapshot.filter((r) => r.functionId === "kill-work" && r.status !== "completed").length).toBeGreaterThan(0);

    child = await spawnChild();
    await send([{ name: "kill/answer", data: { chat: "c1", text: "yes" } }]);
    await eventually(async () => (await db.executorRun.count({ where: { status: "completed" } })) === 3 + WORK_RUNS, 60_000);
    const runs = await db.executorRun.findMany();
    expect(runs).toHaveLength(3 + WORK_RUNS);
    expect(runs.filter((r) => r.status !== "completed")).toEqual([]);
    expect(runs.find((r) => r.functionId === "kill-ask")?.output).toBe("yes");

    const log = marks();
    const count = (key: string) => log.filter((m) => m.key === key).length;
    expect([count("nap:before"), count("nap:after"), count("ask:c1:question"), count("ask:c1:thanks"), count("flaky:first")]).toEqual([
      1, 1, 1, 1, 1,
    ]);
    // The retried step ran once per attempt: two failures, then success.
    expect(log.filter((m) => m.key.startsWith("flaky:shaky:")).map((m) => m.key)).toEqual([
      "flaky:shaky:0",
      "flaky:shaky:1",
      "flaky:shaky:2",
    ]);
    // Work steps: every step ran; a step recorded before the kill never ran in the new process.
    const restartedPid = child.pid;
    for (const run of runs.filter((r) => r.functionId === "kill-work")) {
      const n = (run.event as { data: { n: number } }).data.n;
      for (const name of ["one", "two", "three"]) {
        const executions = log.filter((m) => m.key === `work:${n}:${name}`);
        expect(executions.length).toBeGreaterThanOrEqual(1);
        expect(executions.length).toBeLessThanOrEqual(2); // at most one re-run, of the step in flight
        if (recorded.get(run.id)?.has(sha1(name))) {
          expect(executions.filter((m) => m.pid === restartedPid)).toEqual([]);
          expect(executions.every((m) => m.pid === killedPid)).toBe(true);
        }
      }
    }
  });
});
