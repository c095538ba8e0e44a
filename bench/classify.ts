// `npm run bench:classify`: the classify node's accuracy and speed on bench/data/intents.jsonl
// (350 customer messages written for this benchmark: 8 intents of a WhatsApp business and
// off-topic messages, in Spanish, Portuguese and English, with typos). Each intent is trained
// on its 10 "train" messages; the 270 "test" messages are held out and classified through the
// node's own decision code (flows/nodes/classify/decide.ts) with the node's default thresholds.
//
// - Local only: no language model, as a workspace without a provider runs the node (the local
//   answer stands from the fallback threshold, else "unknown").
// - Local + model, and model only: when OPENAI_API_KEY (and optionally OPENAI_BASE_URL for any
//   OpenAI-compatible server, OPENAI_MODEL, default gpt-4o-mini) is set; else "skipped: no provider".
// - Speed per message beside a baseline measured in the same run: a plain keyword match (each
//   intent's distinctive example words), also scored for accuracy.
import { readFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import OpenAI from "openai";
import { classifierFor, IntentClassifier, normalizeText } from "@/flows/nodes/classify/classifier";
import { classifyConfig, UNKNOWN, type ClassifyConfig } from "@/flows/nodes/classify/config";
import { classifyText, type Chat, type Classification } from "@/flows/nodes/classify/decide";
import { ModelUnavailableError, type ChatResult } from "@/flows/models";
import { fixed, report, type BenchRow } from "./support";

interface Labelled {
  text: string;
  intent: string;
  lang: string;
  split: "train" | "test";
}

const DESCRIPTIONS: Record<string, string> = {
  order_status: "Where an order or parcel is, when it arrives, tracking.",
  returns: "Returning or exchanging a product, refunds.",
  opening_hours: "When the shop or the service is open.",
  human: "The customer wants to talk to a person instead of the bot.",
  pricing: "Prices, costs, discounts, shipping costs.",
  book_appointment: "Booking an appointment, a table, a visit or a slot.",
  cancel: "Cancelling an order, a booking or a subscription.",
  greeting: "A greeting with nothing else asked yet.",
};

const labelled = readFileSync(path.join(import.meta.dirname, "data", "intents.jsonl"), "utf8")
  .trim()
  .split("\n")
  .map((line) => JSON.parse(line) as Labelled);
const heldOut = labelled.filter((row) => row.split === "test");
const config: ClassifyConfig = classifyConfig.parse({
  intents: Object.entries(DESCRIPTIONS).map(([name, description]) => ({
    name,
    description,
    examples: labelled.filter((row) => row.intent === name && row.split === "train").map((row) => row.text),
  })),
});

const noModel: Chat = async () => {
  throw new ModelUnavailableError("No language model provider is configured.");
};

const percent = (part: number, whole: number) => `${fixed((100 * part) / whole)}%`;

async function accuracy(chat: Chat, overrides: Partial<ClassifyConfig> = {}, concurrency = 1) {
  const results: (Classification & { expected: string })[] = new Array(heldOut.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < heldOut.length; i = next++) {
      results[i] = { ...(await classifyText({ ...config, ...overrides }, heldOut[i]!.text, chat)), expected: heldOut[i]!.intent };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const correct = results.filter((result) => result.intent === result.expected).length;
  const byModel = results.filter((result) => result.decidedBy === "model").length;
  const modelErrors = results.filter((result) => result.modelError).length;
  return { correct, total: results.length, byModel, modelErrors, results };
}

/** The baseline: each intent's distinctive example words (4 letters or more, in no other intent's examples); most hits wins. */
function keywordMatcher(): (text: string) => string {
  const wordsOf = (text: string) => normalizeText(text).split(" ").filter((word) => word.length >= 4);
  const owners = new Map<string, Set<string>>();
  for (const intent of config.intents) for (const example of intent.examples) for (const word of wordsOf(example)) owners.set(word, (owners.get(word) ?? new Set()).add(intent.name));
  const keywords = new Map([...owners].filter(([, intents]) => intents.size === 1).map(([word, intents]) => [word, [...intents][0]!]));
  return (text) => {
    const hits = new Map<string, number>();
    for (const word of wordsOf(text)) {
      const intent = keywords.get(word);
      if (intent) hits.set(intent, (hits.get(intent) ?? 0) + 1);
    }
    let best = UNKNOWN;
    let most = 0;
    for (const [intent, count] of hits) if (count > most) [best, most] = [intent, count];
    return best;
  };
}

/** Median time per message over rounds of the whole held-out set, after a warm-up, in microseconds. */
function microsPerMessage(classify: (text: string) => unknown, rounds = 30): number {
  const texts = heldOut.map((row) => row.text);
  for (let i = 0; i < 5; i++) for (const text of texts) classify(text);
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    for (const text of texts) classify(text);
    samples.push(((performance.now() - started) * 1000) / texts.length);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
}

function medianMs(body: () => void, rounds = 30): number {
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    body();
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
}

/** The node's model call through the `openai` SDK (server/ai does the same with fallbacks, breakers and prices). */
function openAiChat(): { chat: Chat; model: string } | null {
  if (!process.env.OPENAI_API_KEY && !process.env.OPENAI_BASE_URL) return null;
  const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY ?? "none", baseURL: process.env.OPENAI_BASE_URL, timeout: 30_000, maxRetries: 2 });
  const model = process.env.OPENAI_MODEL ?? "gpt-4o-mini";
  const chat: Chat = async (request) => {
    const started = performance.now();
    try {
      const completion = await client.chat.completions.create({
        model: request.model ?? model,
        temperature: request.temperature,
        messages: request.messages.map((message) => ({ role: message.role, content: message.content ?? "" }) as OpenAI.Chat.ChatCompletionMessageParam),
        response_format: request.jsonSchema ? { type: "json_schema", json_schema: { name: request.jsonSchema.name, schema: request.jsonSchema.schema, strict: true } } : undefined,
      });
      const choice = completion.choices[0];
      const text = choice?.message.content ?? null;
      let json: unknown = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = null;
      }
      const result: ChatResult = {
        text,
        json,
        toolCalls: [],
        finishReason: choice?.finish_reason ?? "unknown",
        provider: "openai",
        model: completion.model,
        usage: { inputTokens: completion.usage?.prompt_tokens ?? 0, outputTokens: completion.usage?.completion_tokens ?? 0 },
        latencyMs: performance.now() - started,
        costUsd: null,
        fallbacks: [],
      };
      return result;
    } catch (error) {
      throw new ModelUnavailableError((error as Error).message);
    }
  };
  return { chat, model };
}

