import Link from "next/link";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { currentViewer } from "@/server/auth/session";
import { Logo } from "@/components/ui/logo";
import { NavLinks } from "@/components/ui/nav-links";
import { SignOutButton } from "@/components/auth/sign-out-button";

// Every studio page reads the session: render per request, never at build time.
export const dynamic = "force-dynamic";

export default async function StudioLayout({ children }: { children: ReactNode }) {
  const viewer = await currentViewer();
  if (!viewer) redirect("/login");
  return (
    <div className="flex h-full flex-col">
      <header className="flex h-12 shrink-0 items-center gap-6 border-b border-slate-200 bg-white px-4">
        <Link href="/flows" className="flex items-center gap-2 font-semibold text-slate-900">
          <Logo />
          Parley
        </Link>
        <NavLinks />
        <div className="ml-auto flex items-center gap-3 text-sm">
          <span className="hidden text-slate-600 sm:inline" data-testid="viewer-email">
            {viewer.email}
          </span>
          <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-600">{viewer.role}</span>
          <SignOutButton />
        </div>
      </header>
      <div className="min-h-0 flex-1">{children}</div>
    </div>
  );
}
