import type { Metadata } from "next";
import { Channels } from "@/components/settings/channels";
import { currentViewer } from "@/server/auth/session";

export const metadata: Metadata = { title: "WhatsApp numbers" };

export default async function ChannelsPage() {
  const viewer = await currentViewer();
  const canManage = viewer !== null && (viewer.role === "admin" || viewer.role === "owner");
  return <Channels canManage={canManage} />;
}
