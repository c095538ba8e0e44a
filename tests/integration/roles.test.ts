// The role matrix: every tRPC procedure, called by every role. A role below the procedure's
// minimum is refused with FORBIDDEN before anything runs; a role at or above it gets past
// the check (to its input validation or its work). A procedure missing from the table fails
// the test, so a new one cannot ship without deciding who may call it.
import { randomBytes } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Viewer } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { seed } from "@/server/db/seed";
import { appRouter } from "@/server/trpc/root";
import { createTestDatabase, type TestDatabase } from "../support/database";

type Role = Viewer["role"];
const ROLES: Role[] = ["viewer", "editor", "admin", "owner"];

/** Who may call what: the lowest role allowed, per procedure path. */
const MINIMUM_ROLE: Record<string, Role> = {
  "analytics.flow": "viewer",
  "apiKeys.list": "admin",
  "apiKeys.create": "admin",
  "apiKeys.revoke": "admin",
  "audit.list": "admin",
  "audit.exportCsv": "admin",
  "broadcasts.list": "viewer",
  "broadcasts.get": "viewer",
  "broadcasts.tags": "viewer",
  "broadcasts.preview": "admin",
  "broadcasts.create": "admin",
  "broadcasts.cancel": "admin",
  "channels.list": "viewer",
  "channels.contactRules": "viewer",
  "channels.saveContactRules": "admin",
  "channels.webhooks": "viewer",
  "channels.save": "admin",
  "channels.remove": "admin",
  "channels.testToken": "admin",
  "channels.setFlows": "admin",
  "channels.templates": "viewer",
  "channels.refreshTemplates": "editor",
  "flows.list": "viewer",
  "flows.templates": "viewer",
  "flows.get": "viewer",
  "flows.create": "editor",
  "flows.import": "editor",
  "flows.saveDraft": "editor",
  "flows.draftStatus": "viewer",
  "flows.channelOptions": "viewer",
  "flows.setChannels": "editor",
  "flows.rename": "editor",
  "flows.duplicate": "editor",
  "flows.archive": "editor",
  "flows.versions": "viewer",
  "flows.version": "viewer",
  "flows.rollback": "editor",
  "flowTests.start": "editor",
  "flowTests.send": "editor",
  "flowTests.state": "editor",
  "flows.publish": "editor",
  "knowledge.list": "viewer",
  "knowledge.addDocument": "editor",
  "knowledge.addTable": "editor",
  "knowledge.remove": "editor",
  "knowledge.search": "viewer",
  "knowledge.searchTable": "viewer",
  "members.list": "admin",
  "members.invite": "admin",
  "members.revokeInvitation": "admin",
  "members.changeRole": "admin",
  "members.remove": "admin",
  "members.unlock": "admin",
  "models.settings": "viewer",
  "models.saveProvider": "admin",
  "models.removeProvider": "admin",
  "models.reorderProviders": "admin",
  "models.testProvider": "admin",
  "models.setPrice": "admin",
  "models.resetPrice": "admin",
  "nodeSecrets.list": "admin",
  "nodeSecrets.set": "admin",
  "nodeSecrets.remove": "admin",
  "privacy.settings": "admin",
  "privacy.setRetention": "owner",
  "privacy.findContacts": "admin",
  "privacy.exportContact": "admin",
  "privacy.eraseContact": "admin",
  "runs.list": "viewer",
  "runs.get": "viewer",
  "runs.deadLetters": "viewer",
  "runs.cancel": "admin",
  "runs.retry": "admin",
  "runs.replay": "editor",
  "conversations.list": "viewer",
  "conversations.get": "viewer",
  "conversations.takeOver": "admin",
  "conversations.send": "admin",
  "conversations.handBack": "admin",
  "conversations.setContactTags": "editor",
  "simulator.channels": "viewer",
  "simulator.transcript": "viewer",
  "simulator.send": "editor",
  "simulator.clear": "editor",
  "simulator.drill": "viewer",
  "simulator.setDrill": "editor",
};

const procedures = Object.keys((appRouter as unknown as { _def: { procedures: Record<string, unknown> } })._def.procedures).sort();

let database: TestDatabase;
let workspace: { id: string; userId: string };
beforeAll(async () => {
  process.env.PARLEY_SECRET_KEY ??= randomBytes(32).toString("base64url");
  database = await createTestDatabase();
  process.env.DATABASE_URL = database.url;
  await seed(db(), { internalUrl: "http://127.0.0.1:1" });
  const membership = await db().membership.findFirstOrThrow();
  workspace = { id: membership.workspaceId, userId: membership.userId };
});
afterAll(async () => {
  await db().$disconnect();
  await database.drop();
});

/** Calls `path` as `role` with an empty input; resolves to the error code, or "ok". */
async function callAs(path: string, role: Role): Promise<string> {
  const caller = appRouter.createCaller({ viewer: { userId: workspace.userId, email: "someone@example.com", workspaceId: workspace.id, role } });
  const procedure = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (input?: unknown) => Promise<unknown>;
  try {
    await procedure({});
    return "ok";
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
}

test("every procedure has a minimum role in the table", () => {
  expect(procedures).toEqual(Object.keys(MINIMUM_ROLE).sort());
});

describe.each(procedures)("%s", (path) => {
  test.each(ROLES)("as %s", async (role) => {
    const minimum = MINIMUM_ROLE[path];
    if (!minimum) throw new Error(`${path} is not in the role table`);
    const outcome = await callAs(path, role);
    if (ROLES.indexOf(role) < ROLES.indexOf(minimum)) expect(outcome).toBe("FORBIDDEN");
    else expect(outcome).not.toBe("FORBIDDEN");
  });
});

test("a signed-out caller gets UNAUTHORIZED everywhere", async () => {
  const caller = appRouter.createCaller({ viewer: null });
  for (const path of procedures) {
    const procedure = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (input?: unknown) => Promise<unknown>;
    await expect(procedure({}), path).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  }
});
