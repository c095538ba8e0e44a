import type { Metadata } from "next";
import { DeadLetters } from "@/components/runs/dead-letters";
import { currentViewer } from "@/server/auth/session";

export const metadata: Metadata = { title: "Dead letters" };

export default async function DeadLettersPage() {
  const viewer = await currentViewer();
  return (
    <main className="mx-auto max-w-6xl space-y-4 p-6">
      <h1 className="text-xl font-semibold">Dead letters</h1>
      <DeadLetters canAct={viewer?.role === "admin" || viewer?.role === "owner"} />
    </main>
  );
}
