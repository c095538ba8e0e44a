// A photo, voice note, video or document a contact sent, as the inbox shows it: opened
// from Parley's copy (/api/media/{id}), which is fetched from WhatsApp on first view if the
// background download has not finished yet.
import type { ConversationDetail } from "@/server/conversations/review";

type Media = NonNullable<ConversationDetail["messages"][number]["media"]>;

function Player({ media }: { media: Media }) {
  const type = media.mimeType ?? "";
  if (/^image\/(png|jpeg|gif|webp)$/.test(type)) {
    return (
      <a href={media.url} target="_blank" rel="noreferrer" className="block">
        <img src={media.url} alt="Photo the contact sent" loading="lazy" className="max-h-64 rounded" data-testid="inbox-media-image" />
      </a>
    );
  }
  if (type.startsWith("audio/")) return <audio controls preload="none" src={media.url} className="w-64" aria-label="Voice note or audio the contact sent" />;
  if (type.startsWith("video/")) return <video controls preload="none" src={media.url} className="max-h-64 rounded" aria-label="Video the contact sent" />;
  return (
    <a href={media.url} className="inline-flex items-center gap-1 text-[#027eb5] underline" data-testid="inbox-media-file">
      📄 {media.filename ?? "Document"}
    </a>
  );
}

export function MessageMedia({ media }: { media: Media }) {
  return (
    <div className="mb-1 space-y-1">
      <Player media={media} />
      {media.state === "failed" ? <p className="text-xs text-amber-800">Not downloaded yet: {media.error}</p> : null}
    </div>
  );
}
