// The run page's model calls: an admin reads who answered, the tokens, time and cost, who was
// passed over and why, and why a call got no answer.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { expect, test } from "vitest";
import { fakeChatResult } from "@/flows/testing";
import { ModelCalls } from "./model-calls";

const request = { messages: [{ role: "system" as const, content: "Be brief." }, { role: "user" as const, content: "When do you open?" }] };
const text = (value: unknown) => renderToStaticMarkup(createElement(ModelCalls, { value })).replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

test("an answered call shows provider, model, tokens, time, cost and the providers passed over", () => {
  const result = fakeChatResult({ text: "At 9.", provider: "OpenAI", model: "gpt-4o-mini", usage: { inputTokens: 52, outputTokens: 4 }, latencyMs: 830, costUsd: 0.0000102, fallbacks: [{ provider: "Ollama", reason: "No answer before the timeout." }] });
  const shown = text([{ request, result, error: null }]);
  expect(shown).toContain("OpenAI · gpt-4o-mini · 52 → 4 tokens · 830 ms · $0.000010");
  expect(shown).toContain("Ollama passed over: No answer before the timeout.");
  expect(shown).toContain("user: When do you open?");
  expect(shown).toContain("answer: At 9.");
});

test("a call without an answer says why, provider by provider; a value of another shape shows nothing", () => {
  const shown = text([{ request, result: null, error: { message: "No language model provider could answer (OpenAI).", attempts: [{ provider: "OpenAI", reason: "429 rate limited: slow down" }] } }]);
  expect(shown).toContain("No answer: No language model provider could answer (OpenAI).");
  expect(shown).toContain("OpenAI passed over: 429 rate limited: slow down");
  expect(text({ not: "model calls" })).toBe("");
});
