import { z } from "zod";
import { defineNode } from "../../define-node";
import { nodeIdSchema } from "../../schema";

const config = z.object({ target: nodeIdSchema });
type GotoConfig = z.infer<typeof config>;

export default defineNode<GotoConfig>({
  type: "goto",
  version: 1,
  title: "Go to",
  description: "Continues at another node of this flow, e.g. to ask again or to return to a menu.",
  category: "logic",
  icon: "↪️",
  config,
  defaultConfig: { target: "start" },
  ports: () => [],
  summary: (c) => `Go to ${c.target}`,
  links: (c) => [c.target],
  async run(context) {
    return { goto: context.config.target, output: { target: context.config.target } };
  },
});
