import type { Metadata } from "next";
import { FlowList } from "@/components/flows/flow-list";
import { NewFlowButton } from "@/components/flows/new-flow-dialog";
import { currentViewer } from "@/server/auth/session";

export const metadata: Metadata = { title: "Flows" };

export default async function FlowsPage() {
  const viewer = await currentViewer();
  const canEdit = viewer !== null && viewer.role !== "viewer";
  return (
    <main className="mx-auto max-w-6xl p-6">
      <div className="mb-4 flex items-center justify-between">
        <h1 className="text-xl font-semibold">Flows</h1>
        <NewFlowButton />
      </div>
      <FlowList canEdit={canEdit} />
    </main>
  );
}
