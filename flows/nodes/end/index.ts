import { z } from "zod";
import { defineNode } from "../../define-node";

const config = z.object({});

export default defineNode<z.infer<typeof config>>({
  type: "end",
  version: 1,
  title: "End",
  description: "Ends the conversation's run here; the contact's next message starts the flow again.",
  category: "logic",
  icon: "⏹️",
  config,
  defaultConfig: {},
  ports: () => [],
  summary: () => "End of the flow",
  async run() {
    return {};
  },
});
