// The media contacts send, kept by Parley: downloaded from the provider (by a durable
// function as soon as the message is stored, or on the spot when someone opens it first)
// into the media store, and read back for the inbox and for flows' links.
import { createHash } from "node:crypto";
import { NonRetriableError } from "inngest";
import { z } from "zod";
import { inboundMediaSchema } from "@/flows/message";
import { db } from "@/server/db/client";
import { MediaDownloadError } from "@/server/channels/media";
import { providerFor } from "@/server/channels/providers";
import { inngest } from "@/server/inngest/client";
import { mediaStore, MediaStoreError } from "./storage";

export const MEDIA_RECEIVED_EVENT = "parley/media.received";

export class MediaNotFound extends Error {
  name = "MediaNotFound";
}

const mediaOfPayload = z.object({ details: z.object({ media: inboundMediaSchema }) });

export interface StoredMedia {
  messageId: string;
  workspaceId: string;
  mimeType: string;
  storageKey: string;
  filename: string | null;
}

async function mediaMessage(messageId: string) {
  const message = await db().message.findUnique({
    where: { id: messageId },
    select: { id: true, direction: true, payload: true, channel: true, conversation: { select: { workspaceId: true } }, media: true },
  });
  const media = message?.direction === "inbound" ? mediaOfPayload.safeParse(message.payload) : null;
  if (!message || !media?.success) throw new MediaNotFound(`Message ${messageId} holds no media from a contact.`);
  return { message, media: media.data.details.media };
}

/** Downloads the message's medium into the media store unless it is there already. */
export async function ensureMediaStored(messageId: string): Promise<StoredMedia> {
  const { message, media } = await mediaMessage(messageId);
  const workspaceId = message.conversation.workspaceId;
  const known = message.media;
  if (known?.status === "stored" && known.storageKey) {
    return { messageId, workspaceId, mimeType: known.mimeType ?? "application/octet-stream", storageKey: known.storageKey, filename: media.filename };
  }
  try {
    const file = await providerFor(message.channel.provider).downloadMedia(message.channel, media.id);
    const mimeType = media.mimeType ?? file.mimeType ?? "application/octet-stream";
    const storageKey = `${workspaceId}/${messageId}`;
    await mediaStore().put(storageKey, file.bytes, mimeType);
    const stored = {
      status: "stored" as const,
      mimeType,
      size: file.bytes.byteLength,
      sha256: createHash("sha256").update(file.bytes).digest("hex"),
      storageKey,
      error: null,
      storedAt: new Date(),
    };
    await db().mediaFile.upsert({ where: { messageId }, create: { messageId, workspaceId, attempts: 1, ...stored }, update: { attempts: { increment: 1 }, ...stored } });
    return { messageId, workspaceId, mimeType, storageKey, filename: media.filename };
  } catch (error) {
    if (error instanceof MediaDownloadError || error instanceof MediaStoreError) {
      // Recorded unless another download (the inbox's, the function's) stored it meanwhile.
      const failed = { status: "failed" as const, error: error.message };
      const updated = await db().mediaFile.updateMany({ where: { messageId, status: { not: "stored" } }, data: { attempts: { increment: 1 }, ...failed } });
      if (updated.count === 0) await db().mediaFile.createMany({ data: [{ messageId, workspaceId, attempts: 1, ...failed }], skipDuplicates: true });
    }
    throw error;
  }
}

/** The medium's bytes, downloading it first if need be (and again if the store lost it). */
export async function readMedia(messageId: string): Promise<StoredMedia & { bytes: Uint8Array }> {
  const stored = await ensureMediaStored(messageId);
  const bytes = await mediaStore().get(stored.storageKey);
  if (bytes) return { ...stored, bytes };
  await db().mediaFile.update({ where: { messageId }, data: { status: "pending", storageKey: null } });
  const again = await ensureMediaStored(messageId);
  const retried = await mediaStore().get(again.storageKey);
  if (!retried) throw new MediaDownloadError("The media store lost the file just stored.", true);
  return { ...again, bytes: retried };
}

/** Deletes the stored files of media rows about to be deleted with their messages (erasure, retention). */
export async function deleteStoredMedia(where: { messageId?: { in: string[] }; message?: { conversationId: { in: string[] } } }): Promise<number> {
  const files = await db().mediaFile.findMany({ where: { ...where, storageKey: { not: null } }, select: { storageKey: true } });
  const store = mediaStore();
  for (const file of files) await store.delete(file.storageKey!);
  return files.length;
}

const mediaEventSchema = z.object({ messageId: z.string() });

/** Downloads each medium as soon as its message is stored: Meta keeps media for 30 days only. */
export function mediaFunction() {
  return inngest().createFunction(
    { id: "media-download", name: "Download a contact's media", triggers: [{ event: MEDIA_RECEIVED_EVENT }], retries: 6, concurrency: [{ limit: 4 }] },
    async ({ event, step }) => {
      const { messageId } = mediaEventSchema.parse(event.data);
      return step.run("download", async () => {
        try {
          const stored = await ensureMediaStored(messageId);
          return { storageKey: stored.storageKey };
        } catch (error) {
          if (error instanceof MediaNotFound || (error instanceof MediaDownloadError && !error.retriable)) throw new NonRetriableError(error.message);
          throw error;
        }
      });
    },
  );
}
