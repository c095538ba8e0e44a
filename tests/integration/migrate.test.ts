import { afterAll, beforeAll, expect, test } from "vitest";
import { migrate } from "@/server/db/migrate";
import { createTestDatabase, type TestDatabase } from "../support/database";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

test("migrating an up-to-date database applies nothing and keeps the data", async () => {
  const workspace = await database.db.workspace.create({ data: { name: "Acme", slug: "acme" } });
  expect(await migrate(database.url)).toEqual({ applied: [] });
  expect(await database.db.workspace.findUnique({ where: { id: workspace.id } })).not.toBeNull();
});

test("a published FlowVersion's graph cannot be changed", async () => {
  const workspace = await database.db.workspace.create({ data: { name: "Versions", slug: "versions" } });
  const flow = await database.db.flow.create({ data: { workspaceId: workspace.id, name: "F", draft: { nodes: [], edges: [] } } });
  const version = await database.db.flowVersion.create({ data: { flowId: flow.id, number: 1, graph: { nodes: [], edges: [] } } });
  await expect(
    database.db.flowVersion.update({ where: { id: version.id }, data: { graph: { nodes: [{ id: "x" }], edges: [] } } }),
  ).rejects.toThrow(/immutable/);
  const unchanged = await database.db.flowVersion.findUniqueOrThrow({ where: { id: version.id } });
  expect(unchanged.graph).toEqual({ nodes: [], edges: [] });
});

test("a failing migration is rolled back whole and not recorded", async () => {
  const { mkdtemp, mkdir, writeFile } = await import("node:fs/promises");
  const os = await import("node:os");
  const path = await import("node:path");
  const dir = await mkdtemp(path.join(os.tmpdir(), "parley-migrations-"));
  await mkdir(path.join(dir, "001_good"));
  await writeFile(path.join(dir, "001_good", "migration.sql"), 'CREATE TABLE "Good" (id int);');
  await mkdir(path.join(dir, "002_bad"));
  await writeFile(path.join(dir, "002_bad", "migration.sql"), 'CREATE TABLE "Half" (id int);\nSELECT * FROM "NoSuchTable";');
  const scratch = await createTestDatabase();
  try {
    await expect(migrate(scratch.url, dir)).rejects.toThrow(/002_bad failed and was rolled back/);
    const tables = await scratch.db.$queryRaw<{ name: string }[]>`SELECT table_name::text AS name FROM information_schema.tables WHERE table_name IN ('Good', 'Half')`;
    expect(tables.map((t) => t.name)).toEqual(["Good"]);
    const recorded = await scratch.db.$queryRaw<{ name: string }[]>`SELECT migration_name AS name FROM "_prisma_migrations" WHERE migration_name LIKE '00%'`;
    expect(recorded.map((r) => r.name)).toEqual(["001_good"]);
  } finally {
    await scratch.drop();
  }
});
