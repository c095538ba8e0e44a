// What happens to a model's answer before the contact sees it: refusals recognised, long
// answers cut at a sentence, and the rest split into WhatsApp-sized messages.

/** Whether the answer declines to help, by one of `phrases` (case, curly apostrophes and spacing ignored). */
export function refusalIn(answer: string, phrases: string[]): string | null {
  const normal = (text: string) => text.replace(/[\u2018\u2019\u02bc]/g, "'").replace(/\s+/g, " ").toLowerCase().trim();
  const text = normal(answer);
  return phrases.find((phrase) => normal(phrase) !== "" && text.includes(normal(phrase))) ?? null;
}

/** The answer cut to at most `max` characters, at the last sentence (else word) end, with "…". */
export function limitLength(answer: string, max: number): { text: string; truncated: boolean } {
  if (answer.length <= max) return { text: answer, truncated: false };
  const room = answer.slice(0, max - 1);
  return { text: `${room.slice(0, cutPoint(room, Math.floor(max / 2))).trimEnd()}…`, truncated: true };
}

/** Splits `text` into messages of at most `limit` characters, at paragraph, line, sentence or word ends when it can. */
export function splitMessage(text: string, limit: number): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const at = cutPoint(rest.slice(0, limit), Math.floor(limit / 2));
    parts.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest !== "") parts.push(rest);
  return parts;
}

/**
 * Where to cut `text` (which is already short enough): after its last paragraph, line,
 * sentence or word break at or beyond `atLeast`, so a cut never leaves a tiny first part.
 */
function cutPoint(text: string, atLeast: number): number {
  for (const boundary of [/\n\s*\n/g, /\n/g, /[.!?…](?=\s)/g, /\s/g]) {
    let last = -1;
    for (const match of text.matchAll(boundary)) last = match.index + match[0].length;
    if (last >= atLeast) return last;
  }
  // No break at all: cut at the limit, never between the halves of an emoji.
  return /[\uD800-\uDBFF]$/.test(text) ? text.length - 1 : text.length;
}
