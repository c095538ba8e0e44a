import type { NextAuthOptions } from "next-auth";
import credentialsModule from "next-auth/providers/credentials";
import { z } from "zod";
import { clientAddress } from "@/server/security/rate-limits";
import { admitOidcUser, OIDC_PROVIDER_ID, oidcConfig, oidcProvider } from "./oidc";
import { signIn } from "./sign-in";

// next-auth ships CommonJS with `exports.default`: bundlers (Next, Vitest) give that function as
// the default import, Node's own ESM loader (tsx, which runs the benchmarks) the exports object.
const CredentialsProvider = (credentialsModule as unknown as { default?: typeof credentialsModule }).default ?? credentialsModule;

const sso = oidcConfig();

const credentialsSchema = z.object({ email: z.string().trim().toLowerCase().email().max(254), password: z.string().min(1).max(200) });

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
  pages: { signIn: "/login" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(raw, request) {
        const credentials = credentialsSchema.safeParse(raw);
        if (!credentials.success) return null;
        const result = await signIn({ ...credentials.data, address: clientAddress(new Headers(request?.headers as Record<string, string> | undefined)) });
        // next-auth hands a thrown error's message to the sign-in form.
        if (!result.ok) throw new Error(result.reason);
        return result.user;
      },
    }),
    ...(sso ? [oidcProvider(sso)] : []),
  ],
  callbacks: {
    /** Single sign-on lets in members and invited people only; the login page says why not. */
    async signIn({ user, account, profile }) {
      if (account?.provider !== OIDC_PROVIDER_ID) return true;
      const admitted = await admitOidcUser(profile);
      if (!admitted.ok) return `/login?error=${admitted.refusal}`;
      // The session names the Parley user, not the provider's subject.
      user.id = admitted.userId;
      return true;
    },
    jwt({ token, user }) {
      if (user) token.sub = user.id;
      return token;
    },
    session({ session, token }) {
      if (session.user && token.sub) (session.user as { id?: string }).id = token.sub;
      return session;
    },
  },
};
