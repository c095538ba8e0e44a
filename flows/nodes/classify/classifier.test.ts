// The local classifier on its own: trained on the benchmark's training examples and scored
// on its held-out messages (bench/data/intents.jsonl), which it never saw.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { classifierFor, IntentClassifier, normalizeText } from "./classifier";

interface Labelled {
  text: string;
  intent: string;
  split: "train" | "test";
}

const labelled = readFileSync(path.resolve(import.meta.dirname, "../../../bench/data/intents.jsonl"), "utf8")
  .trim()
  .split("\n")
  .map((line) => JSON.parse(line) as Labelled);
const names = [...new Set(labelled.filter((row) => row.intent !== "unknown").map((row) => row.intent))];
const intents = names.map((name) => ({ name, examples: labelled.filter((row) => row.intent === name && row.split === "train").map((row) => row.text) }));
const heldOut = labelled.filter((row) => row.split === "test");

describe("held-out messages", () => {
  const classifier = IntentClassifier.train(intents);
  const results = heldOut.map((row) => ({ ...row, result: classifier.classify(row.text) }));
  const onTopic = results.filter((row) => row.intent !== "unknown");
  const offTopic = results.filter((row) => row.intent === "unknown");

  test("the set is what the benchmark says: 8 intents, 10 examples each, 240 held-out messages and 30 off-topic ones", () => {
    expect(intents.map((intent) => intent.examples.length)).toEqual(Array(8).fill(10));
    expect([onTopic.length, offTopic.length]).toEqual([240, 30]);
  });

  test("picks the right intent for at least 78% of held-out messages (8 intents: guessing gets 12%)", () => {
    const correct = onTopic.filter((row) => row.result.intent === row.intent).length;
    expect(correct / onTopic.length).toBeGreaterThanOrEqual(0.78);
  });

  test("is right at least 88% of the time when confident (≥ 0.5, the node's default threshold), and confident on over half", () => {
    const confident = results.filter((row) => row.result.confidence >= 0.5);
    expect(confident.length / results.length).toBeGreaterThan(0.5);
    expect(confident.filter((row) => row.result.intent === row.intent).length / confident.length).toBeGreaterThanOrEqual(0.88);
  });

  test("is unsure of off-topic messages: nearly all stay under the fallback threshold 0.3", () => {
    const unsure = offTopic.filter((row) => row.result.confidence < 0.3).length;
    expect(unsure / offTopic.length).toBeGreaterThanOrEqual(0.9);
  });
});

describe("messages as customers type them", () => {
  const classifier = IntentClassifier.train(intents);
  test.each([
    ["typos", "dnde esta mi pedidoo", "order_status"],
    ["no accents, shouting", "QUIERO UNA DEVOLUCION", "returns"],
    ["stretched letters", "holaaaaa", "greeting"],
    ["Portuguese with accents", "Qual é o horário de funcionamento de sábado?", "opening_hours"],
    ["English", "can I talk to a real person", "human"],
  ])("%s: “%s” is %s", (_, text, intent) => {
    expect(classifier.classify(text).intent).toBe(intent);
  });

  test("a message with nothing in common with any example has no intent and no confidence", () => {
    const result = classifier.classify("777");
    expect(result).toEqual({ intent: null, confidence: 0, scores: Object.fromEntries(names.map((name) => [name, 0])) });
  });

  test("scores every intent between 0 and 1, an example itself highest for its own intent", () => {
    const result = classifier.classify("quiero cancelar mi pedido");
    expect(Object.keys(result.scores)).toEqual(names);
    expect(Object.values(result.scores).every((score) => score >= 0 && score <= 1)).toBe(true);
    expect(result.intent).toBe("cancel");
    expect(Math.max(...Object.values(result.scores))).toBe(result.scores.cancel);
  });
});

test("normalising drops case, accents, punctuation and stretched letters", () => {
  expect(normalizeText("  ¿Dónde ESTÁ mi pedidooo?? 😡 ")).toBe("donde esta mi pedido");
  expect(normalizeText("Não, obrigação")).toBe("nao obrigacao");
  expect(normalizeText("👍🏽!!")).toBe("");
});

test("trains once per set of intents and examples, again when they change", () => {
  const first = classifierFor([
    { name: "yes", examples: ["yes", "sí"] },
    { name: "no", examples: ["no", "nope"] },
  ]);
  const again = classifierFor([
    { name: "yes", examples: ["yes", "sí"] },
    { name: "no", examples: ["no", "nope"] },
  ]);
  const changed = classifierFor([
    { name: "yes", examples: ["yes", "sí", "sim"] },
    { name: "no", examples: ["no", "nope"] },
  ]);
  expect(again).toBe(first);
  expect(changed).not.toBe(first);
  expect(changed.classify("sim").intent).toBe("yes");
});
