import type { Metadata } from "next";
import { NewBroadcastForm } from "@/components/broadcasts/new-broadcast-form";
import { ErrorNote } from "@/components/ui/notice";
import { currentViewer } from "@/server/auth/session";

export const metadata: Metadata = { title: "New broadcast" };

export default async function NewBroadcastPage() {
  const viewer = await currentViewer();
  const canSend = viewer?.role === "admin" || viewer?.role === "owner";
  return (
    <main className="mx-auto max-w-6xl p-6">
      <h1 className="mb-4 text-xl font-semibold">New broadcast</h1>
      {canSend ? <NewBroadcastForm /> : <ErrorNote>Broadcasts are sent by admins: ask one of your workspace&apos;s admins.</ErrorNote>}
    </main>
  );
}
