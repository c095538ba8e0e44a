import type { Metadata } from "next";
import { Privacy } from "@/components/settings/privacy";

export const metadata: Metadata = { title: "Privacy" };

export default function PrivacyPage() {
  return <Privacy />;
}
