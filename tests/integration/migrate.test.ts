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
