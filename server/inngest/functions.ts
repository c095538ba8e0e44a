// Every durable function Parley serves at /api/inngest: the conversation router and one
// compiled function per published flow. Flows are published at run time, so the list is
// read from the database (cached briefly) rather than fixed at build time.
import { NonRetriableError, type InngestFunction } from "inngest";
import { z } from "zod";
import { CONVERSATION_MESSAGE_EVENT, flowFunctionId, flowRunEventName, flowStart } from "@/flows/compiler";
import { inboundMessageSchema } from "@/flows/message";
import { runFlow, type DurableSteps, type FlowServices, type RunStart } from "@/flows/runtime";
import { db } from "@/server/db/client";
import { sendMessage } from "@/server/channels/send";
import { ChannelSendError } from "@/server/channels/send-error";
import { stopWaiting, takeNextMessage } from "@/server/conversations/inbox";
import { BURST_MAX_WAIT, burstWindow } from "@/server/conversations/burst";
import { handOff } from "@/server/conversations/handoff";
import { conversationHistory } from "@/server/conversations/history";
import { routeMessage } from "@/server/conversations/router";
import { loadCompiledFlow, resolveCalledFlow } from "@/server/runs/flow-versions";
import { chatForRun } from "@/server/ai/chat";
import { readConversationSummary, saveConversationSummary } from "@/server/ai/summary";
import { finishRun, writeTrace } from "@/server/runs/records";
import { readLookupCache, writeLookupCache } from "@/server/knowledge/cache";
import { searchKnowledgeForRun, searchTableForRun } from "@/server/knowledge/store";
import { outboundFetch } from "@/server/security/outbound-http";
import { readNodeSecretForRun } from "@/server/security/node-secrets";
import { retentionFunction } from "@/server/privacy/retention-function";
import { broadcastFunction } from "@/server/broadcasts/send";
import { mediaFunction } from "@/server/media/files";
import { redeliveryFunction } from "@/server/channels/redelivery-function";
import { runRequestsFunction } from "@/server/triggers/run-requests";
import { scheduleFunction } from "@/server/triggers/schedule";
import { log, withLogContext } from "@/server/observability/log";
import { RUN_CANCEL_EVENT } from "@/server/runs/cancel";
import { inngest, MESSAGE_RECEIVED_EVENT } from "./client";

/** How often the router rings a waiting run before concluding it will not take the message. */
const MAX_RINGS = 5;

const messageReceivedSchema = z.object({ messageId: z.string(), conversationId: z.string() });

function burstDebounce() {
  const period = burstWindow();
  return period ? { debounce: { key: "event.data.conversationId", period, timeout: BURST_MAX_WAIT } } : {};
}

function conversationRouter() {
  return inngest().createFunction(
    {
      id: "conversation-router",
      name: "Route inbound WhatsApp message",
      triggers: [{ event: MESSAGE_RECEIVED_EVENT }],
      // One message of a conversation is routed at a time, in arrival order.
      concurrency: [{ key: "event.data.conversationId", limit: 1 }],
      ...burstDebounce(),
      retries: 5,
    },
    async ({ event, step }) => {
      const { messageId } = messageReceivedSchema.parse(event.data);
      for (let ring = 0; ring < MAX_RINGS; ring++) {
        const decision = await step.run(`route:${ring}`, () => routeMessage(messageId));
        if (decision.kind === "start") {
          await step.sendEvent("start-run", {
            id: `run:${decision.start.runId}`,
            name: flowRunEventName(decision.start.flowId),
            data: decision.start,
          });
          return { routed: "started", runId: decision.start.runId };
        }
        if (decision.kind !== "ring") return { routed: decision.kind };
        // The run may have checked its inbox just before this message was stored and not
        // be listening yet: ring, give it a moment, and look again until it has taken it.
        await step.sendEvent(`ring:${ring}`, {
          name: CONVERSATION_MESSAGE_EVENT,
          data: { conversationId: decision.conversationId, messageId },
        });
        await step.sleep(`settle:${ring}`, "1s");
      }
      return { routed: "unanswered" };
    },
  );
}

const services: FlowServices = {
  async send(input) {
    try {
      const sent = await sendMessage(input);
      return sent.windowClosed ? { messageId: sent.messageId, windowClosed: sent.windowClosed } : { messageId: sent.messageId };
    } catch (error) {
      if (error instanceof ChannelSendError && !error.retriable) throw new NonRetriableError(error.message, { cause: error });
      throw error;
    }
  },
  takeNextMessage,
  stopWaiting,
  handOff,
  writeTrace,
  finishRun,
  chat: chatForRun,
  history: conversationHistory,
  readSummary: readConversationSummary,
  saveSummary: saveConversationSummary,
  resolveFlow: resolveCalledFlow,
  loadFlow: loadCompiledFlow,
  fetch: (request) => outboundFetch(request),
  searchKnowledge: searchKnowledgeForRun,
  searchTable: searchTableForRun,
  readCache: readLookupCache,
  writeCache: writeLookupCache,
  readSecret: readNodeSecretForRun,
};

