// Runs that start without a message from the contact: a schedule tick or an API event asks
// for one with a `parley/run.requested` event, and this function starts it as soon as the
// conversation is free. A contact in the middle of another run is not interrupted: the
// request waits for that run to end, up to an hour.
import { z } from "zod";
import { flowRunEventName } from "@/flows/compiler";
import { inngest, RUN_REQUESTED_EVENT } from "@/server/inngest/client";
import { startRunWithoutMessage } from "@/server/runs/start";

export const runRequestSchema = z.object({
  flowId: z.string(),
  conversationId: z.string(),
  trigger: z.object({ kind: z.enum(["schedule", "event"]), name: z.string().optional(), data: z.record(z.string(), z.unknown()) }),
  /** Names this start: a repeated request starts nothing new. */
  startKey: z.string(),
});
export type RunRequest = z.infer<typeof runRequestSchema>;

/** Seconds to wait before looking again at a busy conversation: soon at first, then every 5 minutes, for an hour in all. */
export function busyPauses(): number[] {
  const pauses: number[] = [];
  for (let total = 0, pause = 5; total < 3600; total += pause, pause = Math.min(pause * 2, 300)) pauses.push(pause);
  return pauses;
}

export function runRequestsFunction() {
  return inngest().createFunction(
    {
      id: "run-requests",
      name: "Start runs for schedules and API events",
      triggers: [{ event: RUN_REQUESTED_EVENT }],
      concurrency: [{ key: "event.data.conversationId", limit: 1 }],
      retries: 5,
    },
    async ({ event, step, logger }) => {
      const request = runRequestSchema.parse(event.data);
      const pauses = busyPauses();
      for (let check = 0; check <= pauses.length; check++) {
        const outcome = await step.run(`start:${check}`, () => startRunWithoutMessage(request));
        if (outcome.kind === "started") {
          await step.sendEvent("start-run", { id: `run:${outcome.start.runId}`, name: flowRunEventName(request.flowId), data: outcome.start });
          return { started: outcome.start.runId };
        }
        if (outcome.kind === "skipped") {
          logger.warn(`Run request ${request.startKey} skipped: ${outcome.reason}`);
          return { skipped: outcome.reason };
        }
        if (check < pauses.length) await step.sleep(`busy:${check}`, `${pauses[check]}s`);
      }
      logger.warn(`Run request ${request.startKey} dropped: the conversation stayed busy for an hour`);
      return { skipped: "the conversation stayed busy for an hour" };
    },
  );
}
