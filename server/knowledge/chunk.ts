// Cuts a document's text into passages small enough to quote to a language model and to
// rank well: one section (heading) at a time, paragraphs packed together up to a target
// size, over-long paragraphs cut between sentences. Each passage keeps the path of headings
// it sits under ("Returns › Refunds"), which is searched with its text.

export interface Chunk {
  heading: string | null;
  text: string;
}

/** Passages aim at about this many characters… */
export const CHUNK_TARGET_CHARS = 800;
/** …and never exceed this many. */
export const CHUNK_MAX_CHARS = 1_200;

const HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;

/** Passages of markdown-like text (markdown, plain text, HTML turned into markdown headings). */
export function chunkText(text: string, heading: string | null = null): Chunk[] {
  const chunks: Chunk[] = [];
  const path: { level: number; title: string }[] = [];
  let paragraphs: string[] = [];
  let current: string[] = [];

  const headingNow = () => {
    const titles = [...(heading ? [heading] : []), ...path.map((entry) => entry.title)];
    return titles.length > 0 ? titles.join(" › ") : null;
  };
  const endParagraph = () => {
    const paragraph = current.join(" ").replace(/\s+/g, " ").trim();
    if (paragraph) paragraphs.push(paragraph);
    current = [];
  };
  const endSection = () => {
    endParagraph();
    for (const text of pack(paragraphs)) chunks.push({ heading: headingNow(), text });
    paragraphs = [];
  };

  for (const line of text.replace(/\r\n?/g, "\n").split("\n")) {
    const match = HEADING.exec(line.trim());
    if (match) {
      endSection();
      const level = match[1]!.length;
      while (path.length > 0 && path[path.length - 1]!.level >= level) path.pop();
      path.push({ level, title: match[2]! });
    } else if (line.trim() === "") {
      endParagraph();
    } else if (/^\s*([-*+]|\d+[.)])\s+/.test(line)) {
      // A list item is its own line of the paragraph, so items stay apart once joined.
      endParagraph();
      current.push(line.trim());
      endParagraph();
    } else {
      current.push(line.trim());
    }
  }
  endSection();
  return chunks;
}

/** Consecutive paragraphs joined while they fit the target; long ones cut between sentences. */
function pack(paragraphs: string[]): string[] {
  const pieces = paragraphs.flatMap((paragraph) => (paragraph.length > CHUNK_MAX_CHARS ? splitLong(paragraph) : [paragraph]));
  const packed: string[] = [];
  let buffer = "";
  for (const piece of pieces) {
    if (buffer && buffer.length + 1 + piece.length > CHUNK_TARGET_CHARS) {
      packed.push(buffer);
      buffer = "";
    }
    buffer = buffer ? `${buffer}\n${piece}` : piece;
  }
  if (buffer) packed.push(buffer);
  return packed;
}

function splitLong(paragraph: string): string[] {
  const sentences = paragraph.match(/[^.!?]+(?:[.!?]+|$)\s*/g) ?? [paragraph];
  const parts: string[] = [];
  let buffer = "";
  for (const sentence of sentences.flatMap((s) => (s.length > CHUNK_MAX_CHARS ? splitWords(s) : [s]))) {
    if (buffer && buffer.length + sentence.length > CHUNK_TARGET_CHARS) {
      parts.push(buffer.trim());
      buffer = "";
    }
    buffer += sentence;
  }
  if (buffer.trim()) parts.push(buffer.trim());
  return parts;
}

/** A run-on "sentence" (a table dump, no punctuation) cut at spaces. */
function splitWords(text: string): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > CHUNK_MAX_CHARS) {
    const cut = rest.lastIndexOf(" ", CHUNK_TARGET_CHARS);
    const at = cut > 0 ? cut : CHUNK_TARGET_CHARS;
    parts.push(rest.slice(0, at) + " ");
    rest = rest.slice(at).trimStart();
  }
  return rest ? [...parts, rest] : parts;
}
