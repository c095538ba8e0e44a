import type { Metadata } from "next";
import { FlowList } from "@/components/flows/flow-list";

export const metadata: Metadata = { title: "Flows" };

export default function FlowsPage() {
  return (
    <main className="mx-auto max-w-5xl p-6">
      <h1 className="mb-4 text-xl font-semibold">Flows</h1>
      <FlowList />
    </main>
  );
}
