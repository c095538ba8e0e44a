import type { Metadata } from "next";
import Link from "next/link";
import { BroadcastDetail } from "@/components/broadcasts/broadcast-detail";
import { currentViewer } from "@/server/auth/session";

export const metadata: Metadata = { title: "Broadcast" };

export default async function BroadcastPage({ params }: { params: Promise<{ broadcastId: string }> }) {
  const [{ broadcastId }, viewer] = await Promise.all([params, currentViewer()]);
  return (
    <main className="mx-auto max-w-6xl space-y-3 p-6">
      <Link href="/broadcasts" className="text-sm text-slate-500 hover:text-slate-800">
        ← Broadcasts
      </Link>
      <BroadcastDetail id={broadcastId} canCancel={viewer?.role === "admin" || viewer?.role === "owner"} />
    </main>
  );
}
