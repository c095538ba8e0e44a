import { z } from "zod";
import { defineNode } from "../../define-node";

const config = z.object({
  flowId: z.string().trim().min(1, "pick the flow to run").max(64).meta({ choices: "flows" }).describe("The flow to run (a published flow of this workspace)."),
});
type CallFlowConfig = z.infer<typeof config>;

export default defineNode<CallFlowConfig>({
  type: "call_flow",
  version: 1,
  title: "Run another flow",
  description:
    "Runs another published flow here (e.g. a shared “collect the address” flow) with this conversation's variables, then continues. The flow's trigger is skipped.",
  category: "logic",
  icon: "🔁",
  config,
  defaultConfig: { flowId: "" },
  ports: () => [
    { id: "next", label: "returned" },
    { id: "error", label: "failed", failure: true },
  ],
  summary: (c) => `Runs flow ${c.flowId || "?"}, then continues`,
  async run(context) {
    return { call: { flowId: context.config.flowId } };
  },
});
