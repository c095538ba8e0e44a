// Media a contact sent through the Cloud API: GET /{media-id} with the number's token gives
// a link valid for five minutes, its type, size and SHA-256; the file is then read from the
// link with the same token (whatsapp.md fact 6). A link that expired is simply asked for again.
import { createHash } from "node:crypto";
import { z } from "zod";
import { decryptSecret } from "@/server/security/secrets";
import { fetchMedia, MAX_MEDIA_BYTES, MediaDownloadError, type DownloadedMedia } from "../media";
import type { ProviderChannel } from "../provider";
import { deliveryError } from "./errors";
import { graphApiVersion, graphBaseUrl } from "./graph-client";

const mediaInfoSchema = z.looseObject({
  url: z.url(),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  file_size: z.coerce.number().optional(),
});

export async function downloadThroughGraph(channel: ProviderChannel, mediaId: string): Promise<DownloadedMedia> {
  const token = decryptSecret(channel.accessTokenCipher);
  const infoUrl = new URL(`${graphBaseUrl(channel)}/${graphApiVersion()}/${encodeURIComponent(mediaId)}`);
  infoUrl.searchParams.set("phone_number_id", channel.phoneNumberId);
  let response: Response;
  try {
    response = await fetch(infoUrl, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    throw new MediaDownloadError(`The Graph API could not be reached: ${(error as Error).message}`, true);
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = deliveryError((body as { error?: unknown } | null)?.error);
    throw new MediaDownloadError(
      `Meta refused media ${mediaId} (${response.status}${error.code !== null ? `, code ${error.code}` : ""}): ${error.meaning}`,
      response.status === 429 || response.status >= 500 || error.retriable,
    );
  }
  const info = mediaInfoSchema.safeParse(body);
  if (!info.success) throw new MediaDownloadError(`Unexpected Graph API answer for media ${mediaId}: ${JSON.stringify(body)?.slice(0, 200)}`, false);
  if ((info.data.file_size ?? 0) > MAX_MEDIA_BYTES) throw new MediaDownloadError(`Media ${mediaId} is ${info.data.file_size} bytes, over the limit.`, false);
  const file = await fetchMedia(info.data.url, { authorization: `Bearer ${token}` }, `Meta's media link for ${mediaId}`);
  if (info.data.sha256 && createHash("sha256").update(file.bytes).digest("hex") !== info.data.sha256) {
    throw new MediaDownloadError(`Media ${mediaId} arrived damaged: its SHA-256 is not the one Meta gave.`, true);
  }
  return { bytes: file.bytes, mimeType: info.data.mime_type ?? file.mimeType };
}
