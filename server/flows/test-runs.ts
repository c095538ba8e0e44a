// The studio's test panel: a chat with the DRAFT of a flow through the real path. The draft
// is frozen as a test-only FlowVersion (never published, numbered -1, -2…), and each person
// gets a test contact per flow on the workspace's simulator channel whose conversation is
// pinned to that version: the router starts (and rings) runs of it for every message, on
// the real executor with the flow's real compiled function, and no published flow sees them.
import { createHash } from "node:crypto";
import { compileFlow, flowRunEventName, flowStart } from "@/flows/compiler";
import type { FlowGraph } from "@/flows/schema";
import { db, Prisma } from "@/server/db/client";
import { inngest } from "@/server/inngest/client";
import { syncFunctions } from "@/server/inngest/sync";
import { triggerSpecificity } from "@/server/conversations/router";
import { cancelRun } from "@/server/runs/cancel";
import { loadFlowGraph } from "@/server/runs/flow-versions";
import { claimConversation, runStartOf } from "@/server/runs/start";
import { clearTranscript, isSimulatorChannel, sendAsCustomer, transcript, type CustomerMessage } from "@/server/simulator/phone";

/** Something the person testing must fix first; the message says what. */
export class TestRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TestRunError";
  }
}

interface Tester {
  workspaceId: string;
  flowId: string;
  userId: string;
}

/** The test contact's number: "999" and nine digits of the person and the flow, stable across sessions. */
export function testContactNumber(userId: string, flowId: string): string {
  const digest = createHash("sha256").update(`${userId}:${flowId}`).digest();
  return `999${(digest.readUInt32BE(0) % 1_000_000_000).toString().padStart(9, "0")}`;
}

async function simulatorChannel(workspaceId: string) {
  const channels = await db().channel.findMany({ where: { workspaceId }, orderBy: { createdAt: "asc" } });
  const channel = channels.find(isSimulatorChannel);
  if (!channel) throw new TestRunError("This workspace has no simulator channel to test on: `npm start` creates one named “Simulator”.");
  return channel;
}

async function testConversation(tester: Tester) {
  const waId = testContactNumber(tester.userId, tester.flowId);
  const channel = await simulatorChannel(tester.workspaceId);
  const conversation = await db().conversation.findFirst({
    where: { channelId: channel.id, contact: { workspaceId: tester.workspaceId, waId } },
    include: { contact: true },
  });
  return { waId, channel, conversation };
}

/** Freezes `graph` as a new test-only version of the flow. Refuses a draft that cannot run. */
async function freezeTestVersion(flowId: string, graph: FlowGraph) {
  compileFlow(graph); // throws FlowCompileError with the errors
  for (let attempt = 0; ; attempt++) {
    try {
      return await db().$transaction(async (tx) => {
        const lowest = await tx.flowVersion.findFirst({ where: { flowId, testOnly: true }, orderBy: { number: "asc" }, select: { number: true } });
        const earlier = await tx.flowVersion.count({ where: { flowId } });
        const version = await tx.flowVersion.create({
          data: { flowId, number: Math.min(lowest?.number ?? 0, 0) - 1, graph: graph as Prisma.InputJsonValue, testOnly: true },
        });
        return { id: version.id, number: version.number, firstOfFlow: earlier === 0 };
      });
    } catch (error) {
      // Two tests of one flow started at once took the same number: take the next.
      if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") || attempt >= 3) throw error;
    }
  }
}

/**
 * Starts (or restarts) the person's test of the draft `graph`: a fresh test version, and
 * the test conversation emptied and pinned to it. A flow started by a schedule or an API
 * event gets its run at once; a message flow waits for the first message.
 */
