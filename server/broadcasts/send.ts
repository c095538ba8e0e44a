// Sending a broadcast: a durable function takes the queued recipients a batch per step and
// sends each its template through sendMessage, so every send is paced under the number's
// throughput and the contact's pair rate, retried on "slow down", and keyed by the
// recipient: a step run again after a crash sends nobody twice. Cancelling marks who is
// still queued, which every send checks first, and ends the function (cancelOn).
import { z } from "zod";
import { db } from "@/server/db/client";
import { withUniqueRetry } from "@/server/db/unique-retry";
import { sendMessage } from "@/server/channels/send";
import { ChannelSendError } from "@/server/channels/send-error";
import { inngest } from "@/server/inngest/client";
import { log } from "@/server/observability/log";
import { audienceSchema, skipReason } from "./audience";
import { personalise } from "./parameters";
import type { OutboundMessage } from "@/flows/message";

export const BROADCAST_SEND_EVENT = "parley/broadcast.send";
export const BROADCAST_CANCEL_EVENT = "parley/broadcast.cancel";

/** Recipients sent per step: a cancel takes effect within one batch (under a second at 80 messages/s). */
const BATCH_SIZE = 50;
const RETRIES = 8;

const broadcastEventSchema = z.object({ broadcastId: z.string(), channelId: z.string(), scheduledFor: z.string().optional() });

export function broadcastFunction() {
  return inngest().createFunction(
    {
      id: "broadcast-send",
      name: "Send a broadcast",
      triggers: [{ event: BROADCAST_SEND_EVENT }],
      cancelOn: [{ event: BROADCAST_CANCEL_EVENT, match: "data.broadcastId" }],
      // One broadcast at a time per number: a second one queues rather than halving the first one's pace.
      concurrency: [{ key: "event.data.channelId", limit: 1 }],
      retries: RETRIES,
      // Out of retries (the database gone for good, say): those not reached yet are marked so, not left queued.
      onFailure: async ({ event, error }) => {
        const failed = broadcastEventSchema.safeParse(event.data.event.data);
        if (failed.success) await abandonBroadcast(failed.data.broadcastId, error.message);
      },
    },
    async ({ event, step, attempt }) => {
      const { broadcastId, scheduledFor } = broadcastEventSchema.parse(event.data);
      if (scheduledFor) {
        await step.sleepUntil("scheduled", scheduledFor);
        // Cancelled while it waited: nothing to begin.
        if (!(await step.run("begin", () => beginScheduledBroadcast(broadcastId)))) return;
      }
      for (let batch = 0; ; batch++) {
        const { remaining } = await step.run(`send:${batch}`, () => sendNextRecipients(broadcastId, { lastAttempt: attempt >= RETRIES }));
        if (remaining === 0) break;
      }
      await step.run("finish", () => finishBroadcast(broadcastId));
    },
  );
}

/** Sends the next batch of queued recipients; returns how many are still queued. */
export async function sendNextRecipients(broadcastId: string, options: { lastAttempt?: boolean } = {}): Promise<{ remaining: number }> {
  const broadcast = await db().broadcast.findUnique({ where: { id: broadcastId }, include: { channel: true } });
  if (!broadcast || broadcast.status !== "sending") return { remaining: 0 };
  const recipients = await db().broadcastRecipient.findMany({
    where: { broadcastId, status: "queued" },
    orderBy: { id: "asc" },
    take: BATCH_SIZE,
    include: { contact: true },
  });
  const { optedInOnly } = audienceSchema.parse(broadcast.audience);
  for (const recipient of recipients) {
    // A cancel between batches is seen here, before each send, not after the batch.
    const current = await db().broadcastRecipient.findUnique({ where: { id: recipient.id }, select: { status: true } });
    if (current?.status !== "queued") continue;
    const { contact } = recipient;
    const conversation = await withUniqueRetry(() =>
      db().conversation.upsert({
        where: { channelId_contactId: { channelId: broadcast.channelId, contactId: contact.id } },
        create: { workspaceId: broadcast.workspaceId, channelId: broadcast.channelId, contactId: contact.id },
        update: {},
        select: { id: true, lastInboundAt: true },
      }),
    );
    // Checked again at the send: the contact may have said STOP since the broadcast was written.
    const skipped = skipReason(broadcast.channel, contact, conversation.lastInboundAt, optedInOnly);
    const message = templateFor(broadcast, contact);
    if (skipped || "reason" in message) {
      await settle(recipient.id, skipped ? { status: "skipped", reason: skipped } : { status: "failed", reason: (message as { reason: string }).reason });
      continue;
    }
    try {
      const sent = await sendMessage({
        conversationId: conversation.id,
        idempotencyKey: `broadcast:${recipient.id}`,
        message,
      });
      await settle(recipient.id, { status: "sent", messageId: sent.messageId });
    } catch (error) {
      if (!(error instanceof ChannelSendError)) throw error;
      // "Slow down" that outlasted sendMessage's own retries: the step is retried later, unless this was its last try.
      if (error.retriable && !options.lastAttempt) throw error;
      const messageId = (await db().message.findUnique({ where: { idempotencyKey: `broadcast:${recipient.id}` }, select: { id: true } }))?.id;
      await settle(recipient.id, { status: "failed", reason: error.message, messageId });
    }
  }
  return { remaining: await db().broadcastRecipient.count({ where: { broadcastId, status: "queued" } }) };
}

