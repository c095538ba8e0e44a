import type { Metadata } from "next";
import { Knowledge } from "@/components/settings/knowledge";

export const metadata: Metadata = { title: "Knowledge" };

export default function KnowledgePage() {
  return <Knowledge />;
}
