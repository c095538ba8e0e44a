// GET /api/media/{messageId}: a medium a contact sent, for a signed-in member of its
// workspace or for whoever holds a flow's signed link (./links.ts). Contacts choose what
// they send, so it is served as untrusted content: sandboxed, never sniffed, and inline
// only for images, audio and video (never SVG, which can carry script).
import { currentViewer } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { MediaDownloadError } from "@/server/channels/media";
import { log } from "@/server/observability/log";
import { MediaNotFound, readMedia } from "./files";
import { validMediaSignature } from "./links";
import { MediaStoreError } from "./storage";

const INLINE = /^(image\/(png|jpeg|gif|webp)|audio\/[\w.+-]+|video\/[\w.+-]+)$/;

function refuse(status: number, error: string): Response {
  return Response.json({ error }, { status });
}

export async function mediaResponse(request: Request, messageId: string): Promise<Response> {
  const url = new URL(request.url);
  const signed = validMediaSignature(messageId, url.searchParams.get("expires"), url.searchParams.get("signature"));
  if (!signed) {
    if (url.searchParams.has("signature")) return refuse(403, "This media link has expired or is not valid.");
    const viewer = await currentViewer();
    if (!viewer) return refuse(401, "Sign in to see this media.");
    const inWorkspace = await db().message.count({ where: { id: messageId, conversation: { workspaceId: viewer.workspaceId } } });
    if (inWorkspace === 0) return refuse(404, "No such media in your workspace.");
  }
  try {
    const media = await readMedia(messageId);
    const disposition = INLINE.test(media.mimeType) ? "inline" : "attachment";
    const filename = (media.filename ?? messageId).replace(/[^\w.-]+/g, "_");
    return new Response(Buffer.from(media.bytes), {
      headers: {
        "content-type": media.mimeType,
        "content-length": String(media.bytes.byteLength),
        "content-disposition": `${disposition}; filename="${filename}"`,
        "cache-control": "private, max-age=3600",
        "x-content-type-options": "nosniff",
        "content-security-policy": "default-src 'none'; sandbox",
      },
    });
  } catch (error) {
    if (error instanceof MediaNotFound) return refuse(404, error.message);
    if (error instanceof MediaDownloadError || error instanceof MediaStoreError) {
      log().warn({ messageId, err: error }, "media could not be served");
      return refuse(502, error instanceof MediaDownloadError ? `The media could not be downloaded from the provider: ${error.message}` : error.message);
    }
    throw error;
  }
}
