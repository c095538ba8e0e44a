import type { Metadata } from "next";
import { RunList } from "@/components/runs/run-list";

export const metadata: Metadata = { title: "Runs" };

export default function RunsPage() {
  return (
    <main className="mx-auto max-w-6xl p-6">
      <h1 className="mb-4 text-xl font-semibold">Runs</h1>
      <RunList />
    </main>
  );
}
