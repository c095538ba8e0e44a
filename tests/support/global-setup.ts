// Starts one embedded PostgreSQL for the whole test run unless TEST_DATABASE_URL names a
// server to use instead. Each test file then creates its own database on it.
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "@/server/db/embedded";

declare module "vitest" {
  export interface ProvidedContext {
    testDatabaseServerUrl: string;
  }
}

let embedded: EmbeddedDatabase | undefined;

export async function setup(project: TestProject) {
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    embedded = await startEmbeddedDatabase({
      dir: path.join(process.cwd(), ".test-data", "postgres"),
      password: "parley-tests",
    });
    serverUrl = embedded.serverUrl;
  }
  project.provide("testDatabaseServerUrl", serverUrl);
}

export async function teardown() {
  await embedded?.stop();
}
