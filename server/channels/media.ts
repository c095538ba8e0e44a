// Downloading what contacts send (images, voice notes, documents…): each provider knows
// where its media lives (Meta: a media id resolved to a short-lived link; Twilio: a link),
// and fetches it through here, so limits and failures read the same for every provider.
export const MAX_MEDIA_BYTES = 100 * 1024 * 1024;

export interface DownloadedMedia {
  bytes: Uint8Array;
  mimeType: string | null;
}

/** A medium that could not be downloaded; `retriable` when a later attempt may succeed. */
export class MediaDownloadError extends Error {
  name = "MediaDownloadError";
  constructor(
    message: string,
    readonly retriable: boolean,
  ) {
    super(message);
  }
}

/** GETs `url` with `headers` and reads at most MAX_MEDIA_BYTES of it. */
export async function fetchMedia(url: string, headers: Record<string, string>, what: string): Promise<DownloadedMedia> {
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(120_000) });
  } catch (error) {
    throw new MediaDownloadError(`${what} could not be reached: ${(error as Error).message}`, true);
  }
  if (!response.ok) {
    // A link that expired (Meta's last five minutes) or a busy server: asking again later may work.
    throw new MediaDownloadError(`${what} answered ${response.status}.`, response.status === 404 || response.status === 429 || response.status >= 500);
  }
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > MAX_MEDIA_BYTES) throw new MediaDownloadError(`${what} is ${declared} bytes, over the ${MAX_MEDIA_BYTES / 1024 / 1024} MB limit.`, false);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  for (let read = await reader?.read(); read && !read.done; read = await reader!.read()) {
    const chunk = read.value;
    size += chunk.byteLength;
    if (size > MAX_MEDIA_BYTES) {
      await reader!.cancel();
      throw new MediaDownloadError(`${what} is over the ${MAX_MEDIA_BYTES / 1024 / 1024} MB limit.`, false);
    }
    chunks.push(chunk);
  }
  return { bytes: Buffer.concat(chunks), mimeType: response.headers.get("content-type")?.split(";")[0]?.trim() || null };
}
