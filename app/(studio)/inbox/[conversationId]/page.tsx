import type { Metadata } from "next";
import { Inbox } from "@/components/inbox/inbox";
import { currentViewer } from "@/server/auth/session";

export const metadata: Metadata = { title: "Inbox" };

export default async function ConversationPage({ params }: { params: Promise<{ conversationId: string }> }) {
  const [{ conversationId }, viewer] = await Promise.all([params, currentViewer()]);
  return <Inbox conversationId={conversationId} canAct={viewer?.role === "admin" || viewer?.role === "owner"} canTag={viewer !== null && viewer.role !== "viewer"} />;
}