const keywords = keywordMatcher();
const keywordCorrect = heldOut.filter((row) => keywords(row.text) === row.intent).length;
const local = await accuracy(noModel);
const onTopic = heldOut.filter((row) => row.intent !== UNKNOWN);
const classifier = IntentClassifier.train(config.intents);
const top1 = onTopic.filter((row) => classifier.classify(row.text).intent === row.intent).length;
const sureLocally = local.results.filter((result) => result.confidence >= config.threshold);
const sureCorrect = sureLocally.filter((result) => result.intent === result.expected).length;
const offTopic = local.results.filter((result) => result.expected === UNKNOWN);

const keywordMicros = microsPerMessage(keywords);
// The node's local path as a run takes it: the classifier looked up by its intents, then asked.
const localMicros = microsPerMessage((text) => classifierFor(config.intents).classify(text));
const trainMs = medianMs(() => IntentClassifier.train(config.intents));

const set = `${heldOut.length} held-out messages (es/pt/en, 8 intents + ${offTopic.length} off-topic)`;
const rows: BenchRow[] = [
  {
    part: "classify",
    what: `local only (no model), ${set}`,
    measure: `${percent(local.correct, local.total)} right`,
    baseline: `${percent(keywordCorrect, heldOut.length)} (keyword match)`,
    ratio: `${fixed(local.correct / keywordCorrect, 2)}× the keyword match`,
    target: "—",
    met: null,
  },
  {
    part: "classify",
    what: `local, messages at or above the threshold ${config.threshold} (decided without a model)`,
    measure: `${percent(sureCorrect, sureLocally.length)} right on ${percent(sureLocally.length, heldOut.length)} of messages`,
    baseline: "—",
    ratio: "—",
    target: "—",
    met: null,
  },
  {
    part: "classify",
    what: `local best intent, the ${onTopic.length} on-topic messages`,
    measure: `${percent(top1, onTopic.length)} right`,
    baseline: "12.5% (a guess among 8)",
    ratio: "—",
    target: "—",
    met: null,
  },
  {
    part: "classify",
    what: "local classification per message (median)",
    measure: `${fixed(localMicros, 1)} µs`,
    baseline: `${fixed(keywordMicros, 1)} µs (keyword match)`,
    ratio: `${fixed(localMicros / keywordMicros, 1)}× the keyword match`,
    target: "< 1 ms",
    met: localMicros < 1000,
  },
  {
    part: "classify",
    what: `training on ${config.intents.length} × 10 examples (once per config, median)`,
    measure: `${fixed(trainMs, 2)} ms`,
    baseline: "—",
    ratio: "—",
    target: "—",
    met: null,
  },
];
const notes = [`classify: off-topic messages sent to “unknown” without a model: ${percent(offTopic.filter((result) => result.intent === UNKNOWN).length, offTopic.length)}.`];

const provider = openAiChat();
if (!provider) {
  rows.push({ part: "classify", what: "local + model", measure: "skipped: no provider (set OPENAI_API_KEY / OPENAI_BASE_URL / OPENAI_MODEL)", baseline: "—", ratio: "—", target: "—", met: null });
} else {
  const combined = await accuracy(provider.chat, {}, 8);
  const modelOnly = await accuracy(provider.chat, { threshold: 1 }, 8);
  rows.push(
    {
      part: "classify",
      what: `local + ${provider.model} below the threshold ${config.threshold}, ${set}`,
      measure: `${percent(combined.correct, combined.total)} right, model asked for ${percent(combined.byModel, combined.total)}`,
      baseline: `${percent(modelOnly.correct, modelOnly.total)} (model for every message)`,
      ratio: `${fixed(combined.correct / modelOnly.correct, 2)}× the model alone`,
      target: "—",
      met: null,
    },
    {
      part: "classify",
      what: "local + model over local only",
      measure: `${percent(combined.correct, combined.total)}`,
      baseline: `${percent(local.correct, local.total)} (local only)`,
      ratio: `${fixed(combined.correct / local.correct, 2)}× local only`,
      target: "—",
      met: null,
    },
  );
  const failures = combined.modelErrors + modelOnly.modelErrors;
  if (failures > 0) notes.push(`classify: ${failures} model calls failed (the local answer or “unknown” stood in): ${[...combined.results, ...modelOnly.results].find((result) => result.modelError)?.modelError}`);
}
if (process.argv.includes("--errors")) {
  for (const result of local.results) if (result.intent !== result.expected) console.log(`${result.expected.padEnd(17)} ← ${result.intent.padEnd(17)} ${result.confidence.toFixed(2)}`);
}

await report(rows, notes);
