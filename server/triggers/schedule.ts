// A scheduled flow's timer: at each tick of its cron (in its time zone) it resolves who to
// write to and asks for one run per conversation (server/triggers/run-requests.ts). The
// request ids name the flow, the tick and the conversation, so a retried tick starts
// nobody twice.
import type { FlowStart } from "@/flows/compiler";
import { scheduleFunctionId } from "@/flows/compiler";
import { inngest, RUN_REQUESTED_EVENT } from "@/server/inngest/client";
import { audienceConversations } from "./recipients";
import type { RunRequest } from "./run-requests";

/** Requests per sendEvent step: large audiences go out in several steps. */
const REQUESTS_PER_STEP = 500;

export function scheduleFunction(flow: { id: string; name: string }, schedule: Extract<FlowStart, { kind: "schedule" }>) {
  return inngest().createFunction(
    {
      id: scheduleFunctionId(flow.id),
      name: `Schedule: ${flow.name}`,
      triggers: [{ cron: `TZ=${schedule.timezone} ${schedule.cron}` }],
      retries: 3,
    },
    async ({ event, step }) => {
      const firedAt = await step.run("tick", () => new Date(event.ts ?? Date.now()).toISOString());
      const conversations = await step.run("audience", () => audienceConversations(flow.id, schedule.audience));
      for (let from = 0; from < conversations.length; from += REQUESTS_PER_STEP) {
        const requests = conversations.slice(from, from + REQUESTS_PER_STEP).map((conversationId) => {
          const data: RunRequest = {
            flowId: flow.id,
            conversationId,
            trigger: { kind: "schedule", data: { firedAt } },
            startKey: `schedule:${flow.id}:${firedAt}:${conversationId}`,
          };
          return { id: data.startKey, name: RUN_REQUESTED_EVENT, data };
        });
        await step.sendEvent(`request:${from / REQUESTS_PER_STEP}`, requests);
      }
      return { firedAt, requested: conversations.length };
    },
  );
}
