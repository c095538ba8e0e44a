// Who decides a message's intent: the local classifier when it is sure enough, else the
// language model, restricted to the intent names. Shared by the node and bench/classify.ts,
// so the benchmark measures exactly what runs in flows.
import { z } from "zod";
import { ModelUnavailableError, type ChatRequest, type ChatResult } from "../../models";
import { classifierFor, normalizeText } from "./classifier";
import { UNKNOWN, type ClassifyConfig } from "./config";

/** Examples per intent shown to the model: enough to show the intent's range, few enough to keep the prompt short. */
const EXAMPLES_IN_PROMPT = 5;

export const classificationSchema = z.object({
  intent: z.string().describe("The intent's name, or “unknown”: the output taken."),
  decidedBy: z.enum(["local", "model", "none"]).describe("Who chose the intent: the local classifier, the language model, or nobody (there was no text)."),
  reason: z.string().describe("Why, in words."),
  confidence: z.number().describe("The local classifier's confidence in its best intent (0–1)."),
  scores: z.record(z.string(), z.number()).describe("The local classifier's similarity to each intent (0–1)."),
  localIntent: z.string().nullable().describe("The local classifier's best intent, whether or not it decided."),
  model: z.string().nullable().describe("“provider/model” when the language model was asked and answered."),
  modelAnswer: z.unknown().optional().describe("The intent the model answered, as it answered it (it may be outside the intents)."),
  modelError: z.string().optional().describe("Why no language model could answer."),
});
export type Classification = z.infer<typeof classificationSchema>;

export type Chat = (request: ChatRequest) => Promise<ChatResult>;

export async function classifyText(config: ClassifyConfig, text: string, chat: Chat): Promise<Classification> {
  const names = config.intents.map((intent) => intent.name);
  if (normalizeText(text) === "") {
    return { intent: UNKNOWN, decidedBy: "none", reason: "no text to classify", confidence: 0, scores: {}, localIntent: null, model: null };
  }
  const local = classifierFor(config.intents).classify(text);
  const base = { confidence: local.confidence, scores: local.scores, localIntent: local.intent };
  const confidence = local.confidence.toFixed(2);
  if (local.confidence >= config.threshold) {
    // Only a threshold of 0 lets a message that shares nothing with any example (no intent) here.
    return { ...base, intent: local.intent ?? UNKNOWN, decidedBy: "local", reason: `local confidence ${confidence} ≥ threshold ${config.threshold}`, model: null };
  }

  let result: ChatResult;
  try {
    result = await chat(intentRequest(config, text));
  } catch (error) {
    if (!(error instanceof ModelUnavailableError)) throw error;
    const stands = local.intent !== null && local.confidence >= config.fallbackThreshold;
    return {
      ...base,
      intent: stands ? local.intent! : UNKNOWN,
      decidedBy: "local",
      reason: `no language model could answer; local confidence ${confidence} ${stands ? "≥" : "<"} fallback threshold ${config.fallbackThreshold}`,
      model: null,
      modelError: error.message,
    };
  }
  const answer = modelAnswer(result);
  const model = `${result.provider}/${result.model}`;
  const below = `local confidence ${confidence} < threshold ${config.threshold}`;
  if (typeof answer === "string" && (names.includes(answer) || answer === UNKNOWN)) {
    return { ...base, intent: answer, decidedBy: "model", reason: `${below}: the model chose`, model, modelAnswer: answer };
  }
  return { ...base, intent: UNKNOWN, decidedBy: "model", reason: `${below}: the model's answer is not one of the intents`, model, modelAnswer: answer ?? result.text };
}

/** The question put to the model: pick one intent name, or "unknown", as JSON restricted to those names. */
export function intentRequest(config: ClassifyConfig, text: string): ChatRequest {
  const intents = config.intents.map((intent) => {
    const examples = intent.examples.slice(0, EXAMPLES_IN_PROMPT).map((example) => JSON.stringify(example));
    return [`- ${intent.name}${intent.description ? `: ${intent.description}` : ""}`, ...(examples.length > 0 ? [`  e.g. ${examples.join("; ")}`] : [])].join("\n");
  });
  return {
    ...(config.model ? { model: config.model } : {}),
    temperature: 0,
    messages: [
      {
        role: "system",
        content: [
          "You sort the messages customers send to a business on WhatsApp by intent.",
          `Answer with the one intent that fits the customer's message best, or "${UNKNOWN}" when none fits (other topics, small talk that is not listed, gibberish).`,
          "Customers write in any language, often briefly and with typos.",
          "",
          "Intents:",
          ...intents,
        ].join("\n"),
      },
      { role: "user", content: text },
    ],
    jsonSchema: {
      name: "intent",
      schema: {
        type: "object",
        properties: { intent: { type: "string", enum: [...config.intents.map((intent) => intent.name), UNKNOWN] } },
        required: ["intent"],
        additionalProperties: false,
      },
    },
  };
}

/** The `intent` the model answered, from its parsed JSON or, failing that, its text; undefined when neither holds one. */
function modelAnswer(result: ChatResult): unknown {
  let json = result.json;
  if (json === null && result.text) {
    try {
      json = JSON.parse(result.text);
    } catch {
      return undefined;
    }
  }
  return json !== null && typeof json === "object" && "intent" in json ? json.intent : undefined;
}
