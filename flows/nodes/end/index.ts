import { z } from "zod";
import { defineNode } from "../../define-node";

const config = z.object({});

export default defineNode<z.infer<typeof config>>({
  type: "end",
  version: 1,
  title: "End",
  description: "Ends the run here; the contact's next message starts a flow again. In a flow run by “Run another flow”, returns to the calling flow.",
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