const runStartSchema = z.object({
  runId: z.string(),
  flowId: z.string(),
  flowVersionId: z.string(),
  conversationId: z.string(),
  contact: z.object({ id: z.string(), name: z.string().nullable(), waId: z.string().nullable() }),
  message: inboundMessageSchema.nullable(),
  trigger: z.object({ kind: z.enum(["message", "schedule", "event"]), name: z.string().optional(), data: z.record(z.string(), z.unknown()) }).optional(),
  resume: z
    .object({ fromRunId: z.string(), nodeId: z.string(), vars: z.record(z.string(), z.unknown()), outputs: z.record(z.string(), z.record(z.string(), z.unknown())) })
    .optional(),
});

function flowFunction(flow: { id: string; name: string }) {
  return inngest().createFunction(
    {
      id: flowFunctionId(flow.id),
      name: `Flow: ${flow.name}`,
      triggers: [{ event: flowRunEventName(flow.id) }],
      retries: 3,
      // A cancelled run (the studio's "restart conversation") stops, even while it waits.
      cancelOn: [{ event: RUN_CANCEL_EVENT, match: "data.runId" }],
      onFailure: async ({ event, error }) => {
        const start = runStartSchema.safeParse(event.data.event.data);
        if (!start.success) return;
        await finishRun({ runId: start.data.runId, conversationId: start.data.conversationId, status: "failed", error: error.message });
      },
    },
    async ({ event, step, attempt }) => {
      const start: RunStart = runStartSchema.parse(event.data);
      // The version was fixed when the run started: a later publish never changes a run in flight.
      const flow = await loadCompiledFlow(start.flowVersionId);
      const steps: DurableSteps = {
        run: (id, body) => step.run(id, body) as Promise<never>,
        waitForEvent: (id, options) => step.waitForEvent(id, options),
        sleep: (id, duration) => step.sleep(id, duration),
      };
      try {
        // Every line logged while the run executes names it and its conversation.
        return await withLogContext({ runId: start.runId, conversationId: start.conversationId }, () => runFlow({ start, flow, steps, services, attempt }));
      } catch (error) {
        if (error instanceof Error && error.name === "FlowRunError") throw new NonRetriableError(error.message);
        throw error;
      }
    },
  );
}

type AnyFunction = InngestFunction.Any;

/** How a published version starts; null (and logged) when it no longer compiles, e.g. a node type was removed. */
async function publishedStart(flowVersionId: string) {
  try {
    return flowStart(await loadCompiledFlow(flowVersionId));
  } catch (error) {
    log().error({ flowVersionId, err: error }, "a published flow version does not compile; its schedule is not served");
    return null;
  }
}

let cache: { key: string; at: number; functions: AnyFunction[] } | undefined;
const CACHE_MS = 2_000;

/** The functions to serve now. `refresh` after a publish, so the next sync sees the new flow. */
export async function servedFunctions(options: { refresh?: boolean } = {}): Promise<AnyFunction[]> {
  if (!options.refresh && cache && Date.now() - cache.at < CACHE_MS) return cache.functions;
  // Every flow with a version: runs in flight of an unpublished flow finish, and the studio's
  // test versions run on the flow's own function. Only published flows get their schedule.
  const flows = await db().flow.findMany({
    where: { versions: { some: {} } },
    select: { id: true, name: true, publishedVersionId: true },
    orderBy: { id: "asc" },
  });
  const key = flows.map((flow) => `${flow.id}:${flow.publishedVersionId}:${flow.name}`).join("|");
  if (cache?.key === key) {
    cache.at = Date.now();
    return cache.functions;
  }
  const functions: AnyFunction[] = [conversationRouter(), runRequestsFunction(), retentionFunction(), broadcastFunction(), mediaFunction(), redeliveryFunction()];
  for (const flow of flows) {
    functions.push(flowFunction(flow));
    const start = flow.publishedVersionId ? await publishedStart(flow.publishedVersionId) : null;
    if (start?.kind === "schedule") functions.push(scheduleFunction(flow, start));
  }
  cache = { key, at: Date.now(), functions };
  return functions;
}
