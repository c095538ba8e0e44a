// Replaying a recorded run against the flow's current draft, a regression check before
// publishing: the contact's messages of that run are played, in order, to the draft, and
// each of the draft's answers is set beside what the run really sent. The draft runs in
// memory (flows/testing.ts): nothing is sent to the contact and nothing is stored, while
// the workspace's models, documents, tables and secrets answer as they would in a run.
// HTTP requests go out only when they read (GET, HEAD): a replay must not place orders.
import { compileFlow, FlowCompileError } from "@/flows/compiler";
import { outboundText, type OutboundMessage } from "@/flows/message";
import { flowGraphSchema } from "@/flows/schema";
import { runCompiledScripted } from "@/flows/testing";
import { OutboundHttpError, type OutboundFetch } from "@/flows/http/outbound";
import { db } from "@/server/db/client";
import { chatForRun } from "@/server/ai/chat";
import { conversationHistory, MAX_HISTORY_TURNS } from "@/server/conversations/history";
import { toInboundMessage } from "@/server/conversations/inbox";
import { searchKnowledgeForRun, searchTableForRun } from "@/server/knowledge/store";
import { outboundFetch } from "@/server/security/outbound-http";
import { readNodeSecretForRun } from "@/server/security/node-secrets";
import { storedTrigger } from "./resume";

export class ReplayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReplayError";
  }
}

export interface ReplayTurn {
  /** What the contact wrote; null for the start of a run a schedule or an event began. */
  heard: string | null;
  recorded: string[];
  draft: string[];
  same: boolean;
}

const readOnlyFetch: OutboundFetch = (request) => {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return Promise.reject(new OutboundHttpError("refused", `A replay makes no ${request.method} request: it could change something.`));
  }
  return outboundFetch(request);
};

const shown = (message: OutboundMessage) => outboundText(message) ?? `[${message.type}]`;

export async function replayRunAgainstDraft(input: { runId: string; workspaceId: string }) {
  const run = await db().flowRun.findFirst({
    where: { id: input.runId, flow: { workspaceId: input.workspaceId } },
    include: { flow: { select: { draft: true, draftRevision: true } }, conversation: { include: { contact: true } } },
  });
  if (!run) throw new ReplayError("No such run in your workspace.");
  const draft = flowGraphSchema.safeParse(run.flow.draft);
  if (!draft.success) throw new ReplayError("The draft is not a valid flow: open it in the studio to see why.");
  let flow;
  try {
    flow = compileFlow(draft.data);
  } catch (error) {
    if (error instanceof FlowCompileError) throw new ReplayError(`The draft cannot run yet: ${error.message}`);
    throw error;
  }

  const messages = await db().message.findMany({
    where: { conversationId: run.conversationId, OR: [{ runId: run.id }, { consumedByRunId: run.id }] },
    orderBy: { seq: "asc" },
  });
  // The recorded run, turn by turn: what the bot sent after each message the run took.
  const startedByMessage = run.triggerKind === "message";
  const recorded: { heard: (typeof messages)[number] | null; sent: string[] }[] = startedByMessage ? [] : [{ heard: null, sent: [] }];
  for (const message of messages) {
    if (message.direction === "inbound") recorded.push({ heard: message, sent: [] });
    else if (message.status !== "failed") recorded.at(-1)?.sent.push(message.text ?? `[${message.type}]`);
  }

  const heard = messages.filter((message) => message.direction === "inbound").map(toInboundMessage);
  const conversationId = run.conversationId;
  const history = await conversationHistory({ conversationId, turns: MAX_HISTORY_TURNS, beforeMessageId: heard[0]?.id ?? null });
  const trigger = storedTrigger(run);
  const replay = await runCompiledScripted(flow, startedByMessage ? (heard[0] ?? null) : null, startedByMessage ? heard.slice(1) : heard, {
    contact: { id: run.conversation.contact.id, name: run.conversation.contact.name, waId: run.conversation.contact.waId },
    trigger,
    history,
    fetch: readOnlyFetch,
    services: {
      chat: (request) => chatForRun({ ...request, runId: `replay:${run.id}`, conversationId }),
      searchKnowledge: (request) => searchKnowledgeForRun({ ...request, conversationId }),
      searchTable: (request) => searchTableForRun({ ...request, conversationId }),
      readSecret: (request) => readNodeSecretForRun({ ...request, conversationId }),
    },
  });

  const turns: ReplayTurn[] = recorded.map((turn, index) => {
    const draftSent = (replay.turns[index]?.sent ?? []).map(shown);
    return {
      heard: turn.heard ? (turn.heard.text ?? `[${turn.heard.type}]`) : null,
      recorded: turn.sent,
      draft: draftSent,
      same: draftSent.length === turn.sent.length && draftSent.every((text, i) => text === turn.sent[i]),
    };
  });
  return {
    draftRevision: run.flow.draftRevision,
    turns,
    differences: turns.filter((turn) => !turn.same).length,
    /** How the draft's run ended: "waiting" when it asked for more than the contact wrote. */
    draftStatus: replay.status,
    draftError: replay.error ?? null,
    modelCalls: replay.traces.reduce((count, trace) => count + (trace.modelCalls?.length ?? 0), 0),
  };
}
