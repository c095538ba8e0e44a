// Contacts often write one thought as several quick messages ("hi" "I need" "my order").
// With PARLEY_BURST_WINDOW set (e.g. "2s"), the router waits until the contact has been
// quiet that long (Inngest debounce per conversation) and the run receives the burst as
// one message, texts joined by line breaks. Off by default: every reply would wait the window.
import type { InboundMessage } from "@/flows/message";

/** The longest a burst can keep a reply waiting, however long the contact keeps typing. */
export const BURST_MAX_WAIT = "20s" as const;

export function burstWindow(): `${number}s` | null {
  const value = process.env.PARLEY_BURST_WINDOW?.trim();
  if (!value || value === "0" || value === "0s") return null;
  if (!/^\d+s$/.test(value)) throw new Error(`PARLEY_BURST_WINDOW must be a number of seconds like "2s", not “${value}”.`);
  return value as `${number}s`;
}

/** One message standing for the burst: the texts in order, the last message's identity and choice. */
export function mergeBurst(messages: InboundMessage[]): InboundMessage {
  const last = messages.at(-1);
  if (!last) throw new Error("an empty burst");
  if (messages.length === 1) return last;
  const texts = messages.map((message) => message.text).filter((text): text is string => Boolean(text));
  return { ...last, type: messages.every((m) => m.type === "text") ? "text" : last.type, text: texts.length > 0 ? texts.join("\n") : null };
}
