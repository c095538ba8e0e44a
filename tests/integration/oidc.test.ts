// Optional single sign-on (OIDC): configured by environment only, the provider discovers the
// issuer and uses PKCE and state; the sign-in lets in members by verified email and people
// with an open invitation (accepted on the way in), and refuses everyone else with a reason
// the login page shows — never creating a member on its own.
import { beforeAll, describe, expect, test } from "vitest";
import type { Account, User } from "next-auth";
import { db } from "@/server/db/client";
import { useChannelDatabase } from "../support/channel-database";

const workspace = useChannelDatabase();
const ISSUER = { OIDC_ISSUER: "https://login.example.com/realms/acme/", OIDC_CLIENT_ID: "parley", OIDC_CLIENT_SECRET: "s3cret", OIDC_NAME: "Acme SSO" };

let oidc: typeof import("@/server/auth/oidc");
beforeAll(async () => {
  oidc = await import("@/server/auth/oidc");
  const member = await db().user.create({ data: { email: "maria@acme.example", name: "María", passwordHash: "x" } });
  await db().membership.create({ data: { workspaceId: workspace.workspaceId, userId: member.id, role: "editor" } });
  await db().invitation.create({
    data: { workspaceId: workspace.workspaceId, email: "new.hire@acme.example", role: "viewer", tokenHash: "hash-1", expiresAt: new Date(Date.now() + 86_400_000) },
  });
  await db().invitation.create({
    data: { workspaceId: workspace.workspaceId, email: "late@acme.example", role: "viewer", tokenHash: "hash-2", expiresAt: new Date(Date.now() - 1000) },
  });
});

const profile = (email: string, verified: boolean | string = true) => ({ sub: `sub-${email}`, email, email_verified: verified, name: "Someone" });

describe("configuration", () => {
  test("off unless the issuer, client id and secret are all set; discovery, PKCE and state when on", () => {
    expect(oidc.oidcConfig({})).toBeNull();
    expect(oidc.oidcConfig({ ...ISSUER, OIDC_CLIENT_SECRET: "" })).toBeNull();
    const config = oidc.oidcConfig(ISSUER)!;
    expect(config).toEqual({ issuer: "https://login.example.com/realms/acme", clientId: "parley", clientSecret: "s3cret", name: "Acme SSO" });
    const provider = oidc.oidcProvider(config);
    expect(provider).toMatchObject({ id: "oidc", type: "oauth", wellKnown: "https://login.example.com/realms/acme/.well-known/openid-configuration", idToken: true, checks: ["pkce", "state"] });
    expect(oidc.oidcConfig({ ...ISSUER, OIDC_NAME: "" })!.name).toBe("single sign-on");
  });
});

describe("who is let in", () => {
  test("a member by verified email, whatever its case", async () => {
    const member = await db().user.findUniqueOrThrow({ where: { email: "maria@acme.example" } });
    expect(await oidc.admitOidcUser(profile("Maria@Acme.example"))).toEqual({ ok: true, userId: member.id });
  });

  test("an unverified or missing email, or an unknown one, is refused with a reason", async () => {
    expect(await oidc.admitOidcUser(profile("maria@acme.example", false))).toEqual({ ok: false, refusal: "OidcNoEmail" });
    expect(await oidc.admitOidcUser({ sub: "x" })).toEqual({ ok: false, refusal: "OidcNoEmail" });
    expect(await oidc.admitOidcUser(profile("stranger@elsewhere.example"))).toEqual({ ok: false, refusal: "OidcNotMember" });
    expect(await oidc.admitOidcUser(profile("late@acme.example"))).toEqual({ ok: false, refusal: "OidcNotMember" });
    expect(await db().user.count({ where: { email: { in: ["stranger@elsewhere.example", "late@acme.example"] } } })).toBe(0);
  });

  test("an open invitation is accepted on the way in: the user joins with the invited role, once", async () => {
    const first = await oidc.admitOidcUser(profile("new.hire@acme.example", "true"));
    expect(first.ok).toBe(true);
    const user = await db().user.findUniqueOrThrow({ where: { email: "new.hire@acme.example" }, include: { memberships: true } });
    expect(user.memberships).toEqual([expect.objectContaining({ workspaceId: workspace.workspaceId, role: "viewer" })]);
    expect((await db().invitation.findFirstOrThrow({ where: { email: "new.hire@acme.example" } })).acceptedAt).not.toBeNull();
    expect(await db().auditLog.count({ where: { action: "member.join", target: user.id } })).toBe(1);
    expect(await oidc.admitOidcUser(profile("new.hire@acme.example"))).toEqual({ ok: true, userId: user.id });
    expect(await db().membership.count({ where: { userId: user.id } })).toBe(1);
  });

  test("a locked account stays locked", async () => {
    await db().user.update({ where: { email: "maria@acme.example" }, data: { lockedUntil: new Date(Date.now() + 60_000) } });
    expect(await oidc.admitOidcUser(profile("maria@acme.example"))).toEqual({ ok: false, refusal: "OidcLocked" });
    await db().user.update({ where: { email: "maria@acme.example" }, data: { lockedUntil: null } });
  });

  test("next-auth's sign-in callback turns a refusal into the login page's reason and a welcome into the Parley user", async () => {
    const { authOptions } = await import("@/server/auth/options");
    const signIn = authOptions.callbacks!.signIn!;
    const account = { provider: "oidc", type: "oauth", providerAccountId: "sub" } as Account;
    const stranger = { id: "sub-stranger", email: "stranger@elsewhere.example" } as User;
    expect(await signIn({ user: stranger, account, profile: profile("stranger@elsewhere.example") })).toBe("/login?error=OidcNotMember");
    const maria = { id: "sub-maria", email: "maria@acme.example" } as User;
    expect(await signIn({ user: maria, account, profile: profile("maria@acme.example") })).toBe(true);
    expect(maria.id).toBe((await db().user.findUniqueOrThrow({ where: { email: "maria@acme.example" } })).id);
    expect(oidc.OIDC_REFUSALS.OidcNotMember).toMatch(/ask an admin to invite you/);
  });
});
