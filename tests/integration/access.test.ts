// Access: sign-in lockout and its admin unlock, invitations, and the rules on roles (owners
// alone make owners; a workspace keeps one), through the real tRPC procedures and database.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { POST as acceptInvitation } from "@/app/api/invitations/accept/route";
import type { Viewer } from "@/server/auth/session";
import { LOCK_AFTER, signIn } from "@/server/auth/sign-in";
import { db } from "@/server/db/client";
import { seed } from "@/server/db/seed";
import { appRouter } from "@/server/trpc/root";
import { createTestDatabase, type TestDatabase } from "../support/database";

// db() reads DATABASE_URL on first use, which beforeAll sets to this file's database.
let database: TestDatabase;
let owner: Viewer;
const caller = (viewer: Viewer) => appRouter.createCaller({ viewer });

beforeAll(async () => {
  process.env.PARLEY_SECRET_KEY = randomBytes(32).toString("base64url");
  database = await createTestDatabase();
  process.env.DATABASE_URL = database.url;
  await seed(db(), { internalUrl: "http://127.0.0.1:1", adminEmail: "owner@example.com", adminPassword: "correct horse battery" });
  const membership = await db().membership.findFirstOrThrow({ include: { user: true } });
  owner = { userId: membership.userId, email: membership.user.email, workspaceId: membership.workspaceId, role: membership.role };
});
afterAll(async () => {
  await db().$disconnect();
  await database.drop();
});

async function join(email: string, role: "owner" | "admin" | "editor" | "viewer"): Promise<Viewer> {
  const { token } = await caller(owner).members.invite({ email, role });
  const response = await acceptInvitation(
    new Request("http://x/api/invitations/accept", { method: "POST", body: JSON.stringify({ token, name: email.split("@")[0], password: "a long password 1" }) }),
  );
  expect(response.status).toBe(200);
  const user = await db().user.findUniqueOrThrow({ where: { email } });
  return { userId: user.id, email, workspaceId: owner.workspaceId, role };
}

describe("sign-in lockout", () => {
  test("five wrong passwords lock the account, even against the right one, until an admin unlocks it", async () => {
    const attempt = (password: string) => signIn({ email: "owner@example.com", password, address: `10.0.0.${password.length}` });
    for (let i = 1; i < LOCK_AFTER; i++) expect(await attempt("wrong")).toEqual({ ok: false, reason: "Wrong email or password." });
    expect(await attempt("wrong")).toEqual({ ok: false, reason: expect.stringMatching(/^This account is locked after 5 failed sign-ins\. Try again in 15 minutes/) });
    expect(await attempt("correct horse battery")).toMatchObject({ ok: false, reason: expect.stringMatching(/locked/) });

    const admin = await join("admin@example.com", "admin");
    expect((await caller(admin).members.list()).members.find((m) => m.email === "owner@example.com")?.lockedUntil).toBeInstanceOf(Date);
    await caller(admin).members.unlock({ userId: owner.userId });
    expect(await attempt("correct horse battery")).toMatchObject({ ok: true, user: { email: "owner@example.com" } });
  });

  test("an unknown email and a wrong password get the same answer", async () => {
    expect(await signIn({ email: "nobody@example.com", password: "x", address: "10.0.1.1" })).toEqual({ ok: false, reason: "Wrong email or password." });
  });

  test("one address trying many passwords is slowed down whatever accounts it names", async () => {
    const results = [];
    for (let i = 0; i < 25; i++) results.push(await signIn({ email: `user${i}@example.com`, password: "guess", address: "203.0.113.9" }));
    expect(results.at(-1)).toEqual({ ok: false, reason: "Too many sign-in attempts from your network: wait a minute and try again." });
  });
});

describe("members", () => {
  test("an invitation link works once and gives the invited role", async () => {
    const { token } = await caller(owner).members.invite({ email: "editor@example.com", role: "editor" });
    const post = () => acceptInvitation(new Request("http://x", { method: "POST", body: JSON.stringify({ token, name: "Eddie", password: "a long password 2" }) }));
    expect((await post()).status).toBe(200);
    const again = await post();
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({ error: "This invitation link is no longer valid: ask for a new one." });
    const members = (await caller(owner).members.list()).members;
    expect(members.find((m) => m.email === "editor@example.com")).toMatchObject({ role: "editor", name: "Eddie" });
  });

  test("only owners make owners, and the last owner cannot be demoted or removed", async () => {
    const admin = await join("admin2@example.com", "admin");
    await expect(caller(admin).members.invite({ email: "boss@example.com", role: "owner" })).rejects.toThrow("Only an owner can invite another owner.");
    await expect(caller(admin).members.changeRole({ userId: owner.userId, role: "viewer" })).rejects.toThrow("Only an owner can grant or take the owner role.");
    await expect(caller(owner).members.changeRole({ userId: owner.userId, role: "admin" })).rejects.toThrow("A workspace needs an owner: make someone else owner first.");
    await expect(caller(owner).members.remove({ userId: owner.userId })).rejects.toThrow("You cannot remove yourself");
    await caller(owner).members.changeRole({ userId: admin.userId, role: "owner" });
    await caller(owner).members.changeRole({ userId: owner.userId, role: "admin" });
    const roles = Object.fromEntries((await caller({ ...admin, role: "owner" }).members.list()).members.map((m) => [m.email, m.role]));
    expect(roles).toMatchObject({ "owner@example.com": "admin", "admin2@example.com": "owner" });
  });

  test("editors and viewers cannot manage members", async () => {
    const viewer = await join("viewer@example.com", "viewer");
    await expect(caller(viewer).members.list()).rejects.toThrow("This needs the admin role; you are viewer.");
    await expect(caller({ ...viewer, role: "editor" }).members.invite({ email: "x@example.com", role: "viewer" })).rejects.toThrow("This needs the admin role; you are editor.");
  });
});

describe("audit log", () => {
  test("member changes are listed newest first, filterable, and exported as CSV", async () => {
    const log = await caller(owner).audit.list({ action: "member." });
    expect(log.entries.length).toBeGreaterThan(3);
    expect(log.entries.every((entry) => entry.action.startsWith("member."))).toBe(true);
    expect(log.entries[0]!.at.getTime()).toBeGreaterThanOrEqual(log.entries.at(-1)!.at.getTime());
    expect(log.entries.filter((entry) => entry.action === "member.invite")).toContainEqual(
      expect.objectContaining({ who: "owner@example.com", details: { email: "editor@example.com", role: "editor" } }),
    );
    const csv = await caller(owner).audit.exportCsv();
    const [header, ...rows] = csv.split("\r\n");
    expect(header).toBe("time,who,action,target,details");
    expect(rows.some((row) => row.includes(",member.invite,") && row.includes('""email"":""editor@example.com""'))).toBe(true);
    expect((await caller(owner).audit.list({ action: "audit.export" })).entries).toHaveLength(1);
  });
});
