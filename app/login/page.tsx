import type { Metadata } from "next";
import { Suspense } from "react";
import { LoginForm } from "@/components/auth/login-form";

export const metadata: Metadata = { title: "Sign in" };

export default function LoginPage() {
  return (
    <main className="flex min-h-full items-center justify-center p-6">
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <div aria-hidden className="mx-auto mb-3 flex size-12 items-center justify-center rounded-2xl bg-brand-600 text-2xl text-white">
            💬
          </div>
          <h1 className="text-xl font-semibold">Sign in to Parley</h1>
          <p className="mt-1 text-sm text-slate-500">Build and test WhatsApp bots.</p>
        </div>
        <Suspense>
          <LoginForm />
        </Suspense>
      </div>
    </main>
  );
}
