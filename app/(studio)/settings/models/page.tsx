import type { Metadata } from "next";
import { Models } from "@/components/settings/models";
import { currentViewer } from "@/server/auth/session";

export const metadata: Metadata = { title: "Models" };

export default async function ModelsPage() {
  const viewer = await currentViewer();
  const canManage = viewer !== null && (viewer.role === "admin" || viewer.role === "owner");
  return <Models canManage={canManage} />;
}
