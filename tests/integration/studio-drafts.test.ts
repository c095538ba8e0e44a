// Two people editing one flow: a save based on an old revision is refused and says who
// changed the flow and when; the canvas's status poll sees it before anyone saves.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { flowTemplate } from "@/flows/templates";
import type { Viewer } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { seed } from "@/server/db/seed";
import { appRouter } from "@/server/trpc/root";
import { createTestDatabase, type TestDatabase } from "../support/database";

let database: TestDatabase;
let admin: Viewer;
let ana: Viewer;
beforeAll(async () => {
  process.env.PARLEY_SECRET_KEY ??= randomBytes(32).toString("base64url");
  database = await createTestDatabase();
  process.env.DATABASE_URL = database.url;
  await seed(db(), { internalUrl: "http://127.0.0.1:1" });
  const membership = await db().membership.findFirstOrThrow({ include: { user: true } });
  admin = { userId: membership.userId, email: membership.user.email, workspaceId: membership.workspaceId, role: "owner" };
  const user = await db().user.create({ data: { email: "ana@example.com", name: "Ana", passwordHash: "x" } });
  await db().membership.create({ data: { workspaceId: membership.workspaceId, userId: user.id, role: "editor" } });
  ana = { userId: user.id, email: user.email, workspaceId: membership.workspaceId, role: "editor" };
});
afterAll(async () => {
  await db().$disconnect();
  await database.drop();
});

test("a save over someone else's newer save is refused, naming them; overwriting with their revision works", async () => {
  const asAdmin = appRouter.createCaller({ viewer: admin });
  const asAna = appRouter.createCaller({ viewer: ana });
  const { id } = await asAdmin.flows.create({ name: "Shared", templateId: "welcome" });
  const opened = await asAdmin.flows.get({ id });
  expect(opened.savedBy).toBeNull();

  const graph = flowTemplate("welcome")!.graph;
  const moved = { ...graph, nodes: graph.nodes.map((node, index) => (index === 0 ? { ...node, position: { x: 500, y: 500 } } : node)) };
  const anaSaved = await asAna.flows.saveDraft({ id, revision: opened.revision, graph: moved });
  expect(anaSaved.revision).toBe(opened.revision + 1);

  // The admin's canvas polls the status and learns who saved, and when.
  const status = await asAdmin.flows.draftStatus({ id });
  expect(status.revision).toBe(anaSaved.revision);
  expect(status.savedBy).toMatchObject({ name: "Ana", isViewer: false });
  expect(status.savedBy!.at.getTime()).toBe(anaSaved.savedAt.getTime());

  await expect(asAdmin.flows.saveDraft({ id, revision: opened.revision, graph })).rejects.toMatchObject({
    code: "CONFLICT",
    message: expect.stringContaining("Ana saved this flow since you opened it"),
  });
  expect((await asAdmin.flows.get({ id })).graph.nodes[0]!.position).toEqual({ x: 500, y: 500 });

  // "Overwrite": the admin saves on top of Ana's revision.
  const overwritten = await asAdmin.flows.saveDraft({ id, revision: status.revision, graph });
  const after = await asAna.flows.get({ id });
  expect(after.revision).toBe(overwritten.revision);
  expect(after.graph.nodes[0]!.position).toEqual(graph.nodes[0]!.position);
  expect(after.savedBy).toMatchObject({ name: "Admin", isViewer: false });
  expect((await asAdmin.flows.draftStatus({ id })).savedBy).toMatchObject({ isViewer: true });
});

test("sticky notes are saved with the draft and come back", async () => {
  const caller = appRouter.createCaller({ viewer: admin });
  const { id } = await caller.flows.create({ name: "Noted", templateId: "welcome" });
  const opened = await caller.flows.get({ id });
  const notes = [{ id: "note:1", text: "Check the greeting with marketing", position: { x: 10, y: -80 }, size: { width: 220, height: 120 } }];
  await caller.flows.saveDraft({ id, revision: opened.revision, graph: { ...opened.graph, notes } });
  const reopened = await caller.flows.get({ id });
  expect(reopened.graph.notes).toEqual(notes);
  expect(reopened.diagnostics).toEqual(opened.diagnostics);
});