const storedHeaderSchema = z.object({ format: z.enum(["text", "image", "video", "document"]), value: z.string() }).nullable();
const storedButtonsSchema = z.array(z.object({ index: z.number(), subType: z.enum(["url", "quick_reply"]), value: z.string() })).nullable();

/** The broadcast's template for one contact, every parameter personalised; or why it cannot be. */
function templateFor(
  broadcast: { templateName: string; templateLanguage: string; bodyParameters: string[]; header: unknown; buttonParameters: unknown },
  contact: { name: string | null; waId: string | null },
): OutboundMessage | { reason: string } {
  const header = storedHeaderSchema.parse(broadcast.header ?? null);
  const buttons = storedButtonsSchema.parse(broadcast.buttonParameters ?? null) ?? [];
  const body = personalise(broadcast.bodyParameters, contact);
  const extras = personalise([...(header ? [header.value] : []), ...buttons.map((button) => button.value)], contact);
  if (!body.ok) return { reason: body.reason };
  if (!extras.ok) return { reason: extras.reason.replace(/^parameter \{\{\d+\}\}/, "a header or button parameter") };
  const [headerValue, ...buttonValues] = header ? extras.parameters : [undefined, ...extras.parameters];
  return {
    type: "template",
    name: broadcast.templateName,
    language: broadcast.templateLanguage,
    bodyParameters: body.parameters,
    ...(header ? { header: header.format === "text" ? { type: "text" as const, text: headerValue! } : { type: header.format, url: headerValue! } } : {}),
    ...(buttons.length > 0 ? { buttons: buttons.map((button, i) => ({ index: button.index, subType: button.subType, value: buttonValues[i]! })) } : {}),
  };
}

async function settle(recipientId: string, outcome: { status: "sent" | "skipped" | "failed"; reason?: string; messageId?: string }): Promise<void> {
  // A cancel (or the function giving up) that got there first stands, unless the message went out anyway: then what happened is recorded.
  const settleable = outcome.status === "sent" ? (["queued", "cancelled", "failed"] as const) : (["queued"] as const);
  await db().broadcastRecipient.updateMany({ where: { id: recipientId, status: { in: [...settleable] } }, data: { reason: null, ...outcome } });
}

/** A scheduled broadcast's time has come: it starts sending, unless it was cancelled. */
export async function beginScheduledBroadcast(broadcastId: string): Promise<boolean> {
  await db().broadcast.updateMany({ where: { id: broadcastId, status: "scheduled" }, data: { status: "sending" } });
  return (await db().broadcast.count({ where: { id: broadcastId, status: "sending" } })) === 1;
}

/** Ends a broadcast that cannot go on: its queued recipients fail with the reason. */
export async function abandonBroadcast(broadcastId: string, reason: string): Promise<void> {
  await db().broadcastRecipient.updateMany({ where: { broadcastId, status: "queued" }, data: { status: "failed", reason: `The broadcast stopped: ${reason}` } });
  await finishBroadcast(broadcastId);
}

export async function finishBroadcast(broadcastId: string): Promise<void> {
  const finished = await db().broadcast.updateMany({ where: { id: broadcastId, status: "sending" }, data: { status: "completed", finishedAt: new Date() } });
  if (finished.count > 0) log().info({ broadcastId }, "broadcast sent");
}
