// A photo, voice note, video or document a contact sent, as the inbox shows it: opened
// from Parley's copy (/api/media/{id}), which is fetched from WhatsApp on first view if the
// background download has not finished yet.
import type { ConversationDetail } from "@/server/conversations/review";

type Media = NonNullable<ConversationDetail["messages"][number]["media"]>;

export function MessageMedia({ media }: { media: Media }) {
  const type = media.mimeType ?? "";
  const failed = media.state === "failed" ? <p className="text-xs text-amber-800">Not downloaded yet: {media.error}</p> : null;
  if (/^image\/(png|jpeg|gif|webp)$/.test(type)) {
    return (
      <div className="mb-1 space-y-1">
        <a href={media.url} target="_blank" rel="noreferrer" className="block">
          <img src={media.url} alt="Photo the contact sent" loading="lazy" className="max-h-64 rounded" data-testid="inbox-media-image" />
        </a>
        {failed}
      </div>
    );
  }
  if (type.startsWith("audio/")) {
    return (
      <div className="mb-1 space-y-1">
        <audio controls preload="none" src={media.url} className="w-64" aria-label="Voice note or audio the contact sent" />
        {failed}
      </div>
    );
  }
  if (type.startsWith("video/")) {
    return (
      <div className="mb-1 space-y-1">
        <video controls preload="none" src={media.url} className="max-h-64 rounded" aria-label="Video the contact sent" />
        {failed}
      </div>
    );
  }
  return (
    <div className="mb-1 space-y-1">
      <a href={media.url} className="inline-flex items-center gap-1 text-[#027eb5] underline" data-testid="inbox-media-file">
        📄 {media.filename ?? "Document"}
      </a>
      {failed}
    </div>
  );
}
