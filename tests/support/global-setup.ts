// Starts one embedded PostgreSQL for the whole test run unless TEST_DATABASE_URL names a
// server to use instead. Each test file then creates its own database on it.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "@/server/db/embedded";

declare module "vitest" {
  export interface ProvidedContext {
    testDatabaseServerUrl: string;
  }
}

let embedded: EmbeddedDatabase | undefined;
let dataDir: string | undefined;

export async function setup(project: TestProject) {
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    // A fresh cluster per run: concurrent runs cannot share one data folder.
    dataDir = await mkdtemp(path.join(os.tmpdir(), "parley-test-pg-"));
    await chmod(dataDir, 0o755); // PostgreSQL runs as its own user when tests run as root
    embedded = await startEmbeddedDatabase({
      dir: path.join(dataDir, "postgres"),
      password: "parley-tests",
    });
    serverUrl = embedded.serverUrl;
  }
  project.provide("testDatabaseServerUrl", serverUrl);
}

export async function teardown() {
  await embedded?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
