import type { Metadata } from "next";
import { Suspense } from "react";
import { LoginForm } from "@/components/auth/login-form";
import { Logo } from "@/components/ui/logo";
import { OIDC_REFUSALS, oidcConfig } from "@/server/auth/oidc";

export const metadata: Metadata = { title: "Sign in" };

export const dynamic = "force-dynamic";

export default function LoginPage() {
  // Only the button's label reaches the browser, never the client secret.
  const sso = oidcConfig()?.name ?? null;
  return (
    <main className="flex min-h-full items-center justify-center p-6">
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <Logo className="mx-auto mb-3 size-12 rounded-2xl" />
          <h1 className="text-xl font-semibold">Sign in to Parley</h1>
          <p className="mt-1 text-sm text-slate-500">Build and test WhatsApp bots.</p>
        </div>
        <Suspense>
          <LoginForm sso={sso} refusals={OIDC_REFUSALS} />
        </Suspense>
      </div>
    </main>
  );
}
