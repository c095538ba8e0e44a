// What a model call costs, for the trace: tokens times the price of the model that
// answered. Parley ships list prices of common OpenAI models; a workspace overrides or adds
// rows in Settings → Models (its own contract prices, a local model at 0).

/** USD per million tokens. */
export interface ModelPrice {
  inputUsdPerMillion: number;
  outputUsdPerMillion: number;
}

export type PriceTable = Record<string, ModelPrice>;

/** OpenAI's list prices (standard tier) when this table was written; edit per workspace when they change. */
export const DEFAULT_PRICES: PriceTable = {
  "gpt-5": { inputUsdPerMillion: 1.25, outputUsdPerMillion: 10 },
  "gpt-5-mini": { inputUsdPerMillion: 0.25, outputUsdPerMillion: 2 },
  "gpt-5-nano": { inputUsdPerMillion: 0.05, outputUsdPerMillion: 0.4 },
  "gpt-4.1": { inputUsdPerMillion: 2, outputUsdPerMillion: 8 },
  "gpt-4.1-mini": { inputUsdPerMillion: 0.4, outputUsdPerMillion: 1.6 },
  "gpt-4.1-nano": { inputUsdPerMillion: 0.1, outputUsdPerMillion: 0.4 },
  "gpt-4o": { inputUsdPerMillion: 2.5, outputUsdPerMillion: 10 },
  "gpt-4o-mini": { inputUsdPerMillion: 0.15, outputUsdPerMillion: 0.6 },
  "gpt-3.5-turbo": { inputUsdPerMillion: 0.5, outputUsdPerMillion: 1.5 },
  o3: { inputUsdPerMillion: 2, outputUsdPerMillion: 8 },
  "o3-mini": { inputUsdPerMillion: 1.1, outputUsdPerMillion: 4.4 },
  "o4-mini": { inputUsdPerMillion: 1.1, outputUsdPerMillion: 4.4 },
};

/**
 * The price of `model` in `table`: its own row, or the longest row it extends with a dash
 * ("gpt-4o-mini-2024-07-18" is priced as "gpt-4o-mini"). A vendor prefix such as
 * OpenRouter's "openai/" is tried without it too. Null when nothing matches.
 */
export function priceFor(model: string, table: PriceTable): ModelPrice | null {
  const names = model.includes("/") ? [model, model.slice(model.lastIndexOf("/") + 1)] : [model];
  for (const name of names) {
    let best: string | undefined;
    for (const row of Object.keys(table)) {
      if ((name === row || name.startsWith(`${row}-`)) && row.length > (best?.length ?? -1)) best = row;
    }
    if (best !== undefined) return table[best]!;
  }
  return null;
}

/** USD for a call's tokens, rounded to a billionth of a dollar; null when the model has no price. */
export function costUsd(model: string, usage: { inputTokens: number; outputTokens: number }, table: PriceTable): number | null {
  const price = priceFor(model, table);
  if (!price) return null;
  const exact = (usage.inputTokens * price.inputUsdPerMillion + usage.outputTokens * price.outputUsdPerMillion) / 1_000_000;
  return Math.round(exact * 1e9) / 1e9;
}
