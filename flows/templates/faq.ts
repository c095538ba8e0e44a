import type { FlowGraph } from "../schema";

const at = (x: number, y: number) => ({ x, y });

/**
 * Answers questions from your own documents: a lookup finds the passages of the “faq”
 * collection (Settings → Knowledge) that match the question, and a language model answers
 * from them alone. Without a model, or when it fails, the contact gets a fallback message
 * and a colleague takes over; a question the documents do not cover is said so.
 */
export const faqFlow: { name: string; graph: FlowGraph } = {
  name: "FAQ from your documents",
  graph: {
    nodes: [
      // Priority 1: above a catch-all flow such as the demo, which also answers any message.
      { id: "start", type: "trigger", version: 1, label: "Any question", config: { match: "any", priority: 1 }, position: at(0, 0) },
      {
        id: "search",
        type: "lookup",
        version: 1,
        label: "Search the FAQ",
        config: { source: "knowledge", collection: "faq", query: "{{message.text}}", maxResults: 3, cacheFor: "10m" },
        position: at(0, 140),
      },
      {
        id: "answer",
        type: "llm",
        version: 1,
        label: "Answer from the passages",
        config: {
          system:
            "You answer customers of our business on WhatsApp, briefly and in the language they write in, using only the passages below. " +
            "If the passages do not answer the question, say you don't know and offer to pass them to a colleague. Never invent prices, dates or policies.\n\n" +
            "Passages:\n{{nodes.search.context}}",
          prompt: "{{message.text}}",
          historyTurns: 4,
          temperature: 0.2,
          maxTokens: 500,
          answer: "send",
          maxLength: 1000,
          fallbackMessage: "Sorry, I can't look that up right now. A colleague will answer you here shortly.",
        },
        position: at(0, 290),
      },
      {
        id: "unknown",
        type: "reply",
        version: 1,
        label: "Not in the FAQ",
        config: { text: "I couldn't find that in our help pages. Write “person” and a colleague will answer you." },
        position: at(300, 290),
      },
      {
        id: "colleague",
        type: "handoff",
        version: 1,
        label: "To a colleague",
        config: { message: "", reason: "The FAQ assistant could not answer: {{message.text}}" },
        position: at(0, 450),
      },
    ],
    edges: [
      { id: "e1", from: "start", port: "next", to: "search" },
      { id: "e2", from: "search", port: "next", to: "answer" },
      { id: "e3", from: "search", port: "not_found", to: "unknown" },
      { id: "e4", from: "search", port: "error", to: "colleague" },
      { id: "e5", from: "answer", port: "error", to: "colleague" },
      { id: "e6", from: "answer", port: "refused", to: "colleague" },
    ],
  },
};
