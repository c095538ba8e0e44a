import type { Metadata } from "next";
import Link from "next/link";
import { AcceptInvitationForm } from "@/components/auth/accept-invitation-form";
import { Logo } from "@/components/ui/logo";
import { openInvitation } from "@/server/auth/members";

export const metadata: Metadata = { title: "Join Parley" };
export const dynamic = "force-dynamic";

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invitation = await openInvitation(token);
  return (
    <main className="flex min-h-full items-center justify-center p-6">
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <Logo className="mx-auto mb-3 size-12 rounded-2xl" />
          <h1 className="text-xl font-semibold">{invitation ? `Join ${invitation.workspace}` : "This invitation is no longer valid"}</h1>
          {invitation ? (
            <p className="mt-1 text-sm text-slate-500">
              as {invitation.role}, signing in with {invitation.email}
            </p>
          ) : (
            <p className="mt-1 text-sm text-slate-500">
              It was used already or has expired. Ask the person who invited you for a new link, or{" "}
              <Link href="/login" className="text-brand-700 underline">
                sign in
              </Link>
              .
            </p>
          )}
        </div>
        {invitation ? <AcceptInvitationForm token={token} email={invitation.email} /> : null}
      </div>
    </main>
  );
}
