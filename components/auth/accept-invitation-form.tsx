"use client";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { ErrorNote } from "@/components/ui/notice";

/** Name and password for an invited member; signs them in once the account exists. */
export function AcceptInvitationForm({ token, email }: { token: string; email: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get("name") ?? "");
    const password = String(form.get("password") ?? "");
    if (password !== String(form.get("confirm") ?? "")) {
      setError("The two passwords differ.");
      return;
    }
    setPending(true);
    setError(null);
    const response = await fetch("/api/invitations/accept", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token, name, password }),
    }).catch(() => null);
    if (!response?.ok) {
      setPending(false);
      setError(response ? ((await response.json().catch(() => null)) as { error?: string } | null)?.error ?? "Could not join." : "Parley is not reachable.");
      return;
    }
    const result = await signIn("credentials", { email, password, redirect: false });
    if (result?.ok) router.push("/flows");
    else router.push("/login");
  }

  return (
    <form onSubmit={submit} className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <label className="block space-y-1 text-sm">
        <span className="font-medium text-slate-700">Your name</span>
        <input name="name" className="field" required maxLength={80} autoComplete="name" />
      </label>
      <label className="block space-y-1 text-sm">
        <span className="font-medium text-slate-700">Password</span>
        <input name="password" type="password" className="field" required minLength={10} maxLength={200} autoComplete="new-password" />
      </label>
      <label className="block space-y-1 text-sm">
        <span className="font-medium text-slate-700">Password again</span>
        <input name="confirm" type="password" className="field" required minLength={10} maxLength={200} autoComplete="new-password" />
      </label>
      {error ? <ErrorNote>{error}</ErrorNote> : null}
      <Button type="submit" variant="primary" className="w-full" disabled={pending}>
        {pending ? "Joining…" : "Join"}
      </Button>
    </form>
  );
}
