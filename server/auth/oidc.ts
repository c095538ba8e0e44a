// Optional single sign-on through any OpenID Connect provider (Google Workspace, Microsoft
// Entra, Okta, Keycloak, Authentik…), set by environment: OIDC_ISSUER, OIDC_CLIENT_ID,
// OIDC_CLIENT_SECRET and, for the button, OIDC_NAME. Signing in this way never creates a
// workspace member on its own: the provider's verified email must belong to a member, or
// have an open invitation, which it then accepts.
import { randomBytes } from "node:crypto";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { z } from "zod";
import { db } from "@/server/db/client";
import { hashPassword } from "./password";

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** What the sign-in button says: "Sign in with <name>". */
  name: string;
}

export function oidcConfig(env: Record<string, string | undefined> = process.env): OidcConfig | null {
  const issuer = env.OIDC_ISSUER?.trim().replace(/\/+$/, "");
  const clientId = env.OIDC_CLIENT_ID?.trim();
  const clientSecret = env.OIDC_CLIENT_SECRET?.trim();
  if (!issuer || !clientId || !clientSecret) return null;
  return { issuer, clientId, clientSecret, name: env.OIDC_NAME?.trim() || "single sign-on" };
}

export const OIDC_PROVIDER_ID = "oidc";

const profileSchema = z.object({
  sub: z.string(),
  email: z.string().email().optional(),
  email_verified: z.union([z.boolean(), z.literal("true"), z.literal("false")]).optional(),
  name: z.string().optional(),
});

/** next-auth's provider for the configured issuer: discovery, authorization code with PKCE and state, the ID token read. */
export function oidcProvider(config: OidcConfig): OAuthConfig<z.infer<typeof profileSchema>> {
  return {
    id: OIDC_PROVIDER_ID,
    name: config.name,
    type: "oauth",
    wellKnown: `${config.issuer}/.well-known/openid-configuration`,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    idToken: true,
    checks: ["pkce", "state"],
    authorization: { params: { scope: "openid email profile" } },
    profile: (profile) => ({ id: profile.sub, email: profile.email ?? null, name: profile.name ?? null }),
  };
}

/** Why a sign-in was refused, as the login page says it (`/login?error=<code>`). */
export const OIDC_REFUSALS = {
  OidcNoEmail: "Your identity provider did not give a verified email address: Parley needs one to find your account.",
  OidcNotMember: "No Parley workspace has this email as a member or an invitation: ask an admin to invite you.",
  OidcLocked: "This account is locked: ask an admin to unlock it.",
} as const;
export type OidcRefusal = keyof typeof OIDC_REFUSALS;

/**
 * Who may come in with this identity: an existing member by verified email, or an open
 * invitation for it (accepted now, creating the user). Returns the Parley user's id.
 */
export async function admitOidcUser(rawProfile: unknown, now = new Date()): Promise<{ ok: true; userId: string } | { ok: false; refusal: OidcRefusal }> {
  const profile = profileSchema.safeParse(rawProfile);
  const verified = profile.success && (profile.data.email_verified === true || profile.data.email_verified === "true");
  if (!profile.success || !profile.data.email || !verified) return { ok: false, refusal: "OidcNoEmail" };
  const email = profile.data.email.toLowerCase();
  const user = await db().user.findUnique({ where: { email }, include: { memberships: { select: { workspaceId: true } } } });
  if (user?.lockedUntil && user.lockedUntil > now) return { ok: false, refusal: "OidcLocked" };
  if (user && user.memberships.length > 0) return { ok: true, userId: user.id };

  const invitation = await db().invitation.findFirst({ where: { email, acceptedAt: null, expiresAt: { gt: now } }, orderBy: { createdAt: "desc" } });
  if (!invitation) return { ok: false, refusal: "OidcNotMember" };
  // The account's password is random and never shown: this member signs in through the provider.
  const passwordHash = await hashPassword(randomBytes(24).toString("base64url"));
  const userId = await db().$transaction(async (tx) => {
    const joined = user ?? (await tx.user.create({ data: { email, name: profile.data.name ?? null, passwordHash } }));
    await tx.membership.create({ data: { workspaceId: invitation.workspaceId, userId: joined.id, role: invitation.role } });
    await tx.invitation.update({ where: { id: invitation.id }, data: { acceptedAt: now } });
    await tx.auditLog.create({
      data: { workspaceId: invitation.workspaceId, userId: joined.id, action: "member.join", target: joined.id, details: { role: invitation.role, through: "oidc" } },
    });
    return joined.id;
  });
  return { ok: true, userId };
}
