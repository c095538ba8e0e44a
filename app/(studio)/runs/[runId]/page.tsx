import type { Metadata } from "next";
import { RunDetail } from "@/components/runs/run-detail";
import { currentViewer } from "@/server/auth/session";

export const metadata: Metadata = { title: "Run" };

export default async function RunPage({ params }: { params: Promise<{ runId: string }> }) {
  const [{ runId }, viewer] = await Promise.all([params, currentViewer()]);
  const role = viewer?.role ?? "viewer";
  return <RunDetail runId={runId} canAct={role === "admin" || role === "owner"} canReplay={role !== "viewer"} />;
}
