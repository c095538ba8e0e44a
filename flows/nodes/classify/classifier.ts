// The classify node's local classifier: TF-IDF over character n-grams and words, nearest
// examples by cosine similarity. Character n-grams make it indifferent to language and
// forgiving of typos ("pedio" still shares most of "pedido"); normalising strips accents,
// case and stretched letters. Unlike naive Bayes, whose probabilities always add up to one
// among the intents, similarity says how close a message is to anything the business wrote,
// so off-topic messages come out with low confidence instead of a confident wrong intent.

export interface IntentExamples {
  name: string;
  examples: string[];
}

export interface LocalClassification {
  /** How close the message is to each intent's nearest examples: 0 (nothing shared) to 1 (the same text). */
  scores: Record<string, number>;
  /** The closest intent; null when the message shares nothing with any example. */
  intent: string | null;
  /**
   * How sure the classifier is of `intent`, 0 to 1: its share of a softmax over the scores
   * beside a "none of them" score, so both a weak best match and a close runner-up lower it.
   */
  confidence: number;
}

/** Character n-gram lengths, taken inside each padded word (" pedido " → " pe", "ped", …). */
const GRAM_SIZES = [2, 3, 4, 5];
/** The similarity "none of the intents" competes with: below it a message is more likely off-topic. */
const NONE_SCORE = 0.2;
/** Softmax temperature over similarities: smaller makes a given margin count for more. */
const TEMPERATURE = 0.06;

/** Lower case, no accents, letters and digits only, letters stretched three times or more ("holaaa") once. */
export function normalizeText(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .replace(/(\p{L})\1{2,}/gu, "$1")
    .trim();
}

function features(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (feature: string) => counts.set(feature, (counts.get(feature) ?? 0) + 1);
  const words = normalizeText(text).split(" ").filter(Boolean);
  for (const word of words) {
    add(`w:${word}`);
    const padded = ` ${word} `;
    for (const size of GRAM_SIZES) {
      for (let start = 0; start + size <= padded.length; start++) add(padded.slice(start, start + size));
    }
  }
  return counts;
}

type SparseVector = Map<string, number>;

export class IntentClassifier {
  private constructor(
    private readonly intents: string[],
    /** Per feature: the examples holding it, as [intent index, example index, weight]. */
    private readonly index: Map<string, [number, number, number][]>,
    private readonly idf: Map<string, number>,
    private readonly defaultIdf: number,
    private readonly exampleCounts: number[],
  ) {}

  static train(intents: IntentExamples[]): IntentClassifier {
    const documents = intents.flatMap((intent, intentIndex) =>
      intent.examples.map((example, exampleIndex) => ({ intentIndex, exampleIndex, counts: features(example) })),
    );
    const documentFrequency = new Map<string, number>();
    for (const { counts } of documents) for (const feature of counts.keys()) documentFrequency.set(feature, (documentFrequency.get(feature) ?? 0) + 1);
    // Smoothed IDF (as scikit-learn's): a feature in every example still weighs a little.
    const idf = new Map<string, number>();
    for (const [feature, frequency] of documentFrequency) idf.set(feature, Math.log((1 + documents.length) / (1 + frequency)) + 1);
    const defaultIdf = Math.log(1 + documents.length) + 1;

    const index = new Map<string, [number, number, number][]>();
    for (const document of documents) {
      for (const [feature, weight] of weigh(document.counts, idf, defaultIdf)) {
        const postings = index.get(feature);
        const posting: [number, number, number] = [document.intentIndex, document.exampleIndex, weight];
        if (postings) postings.push(posting);
        else index.set(feature, [posting]);
      }
    }
    return new IntentClassifier(
      intents.map((intent) => intent.name),
      index,
      idf,
      defaultIdf,
      intents.map((intent) => intent.examples.length),
    );
  }

  classify(text: string): LocalClassification {
    const query = weigh(features(text), this.idf, this.defaultIdf);
    const similarities = this.exampleCounts.map((count) => new Float64Array(count));
    for (const [feature, weight] of query) {
      for (const [intentIndex, exampleIndex, exampleWeight] of this.index.get(feature) ?? []) {
        similarities[intentIndex]![exampleIndex]! += weight * exampleWeight;
      }
    }
    const scores: Record<string, number> = {};
    let best: { name: string; score: number } | null = null;
    this.intents.forEach((name, intentIndex) => {
      // The mean of the two nearest examples: one stray example alone does not make a match.
      let first = 0;
      let second = 0;
      for (const similarity of similarities[intentIndex]!) {
        if (similarity > first) [first, second] = [similarity, first];
        else if (similarity > second) second = similarity;
      }
      const count = this.exampleCounts[intentIndex]!;
      const score = round(count === 0 ? 0 : count === 1 ? first : (first + second) / 2);
      scores[name] = score;
      if (score > 0 && (!best || score > best.score)) best = { name, score };
    });
    const chosen = best as { name: string; score: number } | null;
    if (!chosen) return { scores, intent: null, confidence: 0 };
    const exponent = (score: number) => Math.exp((score - chosen.score) / TEMPERATURE);
    const total = Object.values(scores).reduce((sum, score) => sum + exponent(score), exponent(NONE_SCORE));
    return { scores, intent: chosen.name, confidence: round(1 / total) };
  }
}

/** Sublinear term frequency × IDF, L2-normalised, so cosine similarity is a dot product. */
function weigh(counts: Map<string, number>, idf: Map<string, number>, defaultIdf: number): SparseVector {
  const vector: SparseVector = new Map();
  let norm = 0;
  for (const [feature, count] of counts) {
    const weight = (1 + Math.log(count)) * (idf.get(feature) ?? defaultIdf);
    vector.set(feature, weight);
    norm += weight * weight;
  }
  norm = Math.sqrt(norm);
  for (const [feature, weight] of vector) vector.set(feature, weight / norm);
  return vector;
}

const round = (value: number) => Math.round(value * 1000) / 1000;

const trained = new Map<string, IntentClassifier>();
/** Classifiers kept: one per distinct set of intents in use, the least recently used dropped first. */
const MAX_TRAINED = 64;
/**
 * By config object first: a published flow's configs are parsed once per process, so a run
 * finds its classifier without even serialising the examples to look it up.
 */
const byConfig = new WeakMap<IntentExamples[], IntentClassifier>();

/** The classifier for these intents, trained once per process and reused for every message. */
export function classifierFor(intents: IntentExamples[]): IntentClassifier {
  const known = byConfig.get(intents);
  if (known) return known;
  const key = JSON.stringify(intents.map((intent) => [intent.name, intent.examples]));
  let classifier = trained.get(key);
  if (classifier) trained.delete(key);
  else classifier = IntentClassifier.train(intents);
  trained.set(key, classifier);
  if (trained.size > MAX_TRAINED) trained.delete(trained.keys().next().value!);
  byConfig.set(intents, classifier);
  return classifier;
}
