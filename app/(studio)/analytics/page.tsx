import type { Metadata } from "next";
import { FlowAnalytics } from "@/components/analytics/flow-analytics";

export const metadata: Metadata = { title: "Analytics" };

export default function AnalyticsPage() {
  return (
    <main className="mx-auto max-w-6xl p-6">
      <h1 className="mb-4 text-xl font-semibold">Analytics</h1>
      <FlowAnalytics />
    </main>
  );
}
