import type { Metadata } from "next";
import { Suspense } from "react";
import { RunList } from "@/components/runs/run-list";
import { TableSkeleton } from "@/components/ui/spinner";

export const metadata: Metadata = { title: "Runs" };

export default function RunsPage() {
  return (
    <main className="mx-auto max-w-6xl p-6">
      <h1 className="mb-4 text-xl font-semibold">Runs</h1>
      {/* The filters are read from the URL. */}
      <Suspense fallback={<TableSkeleton label="Loading runs" />}>
        <RunList />
      </Suspense>
    </main>
  );
}