export async function startTest(tester: Tester & { graph: FlowGraph }): Promise<{ versionId: string; startedRun: boolean }> {
  const version = await freezeTestVersion(tester.flowId, tester.graph);
  // A flow is served as a function once it has a version: the first one needs a sync.
  if (version.firstOfFlow) await syncFunctions();
  const { waId, channel, conversation: existing } = await testConversation(tester);
  const user = await db().user.findUnique({ where: { id: tester.userId }, select: { name: true, email: true } });
  const contact = await db().contact.upsert({
    where: { workspaceId_waId: { workspaceId: tester.workspaceId, waId } },
    create: { workspaceId: tester.workspaceId, waId, name: `${user?.name ?? user?.email ?? "Tester"} (test)` },
    update: {},
  });
  if (existing?.activeRunId) await cancelRun({ runId: existing.activeRunId, conversationId: existing.id });
  const conversation = await db().conversation.upsert({
    where: { channelId_contactId: { channelId: channel.id, contactId: contact.id } },
    create: { workspaceId: tester.workspaceId, channelId: channel.id, contactId: contact.id, testFlowVersionId: version.id },
    update: { testFlowVersionId: version.id },
    include: { contact: true },
  });
  // Test versions another person's test is pinned to stay, even before its first message.
  const pinned = await db().conversation.findMany({
    where: { workspaceId: tester.workspaceId, testFlowVersionId: { not: null } },
    select: { testFlowVersionId: true },
  });
  const inUse = [version.id, ...pinned.flatMap((c) => (c.testFlowVersionId ? [c.testFlowVersionId] : []))];
  // Restart: the conversation forgets everything, as if the contact had never written.
  await db().$transaction([
    db().flowRun.deleteMany({ where: { conversationId: conversation.id } }),
    db().message.deleteMany({ where: { conversationId: conversation.id } }),
    db().lookupCache.deleteMany({ where: { conversationId: conversation.id } }),
    db().conversation.update({
      where: { id: conversation.id },
      data: { activeRunId: null, handedOffAt: null, handoffReason: null, lastInboundAt: null, lastMessageAt: null },
    }),
    // Older test versions nobody's test run uses any more.
    db().flowVersion.deleteMany({ where: { flowId: tester.flowId, testOnly: true, id: { notIn: inUse }, runs: { none: {} } } }),
  ]);
  await clearTranscript({ phoneNumberId: channel.phoneNumberId, waId });

  const start = flowStart(compileFlow(tester.graph));
  if (start.kind === "message") return { versionId: version.id, startedRun: false };
  const trigger = start.kind === "event" ? ({ kind: "event", name: start.name, data: {} } as const) : ({ kind: "schedule", data: {} } as const);
  const run = await db().$transaction((tx) =>
    claimConversation(tx, { flowId: tester.flowId, flowVersionId: version.id, conversationId: conversation.id, trigger, inboxAfterSeq: 0n }),
  );
  await inngest().send({
    id: `run:${run.id}`,
    name: flowRunEventName(tester.flowId),
    data: runStartOf({ runId: run.id, flowId: tester.flowId, flowVersionId: version.id, conversation, message: null, trigger }),
  });
  return { versionId: version.id, startedRun: true };
}

/**
 * The test contact sends `message` through the real webhook. `matched` is false when no
 * run is under way and the draft's trigger would not start one for it (so nothing will answer).
 */
export async function sendTestMessage(tester: Tester & { message: CustomerMessage }): Promise<{ matched: boolean }> {
  const { waId, channel, conversation } = await testConversation(tester);
  const version = conversation?.testFlowVersionId
    ? await db().flowVersion.findFirst({ where: { id: conversation.testFlowVersionId, flowId: tester.flowId }, select: { id: true } })
    : null;
  if (!conversation || !version) throw new TestRunError("Start the test first: open the test panel on this flow.");
  let matched = true;
  if (!conversation.activeRunId && !conversation.handedOffAt) {
    const earlier = await db().message.count({ where: { conversationId: conversation.id, direction: "inbound" } });
    const preview = {
      id: "preview",
      ...previewOf(tester.message),
      receivedAt: new Date().toISOString(),
    };
    matched = triggerSpecificity(await loadFlowGraph(version.id), preview, { firstMessage: earlier === 0 }) !== null;
  }
  await sendAsCustomer({ channelId: channel.id, workspaceId: tester.workspaceId, customer: { waId, name: conversation.contact.name ?? "Tester" }, message: tester.message });
  return { matched };
}

/** The message as a trigger reads it, before it is stored. */
function previewOf(message: CustomerMessage): { type: string; text: string | null; replyId: string | null } {
  switch (message.kind) {
    case "text":
      return { type: "text", text: message.text, replyId: null };
    case "media":
      return { type: message.mimeType.startsWith("image/") ? "image" : "document", text: message.caption ?? null, replyId: null };
    case "template":
      return { type: "button", text: message.title, replyId: message.id };
    default:
      return { type: "interactive", text: message.title, replyId: message.id };
  }
}

/** What the test panel shows: the chat, and the latest run with the nodes it went through and its variables. */
export async function testState(tester: Tester) {
  const { waId, channel, conversation } = await testConversation(tester);
  const version = conversation?.testFlowVersionId
    ? await db().flowVersion.findFirst({ where: { id: conversation.testFlowVersionId, flowId: tester.flowId }, select: { id: true, publishedAt: true } })
    : null;
  if (!conversation || !version) return null;
  const run = await db().flowRun.findFirst({
    where: { conversationId: conversation.id },
    orderBy: { startedAt: "desc" },
    include: { traces: { orderBy: [{ startedAt: "asc" }, { endedAt: "asc" }], select: { nodeId: true, port: true, input: true, output: true, error: true } } },
  });
  const last = run?.traces.at(-1);
  const lastVars = (last?.input as { vars?: Record<string, unknown> } | null)?.vars;
  return {
    versionId: version.id,
    startedAt: version.publishedAt,
    contact: { waId, name: conversation.contact.name },
    handedOff: conversation.handedOffAt !== null,
    messages: await transcript({ phoneNumberId: channel.phoneNumberId, waId }),
    run: run
      ? {
          id: run.id,
          status: run.status,
          error: run.error,
          waitingNodeId: run.waitingNodeId,
          // Finished runs keep their final variables; a run under way shows them as its last node left them.
          vars: (run.endedAt ? run.vars : (lastVars ?? {})) as Record<string, unknown>,
          nodes: Object.fromEntries(run.traces.filter((t) => t.output !== null).map((t) => [t.nodeId, t.output])) as Record<string, unknown>,
          traces: run.traces.map((t) => ({ nodeId: t.nodeId, port: t.port, error: (t.error as { message?: string } | null)?.message ?? null })),
        }
      : null,
  };
}
