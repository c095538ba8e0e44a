// Decides where an inbound message goes: to the run that owns the conversation, or to a
// new run of the published flow whose trigger matches it. At most one run owns a
// conversation: ownership is taken by compare-and-set on Conversation.activeRunId.
import { db, Prisma } from "@/server/db/client";
import { consentKeyword, mayStartRuns, recordConsent } from "@/server/channels/contact-rules";
import { markReadAndTyping, sendMessage } from "@/server/channels/send";
import { cancelRun } from "@/server/runs/cancel";
import { nodeDefinition, parseConfig } from "@/flows/registry";
import type { RunStart } from "@/flows/runtime";
import type { InboundMessage } from "@/flows/message";
import type { FlowGraph } from "@/flows/schema";
import { BURST_MAX_WAIT, burstWindow, mergeBurst } from "./burst";
import { toInboundMessage } from "./inbox";
import { loadFlowGraph } from "@/server/runs/flow-versions";
import { claimConversation, ConversationTaken, runStartOf } from "@/server/runs/start";

export type RouteDecision =
  | { kind: "start"; start: RunStart }
  /** The owning run waits for an answer: ring its doorbell. */
  | { kind: "ring"; runId: string; conversationId: string }
  /** The owning run is busy: it takes the message at its next question, or hands it on when it ends. */
  | { kind: "busy"; runId: string }
  | { kind: "answered"; runId: string }
  | { kind: "unmatched"; reason: string }
  /** A person answers this conversation: the message waits for them. */
  | { kind: "handed_off" };


/** How far back a burst reaches: its longest possible span, with room for slow delivery. */
const BURST_LOOKBACK_MS = 2 * Number.parseInt(BURST_MAX_WAIT, 10) * 1000;

export async function routeMessage(messageId: string): Promise<RouteDecision> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await decide(messageId);
    } catch (error) {
      // Another message of this conversation started a run first: decide again.
      const raced = error instanceof ConversationTaken || (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002");
      if (!raced || attempt >= 3) throw error;
    }
  }
}

/** How specifically the flow's message trigger matches `inbound` (higher wins), or null when it does not. */
export function triggerSpecificity(graph: FlowGraph, inbound: InboundMessage, situation: { firstMessage: boolean }): number | null {
  let best: number | null = null;
  for (const node of graph.nodes) {
    const definition = nodeDefinition(node.type);
    if (definition?.trigger?.kind !== "message") continue;
    const config = parseConfig(definition, node.config, node.version);
    if (!config.ok) continue;
    const specificity = definition.trigger.match(config.config, inbound, situation);
    if (specificity !== null && (best === null || specificity > best)) best = specificity;
  }
  return best;
}

async function decide(messageId: string): Promise<RouteDecision> {
  const message = await db().message.findUniqueOrThrow({
    where: { id: messageId },
    include: { conversation: { include: { contact: true } } },
  });
  const { conversation } = message;
  const channel = await db().channel.findUniqueOrThrow({
    where: { id: message.channelId },
    select: { contactRule: true, allowlist: true, blocklist: true, optOutKeywords: true, optInKeywords: true, optOutReply: true },
  });
  // STOP (or the number's own keyword) ends the bot's part, whatever it was doing (even if a
  // run already took the message as an answer), and is confirmed once.
  const consent = consentKeyword(channel, message.text);
  if (consent) await recordConsent(conversation.contactId, consent, message.createdAt);
  if (consent === "opt_out") {
    if (conversation.activeRunId) await cancelRun({ runId: conversation.activeRunId, conversationId: conversation.id });
    if (channel.optOutReply) {
      await sendMessage({ conversationId: conversation.id, idempotencyKey: `opt-out:${message.id}`, message: { type: "text", text: channel.optOutReply } });
    }
    return { kind: "unmatched", reason: "the contact opted out" };
  }
  if (message.consumedByRunId) return { kind: "answered", runId: message.consumedByRunId };
  if (conversation.activeRunId) {
    const run = await db().flowRun.findUnique({ where: { id: conversation.activeRunId }, select: { status: true } });
    if (run?.status === "waiting") return { kind: "ring", runId: conversation.activeRunId, conversationId: conversation.id };
    return { kind: "busy", runId: conversation.activeRunId };
  }
  if (conversation.handedOffAt) return { kind: "handed_off" };
  if (!mayStartRuns(channel, conversation.contact.waId)) return { kind: "unmatched", reason: "the number's contact rules refuse this contact" };

  // With a burst window the router runs once the contact paused, for the burst's last
  // message: the run starts on everything the contact wrote since the last answer.
  const burst = burstWindow()
    ? await db().message.findMany({
        where: {
          conversationId: conversation.id,
          direction: "inbound",
          consumedByRunId: null,
          seq: { lte: message.seq },
          createdAt: { gte: new Date(message.createdAt.getTime() - BURST_LOOKBACK_MS) },
        },
        orderBy: { seq: "asc" },
      })
    : [message];
  const first = burst[0] ?? message;
  const inbound = mergeBurst(burst.map(toInboundMessage));
  const earlier = await db().message.count({ where: { conversationId: conversation.id, direction: "inbound", seq: { lt: first.seq } } });
  const situation = { firstMessage: earlier === 0 };
  // A studio test conversation runs only the draft version it is pinned to.
  const flows = conversation.testFlowVersionId
    ? await db().flowVersion.findMany({ where: { id: conversation.testFlowVersionId }, select: { flowId: true, id: true } })
    : (
        await db().flow.findMany({
          where: { channels: { some: { id: message.channelId } }, publishedVersionId: { not: null } },
          select: { id: true, publishedVersionId: true },
          orderBy: { createdAt: "asc" },
        })
      ).map((flow) => ({ flowId: flow.id, id: flow.publishedVersionId! }));
  let best: { flowId: string; versionId: string; specificity: number } | undefined;
  for (const version of flows) {
    const specificity = triggerSpecificity(await loadFlowGraph(version.id), inbound, situation);
    if (specificity !== null && (!best || specificity > best.specificity)) best = { flowId: version.flowId, versionId: version.id, specificity };
  }
  if (!best) return { kind: "unmatched", reason: flows.length === 0 ? "no published flow on this channel" : "no trigger matches" };

  const chosen = best;
  const trigger = { kind: "message", data: {} } as const;
  const run = await db().$transaction(async (tx) => {
    const created = await claimConversation(tx, {
      flowId: chosen.flowId,
      flowVersionId: chosen.versionId,
      conversationId: conversation.id,
      trigger,
      inboxAfterSeq: first.seq,
      triggerMessageId: first.id,
    });
    await tx.message.updateMany({ where: { id: { in: burst.map((m) => m.id) } }, data: { consumedByRunId: created.id, consumedAt: new Date() } });
    return created;
  });
  await markReadAndTyping(message.id);
  return {
    kind: "start",
    start: runStartOf({ runId: run.id, flowId: chosen.flowId, flowVersionId: chosen.versionId, conversation, message: inbound, trigger }),
  };
}
