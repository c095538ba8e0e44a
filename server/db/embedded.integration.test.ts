// The embedded PostgreSQL outlives a Parley killed without warning (SIGKILL, a closed
// terminal): the next start on the same data folder must stop that orphan and start,
// while a server whose Parley still runs is never touched.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, expect, test } from "vitest";
import { startEmbeddedDatabase, stopOrphanedPostmaster } from "./embedded";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function folder(): Promise<string> {
  const parent = await mkdtemp(path.join(tmpdir(), "parley-embedded-"));
  dirs.push(parent);
  return path.join(parent, "postgres");
}

async function query(url: string, text: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

test("a PostgreSQL left running by a killed Parley is stopped, and the next start gets the folder", { timeout: 120_000 }, async () => {
  const dir = await folder();
  const child = spawn(process.execPath, ["--import", "tsx", path.resolve("server/db/embedded-orphan.child.ts"), dir, "orphan-password"], { stdio: ["ignore", "pipe", "pipe"] });
  const orphanUrl = await new Promise<string>((resolve, reject) => {
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on("data", (chunk: Buffer) => {
      const ready = /ready (\S+)/.exec(chunk.toString());
      if (ready) resolve(ready[1]!);
    });
    child.once("exit", (code) => reject(new Error(`the child exited (${String(code)}): ${stderr.slice(-1500)}`)));
  });
  child.kill("SIGKILL");
  await new Promise((resolve) => child.once("exit", resolve));
  // Its server lives on, holding the folder.
  expect(await query(orphanUrl, "SELECT 1 AS alive")).toEqual([{ alive: 1 }]);

  const database = await startEmbeddedDatabase({ dir, password: "orphan-password" });
  try {
    expect(await query(database.serverUrl, "SELECT 1 AS alive")).toEqual([{ alive: 1 }]);
    await expect(query(orphanUrl, "SELECT 1")).rejects.toThrow();
  } finally {
    await database.stop();
  }
});

test("a PostgreSQL whose Parley still runs is left alone", { timeout: 120_000 }, async () => {
  const dir = await folder();
  const database = await startEmbeddedDatabase({ dir, password: "owned-password" });
  try {
    expect(await stopOrphanedPostmaster(dir)).toBe(false);
    expect(await query(database.serverUrl, "SELECT 1 AS alive")).toEqual([{ alive: 1 }]);
  } finally {
    await database.stop();
  }
});
