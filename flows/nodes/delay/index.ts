import { z } from "zod";
import { defineNode, NEXT_PORT } from "../../define-node";

const config = z.object({
  duration: z.string().regex(/^\d+[smhd]$/, 'a number and a unit: "30s", "10m", "2h", "1d"'),
});
type DelayConfig = z.infer<typeof config>;

export default defineNode<DelayConfig>({
  type: "delay",
  version: 1,
  title: "Wait",
  description: "Pauses the conversation for a while (durably: a restart does not cut it short or repeat it).",
  category: "logic",
  icon: "⏳",
  config,
  defaultConfig: { duration: "5s" },
  ports: () => [NEXT_PORT],
  summary: (c) => `Wait ${c.duration}`,
  async run(context) {
    await context.sleep(context.config.duration);
    return { output: { waited: context.config.duration } };
  },
});
