// PostgreSQL dropping the app's idle connections (a restart, a failover, an admin's
// pg_terminate_backend) must not end the app: the pool replaces them and the next queries,
// through Prisma or plain SQL, succeed.
import pg from "pg";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { sql } from "@/server/db/sql";
import { log } from "@/server/observability/log";
import { createTestDatabase, type TestDatabase } from "../support/database";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

test("idle connections terminated by the server are replaced, and queries go on", async () => {
  const warnings = vi.spyOn(log(), "warn");
  // Open several pooled connections, then leave them idle.
  await Promise.all(Array.from({ length: 4 }, () => sql(database.db).$queryRaw`SELECT pg_sleep(0.05)`));
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  const name = new URL(database.url).pathname.slice(1);
  const { rowCount } = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [name]);
  await admin.end();
  expect(rowCount).toBeGreaterThan(0);
  await new Promise((resolve) => setTimeout(resolve, 200));

  expect(await sql(database.db).$queryRaw<{ one: number }>`SELECT 1 AS one`).toEqual([{ one: 1 }]);
  expect(await database.db.workspace.count()).toBe(0);
  // The operator reads what happened; the pg client (with its connection parameters and password) stays out of the log.
  const dropped = warnings.mock.calls.filter((call) => call[1] === "PostgreSQL dropped an idle connection");
  expect(dropped.length).toBeGreaterThan(0);
  expect(dropped[0]?.[0]).toEqual({ reason: expect.stringMatching(/terminating connection/), code: "57P01" });
});
