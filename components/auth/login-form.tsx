"use client";
import { signIn } from "next-auth/react";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { ErrorNote } from "@/components/ui/notice";

/** Only same-origin paths are followed after sign-in; anything else goes to /flows. */
function safeCallback(raw: string | null): string {
  if (!raw) return "/flows";
  try {
    const url = new URL(raw, window.location.origin);
    if (url.origin !== window.location.origin || url.pathname.startsWith("/login") || url.pathname.startsWith("/api/")) return "/flows";
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return "/flows";
  }
}

/** Refusals the server redirects back with (`/login?error=<code>`), said in words. */
function refusalText(code: string | null, refusals: Record<string, string>): string | null {
  if (!code) return null;
  return refusals[code] ?? "Sign-in failed: check your email and password.";
}

export function LoginForm({ sso, refusals }: { sso: string | null; refusals: Record<string, string> }) {
  const router = useRouter();
  const params = useSearchParams();
  // The form stays disabled until React runs, so it never submits natively (with the
  // password in the address) and reads what was typed before hydration from the inputs.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(refusalText(params.get("error"), refusals));

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    if (!email || !password) {
      setError("Enter your email and password.");
      return;
    }
    setPending(true);
    setError(null);
    try {
      const result = await signIn("credentials", { email, password, redirect: false });
      if (!result || result.error || !result.ok) {
        // The server's reason (wrong password, account locked, too many attempts) is meant for the user.
        setError(result?.error === "CredentialsSignin" || !result?.error ? "Wrong email or password." : result.error);
        setPending(false);
        return;
      }
      router.replace(safeCallback(params.get("callbackUrl")));
      router.refresh();
    } catch {
      setError("Parley is not reachable: try again in a moment.");
      setPending(false);
    }
  }

  return (
    <form onSubmit={submit} method="post" aria-busy={pending} className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" noValidate>
      <div className="space-y-1">
        <label htmlFor="email" className="block text-sm font-medium text-slate-700">
          Email
        </label>
        <input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          required
          autoFocus
          className="field"
        />
      </div>
      <div className="space-y-1">
        <label htmlFor="password" className="block text-sm font-medium text-slate-700">
          Password
        </label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          className="field"
        />
      </div>
      <ErrorNote>{error}</ErrorNote>
      <Button type="submit" variant="primary" className="w-full py-2" disabled={!hydrated || pending}>
        {pending ? "Signing in…" : "Sign in"}
      </Button>
      {sso ? (
        <>
          <p className="text-center text-xs text-slate-400">or</p>
          <Button
            className="w-full py-2"
            disabled={!hydrated || pending}
            data-testid="sign-in-sso"
            onClick={() => {
              setPending(true);
              void signIn("oidc", { callbackUrl: safeCallback(params.get("callbackUrl")) });
            }}
          >
            Sign in with {sso}
          </Button>
        </>
      ) : null}
    </form>
  );
}
