import type { Metadata } from "next";
import { FlowEditorPage } from "@/components/canvas/flow-editor";
import { currentViewer } from "@/server/auth/session";

export const metadata: Metadata = { title: "Flow" };

export default async function FlowPage({ params }: { params: Promise<{ flowId: string }> }) {
  const { flowId } = await params;
  const viewer = await currentViewer();
  const canEdit = viewer !== null && viewer.role !== "viewer";
  return <FlowEditorPage flowId={flowId} canEdit={canEdit} />;
}
