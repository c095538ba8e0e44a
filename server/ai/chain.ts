// The provider chain: a request goes to the workspace's providers in fallback order until
// one answers. Each provider gets its retries on retryable failures (429, 5xx, timeouts,
// connection errors) and has a circuit breaker that skips it for a while after repeated
// failures. The answer carries who answered, the tokens, latency and cost; a failure carries
// why each provider was passed over. Keys never appear in either.
import type { Logger } from "pino";
import type { ChatRequest } from "@/flows/models";
import type { ChatOutcome } from "@/flows/runtime";
import { log } from "@/server/observability/log";
import { modelBreakers, type BreakerRegistry } from "./breaker";
import { costUsd, type PriceTable } from "./prices";
import { askProvider, ProviderError, type ProviderAnswer, type ProviderConfig } from "./provider-client";

/** First retry after about this long, doubling each time. */
export const RETRY_BASE_DELAY_MS = 250;
/** A provider asking to wait longer than this (Retry-After) is passed over for the next one: the contact is waiting. */
export const MAX_RETRY_AFTER_MS = 5_000;

export const NO_PROVIDER_MESSAGE = "No language model provider is configured: add one in Settings → Models (or set OPENAI_API_KEY).";

export interface ChainOptions {
  prices: PriceTable;
  breakers?: BreakerRegistry;
  /** The clock breakers read (tests move it past a cool-down). */
  now?: () => number;
  logger?: Logger;
  /** Providers left out before the chain started (a key that cannot be decrypted), and why. */
  passedOver?: { provider: string; reason: string }[];
}

export async function chatThroughProviders(providers: ProviderConfig[], request: ChatRequest, options: ChainOptions): Promise<ChatOutcome> {
  const attempts = [...(options.passedOver ?? [])];
  if (providers.length === 0 && attempts.length === 0) return { ok: false, error: NO_PROVIDER_MESSAGE, attempts };
  const breakers = options.breakers ?? modelBreakers();
  const now = options.now ?? Date.now;
  const logger = options.logger ?? log();
  const started = performance.now();

  for (const provider of inPreferenceOrder(providers, request.model)) {
    const breaker = breakers.get(provider.id, provider.name);
    if (!breaker.tryAcquire(now())) {
      const { retryAt } = breaker.snapshot(now());
      attempts.push({ provider: provider.name, reason: `skipped: its circuit breaker is open after repeated failures${retryAt ? ` (next try after ${retryAt})` : ""}` });
      continue;
    }
    const model = request.model !== undefined && provider.models.includes(request.model) ? request.model : provider.models[0];
    if (model === undefined) {
      breaker.released();
      attempts.push({ provider: provider.name, reason: "skipped: it lists no model" });
      continue;
    }
    try {
      const answer = await askWithRetries(provider, model, request);
      breaker.succeeded();
      return {
        ok: true,
        result: {
          ...answer,
          provider: provider.name,
          latencyMs: Math.round(performance.now() - started),
          costUsd: costUsd(answer.model, answer.usage, options.prices),
          fallbacks: attempts,
        },
      };
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      if (error.countsAgainstProvider) breaker.failed(now(), error.message);
      else breaker.released();
      attempts.push({ provider: provider.name, reason: error.message });
      logger.warn({ provider: provider.name, model, failure: error.kind, reason: error.message, breaker: breaker.state(now()) }, "language model provider failed");
    }
  }
  return { ok: false, error: `No language model provider could answer (${attempts.map((attempt) => attempt.provider).join(", ")}).`, attempts };
}

/**
 * Providers that list the requested model first (a node that names a model wants it), then
 * the others, which answer with their own default model; each group in fallback order.
 */
function inPreferenceOrder(providers: ProviderConfig[], model: string | undefined): ProviderConfig[] {
  if (model === undefined) return providers;
  const serving = providers.filter((provider) => provider.models.includes(model));
  return [...serving, ...providers.filter((provider) => !serving.includes(provider))];
}

async function askWithRetries(provider: ProviderConfig, model: string, request: ChatRequest): Promise<ProviderAnswer> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await askProvider(provider, model, request);
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      const waitMs = error.retryAfterMs ?? RETRY_BASE_DELAY_MS * 2 ** attempt + Math.random() * RETRY_BASE_DELAY_MS;
      if (!error.retryable || attempt >= provider.maxRetries || waitMs > MAX_RETRY_AFTER_MS) {
        throw attempt > 0 ? new ProviderError(error.kind, `${error.message} (after ${attempt + 1} attempts)`, error.retryAfterMs) : error;
      }
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
