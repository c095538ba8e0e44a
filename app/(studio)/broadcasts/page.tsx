import type { Metadata } from "next";
import Link from "next/link";
import { BroadcastList } from "@/components/broadcasts/broadcast-list";
import { currentViewer } from "@/server/auth/session";

export const metadata: Metadata = { title: "Broadcasts" };

export default async function BroadcastsPage() {
  const viewer = await currentViewer();
  const canSend = viewer?.role === "admin" || viewer?.role === "owner";
  return (
    <main className="mx-auto max-w-6xl p-6">
      <div className="mb-4 flex items-center justify-between">
        <h1 className="text-xl font-semibold">Broadcasts</h1>
        {canSend ? (
          <Link href="/broadcasts/new" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600">
            New broadcast
          </Link>
        ) : null}
      </div>
      <BroadcastList canSend={canSend} />
    </main>
  );
}
