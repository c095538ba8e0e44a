import { z } from "zod";
import { defineNode, EVENT_NAME_PATTERN, NEXT_PORT } from "../../define-node";

const config = z.object({
  event: z.string().trim().min(1, "name the event, e.g. order.shipped").regex(EVENT_NAME_PATTERN, "letters, digits and . _ : - only"),
  /** Between flows listening to one event, the highest priority starts. */
  priority: z.number().int().min(0).max(100).default(0),
});
type ApiEventConfig = z.infer<typeof config>;

export default defineNode<ApiEventConfig>({
  type: "api_event",
  version: 1,
  title: "When an event arrives",
  description:
    "Starts the flow when another system posts an event for a phone number (POST /api/events with an API key), e.g. “order shipped”. The event's data is {{trigger.data.…}}.",
  category: "trigger",
  icon: "📨",
  config,
  defaultConfig: { event: "order.shipped", priority: 0 },
  ports: () => [NEXT_PORT],
  summary: (c) => `Event “${c.event}”` + (c.priority ? ` (priority ${c.priority})` : ""),
  trigger: { kind: "event", event: (c) => ({ name: c.event, priority: c.priority }) },
  async run(context) {
    return { output: { event: context.trigger.name ?? null, data: context.trigger.data } };
  },
});
