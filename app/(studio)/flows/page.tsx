import type { Metadata } from "next";
import { FlowList } from "@/components/flows/flow-list";
import { NewFlowButton } from "@/components/flows/new-flow-dialog";

export const metadata: Metadata = { title: "Flows" };

export default function FlowsPage() {
  return (
    <main className="mx-auto max-w-5xl p-6">
      <div className="mb-4 flex items-center justify-between">
        <h1 className="text-xl font-semibold">Flows</h1>
        <NewFlowButton />
      </div>
      <FlowList />
    </main>
  );
}
