import type { Metadata } from "next";
import { Simulator } from "@/components/chat/simulator";

export const metadata: Metadata = { title: "Simulator" };

export default function SimulatorPage() {
  return <Simulator />;
}
