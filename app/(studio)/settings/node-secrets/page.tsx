import type { Metadata } from "next";
import { NodeSecrets } from "@/components/settings/node-secrets";

export const metadata: Metadata = { title: "Node secrets" };

export default function NodeSecretsPage() {
  return <NodeSecrets />;
}
