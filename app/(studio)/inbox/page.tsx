import type { Metadata } from "next";
import { Inbox } from "@/components/inbox/inbox";
import { currentViewer } from "@/server/auth/session";

export const metadata: Metadata = { title: "Inbox" };

export default async function InboxPage() {
  const viewer = await currentViewer();
  return <Inbox conversationId={null} canAct={viewer?.role === "admin" || viewer?.role === "owner"} canTag={viewer !== null && viewer.role !== "viewer"} />;
}
