// Decides where an inbound message goes: to the run that owns the conversation, or to a
// new run of the published flow whose trigger matches it. At most one run owns a
// conversation: ownership is taken by compare-and-set on Conversation.activeRunId.
import { sql } from "@/server/db/sql";
import { isUniqueViolation } from "@/server/db/unique-retry";
import { consentKeyword, mayStartRuns, recordConsent, type ContactRules } from "@/server/channels/contact-rules";
import { markReadAndTyping, SENDING_CHANNEL_JSON, sendMessage, type SendingChannel } from "@/server/channels/send";
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
      const raced = error instanceof ConversationTaken || isUniqueViolation(error);
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

/** The message to route, with what deciding needs of its conversation, contact and number, as one statement reads it. */
interface RoutedMessageRow {
  id: string;
  seq: string;
  conversationId: string;
  channelId: string;
  type: string;
  text: string | null;
  payload: unknown;
  wamid: string | null;
  createdAt: Date;
  consumedByRunId: string | null;
  activeRunId: string | null;
  activeRunStatus: string | null;
  handedOffAt: Date | null;
  contactId: string;
  contactName: string | null;
  waId: string | null;
  /** The seq of the conversation's first inbound message: is this the contact's first? */
  firstInboundSeq: string;
  rules: ContactRules;
  channel: SendingChannel;
  /** The flow versions that may start here: the test version a studio conversation is pinned to, else the number's published flows, oldest first. */
  versions: { flowId: string; versionId: string }[] | null;
}

async function decide(messageId: string): Promise<RouteDecision> {
  // Plain SQL (server/db/sql.ts), one statement: every message a contact writes passes here.
  const [message] = await sql().$queryRaw<RoutedMessageRow>`
    SELECT m.id, m.seq, m."conversationId", m."channelId", m.type, m.text, m.payload, m.wamid, m."createdAt", m."consumedByRunId",
      c."activeRunId", (SELECT r.status FROM "FlowRun" r WHERE r.id = c."activeRunId") AS "activeRunStatus", c."handedOffAt",
      ct.id AS "contactId", ct.name AS "contactName", ct."waId",
      (SELECT min(e.seq) FROM "Message" e WHERE e."conversationId" = c.id AND e.direction = 'inbound') AS "firstInboundSeq",
      json_build_object('contactRule', ch."contactRule", 'allowlist', ch.allowlist, 'blocklist', ch.blocklist,
        'optOutKeywords', ch."optOutKeywords", 'optInKeywords', ch."optInKeywords", 'optOutReply', ch."optOutReply") AS rules,
      ${SENDING_CHANNEL_JSON} AS channel,
      CASE WHEN c."testFlowVersionId" IS NOT NULL
        THEN (SELECT json_agg(json_build_object('flowId', v."flowId", 'versionId', v.id)) FROM "FlowVersion" v WHERE v.id = c."testFlowVersionId")
        -- "_ChannelToFlow" is Prisma's table for Channel.flows: A is the channel, B the flow.
        ELSE (SELECT json_agg(json_build_object('flowId', f.id, 'versionId', f."publishedVersionId") ORDER BY f."createdAt")
          FROM "Flow" f JOIN "_ChannelToFlow" listens ON listens."B" = f.id
          WHERE listens."A" = m."channelId" AND f."publishedVersionId" IS NOT NULL)
      END AS versions
    FROM "Message" m
    JOIN "Conversation" c ON c.id = m."conversationId"
    JOIN "Contact" ct ON ct.id = c."contactId"
    JOIN "Channel" ch ON ch.id = m."channelId"
    WHERE m.id = ${messageId}`;
  if (!message) throw new Error(`Message ${messageId} does not exist.`);
  const { rules, channel } = message;
  // STOP (or the number's own keyword) ends the bot's part, whatever it was doing (even if a
  // run already took the message as an answer), and is confirmed once.
  const consent = consentKeyword(rules, message.text);
  if (consent) await recordConsent(message.contactId, consent, message.createdAt);
  if (consent === "opt_out") {
    if (message.activeRunId) await cancelRun({ runId: message.activeRunId, conversationId: message.conversationId });
    if (rules.optOutReply) {
      await sendMessage({ conversationId: message.conversationId, idempotencyKey: `opt-out:${message.id}`, message: { type: "text", text: rules.optOutReply } });
    }
    return { kind: "unmatched", reason: "the contact opted out" };
  }
  if (message.consumedByRunId) return { kind: "answered", runId: message.consumedByRunId };
  if (message.activeRunId) {
    if (message.activeRunStatus === "waiting") return { kind: "ring", runId: message.activeRunId, conversationId: message.conversationId };
    return { kind: "busy", runId: message.activeRunId };
  }
  if (message.handedOffAt) return { kind: "handed_off" };
  if (!mayStartRuns(rules, message.waId)) return { kind: "unmatched", reason: "the number's contact rules refuse this contact" };

  // With a burst window the router runs once the contact paused, for the burst's last
  // message: the run starts on everything the contact wrote since the last answer.
  const burst = burstWindow()
    ? await sql().$queryRaw<{ id: string; seq: string; type: string; text: string | null; payload: unknown; createdAt: Date }>`
        SELECT id, seq, type, text, payload, "createdAt" FROM "Message"
        WHERE "conversationId" = ${message.conversationId} AND direction = 'inbound' AND "consumedByRunId" IS NULL
          AND seq <= ${message.seq}::bigint AND "createdAt" >= ${new Date(message.createdAt.getTime() - BURST_LOOKBACK_MS)}::timestamp
        ORDER BY seq`
    : [message];
  const first = burst[0] ?? message;
  const inbound = mergeBurst(burst.map(toInboundMessage));
  const situation = { firstMessage: message.firstInboundSeq === first.seq };
  const versions = message.versions ?? [];
  let best: { flowId: string; versionId: string; specificity: number } | undefined;
  for (const version of versions) {
    const specificity = triggerSpecificity(await loadFlowGraph(version.versionId), inbound, situation);
    if (specificity !== null && (!best || specificity > best.specificity)) best = { ...version, specificity };
  }
  if (!best) return { kind: "unmatched", reason: versions.length === 0 ? "no published flow on this channel" : "no trigger matches" };

  const trigger = { kind: "message", data: {} } as const;
  const run = await claimConversation(sql(), {
    flowId: best.flowId,
    flowVersionId: best.versionId,
    conversationId: message.conversationId,
    trigger,
    inboxAfterSeq: BigInt(first.seq),
    triggerMessageId: first.id,
    consumes: burst.map((m) => m.id),
  });
  await markReadAndTyping(channel, message);
  const conversation = { id: message.conversationId, contact: { id: message.contactId, name: message.contactName, waId: message.waId } };
  return {
    kind: "start",
    start: runStartOf({ runId: run.id, flowId: best.flowId, flowVersionId: best.versionId, conversation, message: inbound, trigger }),
  };
}
