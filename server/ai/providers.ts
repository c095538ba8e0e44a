// A workspace's providers and prices as stored (Settings → Models), plus the server's
// default provider from the environment. Keys are decrypted only here, for a call; the
// settings views carry whether a key is set and its last 4 characters, never the key.
import { z } from "zod";
import { db } from "@/server/db/client";
import type { ModelProvider as ModelProviderRow } from "@/server/db/generated/client";
import { decryptSecret, encryptSecret } from "@/server/security/secrets";
import { log } from "@/server/observability/log";
import { modelBreakers, type BreakerSnapshot } from "./breaker";
import { DEFAULT_PRICES, type PriceTable } from "./prices";
import { askProvider, ProviderError, type ProviderConfig } from "./provider-client";

/** The id the environment's provider goes by (breakers, settings). */
export const ENV_PROVIDER_ID = "env";
export const ENV_PROVIDER_NAME = "Server default";
/** The environment provider's model when OPENAI_MODEL is not set. */
export const DEFAULT_ENV_MODEL = "gpt-4o-mini";
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RETRIES = 1;

/**
 * The provider OPENAI_API_KEY / OPENAI_BASE_URL / OPENAI_MODEL (comma-separated) describe,
 * tried after every workspace's own; null when neither key nor base URL is set. A base URL
 * alone is a server that needs no key (a local Ollama).
 */
export function environmentProvider(env: Record<string, string | undefined> = process.env): ProviderConfig | null {
  const apiKey = env.OPENAI_API_KEY?.trim() || null;
  const baseUrl = env.OPENAI_BASE_URL?.trim().replace(/\/+$/, "") || null;
  if (!apiKey && !baseUrl) return null;
  const models = (env.OPENAI_MODEL ?? DEFAULT_ENV_MODEL).split(",").map((model) => model.trim()).filter(Boolean);
  const embeddingModel = env.OPENAI_EMBEDDING_MODEL?.trim() || null;
  return { id: ENV_PROVIDER_ID, name: ENV_PROVIDER_NAME, baseUrl, apiKey, models, timeoutMs: DEFAULT_TIMEOUT_MS, maxRetries: DEFAULT_MAX_RETRIES, embeddingModel };
}

/** The providers a run's call goes through, in fallback order, keys decrypted; and those left out, with why. */
export async function workspaceProviders(workspaceId: string): Promise<{ providers: ProviderConfig[]; passedOver: { provider: string; reason: string }[] }> {
  const rows = await db().modelProvider.findMany({ where: { workspaceId, enabled: true }, orderBy: [{ position: "asc" }, { createdAt: "asc" }] });
  const providers: ProviderConfig[] = [];
  const passedOver: { provider: string; reason: string }[] = [];
  for (const row of rows) {
    try {
      providers.push(toProviderConfig(row));
    } catch (error) {
      log().error({ providerId: row.id, err: error }, "a model provider's key cannot be decrypted");
      passedOver.push({ provider: row.name, reason: `skipped: its ${UNREADABLE_KEY}` });
    }
  }
  const fromEnv = environmentProvider();
  if (fromEnv) providers.push(fromEnv);
  return { providers, passedOver };
}

/** The default prices with the workspace's rows over them. */
export async function workspacePrices(workspaceId: string): Promise<PriceTable> {
  const rows = await db().modelPrice.findMany({ where: { workspaceId } });
  return { ...DEFAULT_PRICES, ...Object.fromEntries(rows.map((row) => [row.model, { inputUsdPerMillion: row.inputUsdPerMillion, outputUsdPerMillion: row.outputUsdPerMillion }])) };
}

// ── Settings → Models

export const providerInputSchema = z.object({
  /** Absent: a new provider. */
  id: z.string().optional(),
  name: z.string().trim().min(1, "name the provider").max(60, "at most 60 characters"),
  /** Empty: OpenAI's API. */
  baseUrl: z
    .string()
    .trim()
    .max(500)
    .refine((url) => url === "" || /^https?:\/\/[^\s]+$/i.test(url), "a base URL like http://localhost:11434/v1, or empty for OpenAI")
    .transform((url) => url.replace(/\/+$/, "")),
  models: z
    .array(z.string().trim().min(1).max(200))
    .min(1, "list at least one model (the first is the default)")
    .max(30, "at most 30 models")
    .refine((models) => new Set(models).size === models.length, "a model is listed twice"),
  /** Write-only: a new key replaces the stored one; absent or empty keeps it. */
  apiKey: z.string().trim().max(1000).optional(),
  removeApiKey: z.boolean().default(false),
  enabled: z.boolean().default(true),
  timeoutMs: z.number().int().min(1_000, "at least 1 s").max(300_000, "at most 5 minutes").default(DEFAULT_TIMEOUT_MS),
  maxRetries: z.number().int().min(0).max(3, "at most 3 retries").default(DEFAULT_MAX_RETRIES),
  /** Empty: this provider embeds nothing. */
  embeddingModel: z.string().trim().max(200).default(""),
});

export const priceInputSchema = z.object({
  model: z.string().trim().min(1, "name the model").max(200),
  inputUsdPerMillion: z.number().min(0).max(10_000),
  outputUsdPerMillion: z.number().min(0).max(10_000),
});

export interface ProviderView {
  id: string;
  name: string;
  baseUrl: string | null;
  models: string[];
  enabled: boolean;
  timeoutMs: number;
  maxRetries: number;
  embeddingModel: string | null;
  /** Whether a key is stored, and its last 4 characters: never the key. */
  key: { set: boolean; last4: string | null };
  /** False for the environment's provider, which only the server's configuration changes. */
  editable: boolean;
  breaker: BreakerSnapshot;
}

export interface PriceView {
  model: string;
  inputUsdPerMillion: number;
  outputUsdPerMillion: number;
  /** "default": shipped with Parley; "workspace": set here. */
  source: "default" | "workspace";
  /** Parley ships a price for this model: removing the workspace's row goes back to it. */
  hasDefault: boolean;
}

export async function modelSettings(workspaceId: string): Promise<{ providers: ProviderView[]; prices: PriceView[] }> {
  const now = Date.now();
  const [rows, priceRows] = await Promise.all([
    db().modelProvider.findMany({ where: { workspaceId }, orderBy: [{ position: "asc" }, { createdAt: "asc" }] }),
    db().modelPrice.findMany({ where: { workspaceId }, orderBy: { model: "asc" } }),
  ]);
  const providers: ProviderView[] = rows.map((row) => ({
    id: row.id,
    name: row.name,
    baseUrl: row.baseUrl,
    models: row.models,
    enabled: row.enabled,
    timeoutMs: row.timeoutMs,
    maxRetries: row.maxRetries,
    embeddingModel: row.embeddingModel,
    key: { set: row.apiKeyCipher !== null, last4: row.apiKeyLast4 },
    editable: true,
    breaker: modelBreakers().snapshot(row.id, row.name, now),
  }));
  const fromEnv = environmentProvider();
  if (fromEnv) {
    providers.push({
      id: fromEnv.id,
      name: fromEnv.name,
      baseUrl: fromEnv.baseUrl,
      models: fromEnv.models,
      enabled: true,
      timeoutMs: fromEnv.timeoutMs,
      maxRetries: fromEnv.maxRetries,
      embeddingModel: fromEnv.embeddingModel ?? null,
      key: { set: fromEnv.apiKey !== null, last4: fromEnv.apiKey ? keyHint(fromEnv.apiKey) : null },
      editable: false,
      breaker: modelBreakers().snapshot(fromEnv.id, fromEnv.name, now),
    });
  }
  const overrides = new Map(priceRows.map((row) => [row.model, row]));
  const prices: PriceView[] = [
    ...Object.entries(DEFAULT_PRICES)
      .filter(([model]) => !overrides.has(model))
      .map(([model, price]) => ({ model, ...price, source: "default" as const, hasDefault: true })),
    ...priceRows.map((row) => ({
      model: row.model,
      inputUsdPerMillion: row.inputUsdPerMillion,
      outputUsdPerMillion: row.outputUsdPerMillion,
      source: "workspace" as const,
      hasDefault: row.model in DEFAULT_PRICES,
    })),
  ].sort((a, b) => a.model.localeCompare(b.model));
  return { providers, prices };
}

/** The last 4 characters people tell keys apart by; none for a key under 12 characters, where 4 would give away too much. */
function keyHint(key: string): string | null {
  return key.length >= 12 ? key.slice(-4) : null;
}

export class ProviderSettingsError extends Error {
  constructor(
    readonly code: "NOT_FOUND" | "CONFLICT" | "BAD_REQUEST",
    message: string,
  ) {
    super(message);
    this.name = "ProviderSettingsError";
  }
}

/** Creates or updates a provider; the audit log records what changed (a key as "set" or "removed", never its value). */
export async function saveProvider(input: { workspaceId: string; userId: string; provider: z.output<typeof providerInputSchema> }): Promise<{ id: string }> {
  const { workspaceId, userId, provider } = input;
  const newKey = provider.apiKey ? provider.apiKey : undefined;
  const keyChange = newKey ? { apiKeyCipher: encryptSecret(newKey), apiKeyLast4: keyHint(newKey) } : provider.removeApiKey ? { apiKeyCipher: null, apiKeyLast4: null } : {};
  const fields = {
    name: provider.name,
    baseUrl: provider.baseUrl === "" ? null : provider.baseUrl,
    models: provider.models,
    enabled: provider.enabled,
    timeoutMs: provider.timeoutMs,
    maxRetries: provider.maxRetries,
    embeddingModel: provider.embeddingModel === "" ? null : provider.embeddingModel,
    ...keyChange,
  };
  const details = { name: fields.name, baseUrl: fields.baseUrl, models: fields.models, enabled: fields.enabled, ...(newKey ? { key: "set" } : provider.removeApiKey ? { key: "removed" } : {}) };
  try {
    return await db().$transaction(async (tx) => {
      if (provider.id === undefined) {
        const last = await tx.modelProvider.aggregate({ where: { workspaceId }, _max: { position: true } });
        const created = await tx.modelProvider.create({ data: { workspaceId, ...fields, position: (last._max.position ?? -1) + 1 }, select: { id: true } });
        await tx.auditLog.create({ data: { workspaceId, userId, action: "model_provider.create", target: created.id, details } });
        return created;
      }
      const updated = await tx.modelProvider.updateMany({ where: { id: provider.id, workspaceId }, data: fields });
      if (updated.count === 0) throw new ProviderSettingsError("NOT_FOUND", "No such provider: it may have been deleted.");
      await tx.auditLog.create({ data: { workspaceId, userId, action: "model_provider.update", target: provider.id, details } });
      return { id: provider.id };
    });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") throw new ProviderSettingsError("CONFLICT", `A provider named “${provider.name}” already exists.`);
    throw error;
  }
}

export async function removeProvider(input: { workspaceId: string; userId: string; id: string }): Promise<void> {
  await db().$transaction(async (tx) => {
    const row = await tx.modelProvider.findFirst({ where: { id: input.id, workspaceId: input.workspaceId }, select: { name: true } });
    if (!row) throw new ProviderSettingsError("NOT_FOUND", "No such provider: it may have been deleted already.");
    await tx.modelProvider.delete({ where: { id: input.id } });
    await tx.auditLog.create({ data: { workspaceId: input.workspaceId, userId: input.userId, action: "model_provider.delete", target: input.id, details: { name: row.name } } });
  });
  modelBreakers().forget(input.id);
}

/** Sets the fallback order: `ids` must name every provider of the workspace once. */
export async function reorderProviders(input: { workspaceId: string; userId: string; ids: string[] }): Promise<void> {
  await db().$transaction(async (tx) => {
    const rows = await tx.modelProvider.findMany({ where: { workspaceId: input.workspaceId }, select: { id: true, name: true } });
    const known = new Set(rows.map((row) => row.id));
    if (input.ids.length !== known.size || new Set(input.ids).size !== input.ids.length || input.ids.some((id) => !known.has(id))) {
      throw new ProviderSettingsError("CONFLICT", "The providers changed meanwhile: reload the page and order them again.");
    }
    for (const [position, id] of input.ids.entries()) await tx.modelProvider.update({ where: { id }, data: { position } });
    const names = new Map(rows.map((row) => [row.id, row.name]));
    await tx.auditLog.create({ data: { workspaceId: input.workspaceId, userId: input.userId, action: "model_provider.reorder", details: { order: input.ids.map((id) => names.get(id)!) } } });
  });
}

export async function setPrice(input: { workspaceId: string; userId: string; price: z.output<typeof priceInputSchema> }): Promise<void> {
  const { workspaceId, price } = input;
  await db().$transaction([
    db().modelPrice.upsert({
      where: { workspaceId_model: { workspaceId, model: price.model } },
      create: { workspaceId, ...price },
      update: { inputUsdPerMillion: price.inputUsdPerMillion, outputUsdPerMillion: price.outputUsdPerMillion },
    }),
    db().auditLog.create({ data: { workspaceId, userId: input.userId, action: "model_price.set", target: price.model, details: { ...price } } }),
  ]);
}

/** Removes the workspace's row: a model with a default price goes back to it. */
export async function resetPrice(input: { workspaceId: string; userId: string; model: string }): Promise<void> {
  await db().$transaction(async (tx) => {
    const removed = await tx.modelPrice.deleteMany({ where: { workspaceId: input.workspaceId, model: input.model } });
    if (removed.count === 0) throw new ProviderSettingsError("NOT_FOUND", `No price of this workspace for “${input.model}”.`);
    await tx.auditLog.create({ data: { workspaceId: input.workspaceId, userId: input.userId, action: "model_price.reset", target: input.model, details: {} } });
  });
}

export type ConnectionTest = { ok: true; model: string; latencyMs: number; answer: string | null } | { ok: false; error: string };

/**
 * Asks the provider for a one-word answer with its default model. Success closes its
 * circuit breaker (the admin fixed what was wrong); a failure is reported, not counted.
 */
export async function testProvider(input: { workspaceId: string; id: string }): Promise<ConnectionTest> {
  const provider = input.id === ENV_PROVIDER_ID ? environmentProvider() : await storedProvider(input.workspaceId, input.id);
  if (!provider) throw new ProviderSettingsError("NOT_FOUND", "No such provider.");
  const model = provider.models[0];
  if (!model) return { ok: false, error: "The provider lists no model." };
  const started = performance.now();
  try {
    const answer = await askProvider(provider, model, { messages: [{ role: "user", content: "Reply with the single word OK." }], maxTokens: 16 });
    modelBreakers().get(provider.id, provider.name).succeeded();
    return { ok: true, model: answer.model, latencyMs: Math.round(performance.now() - started), answer: answer.text };
  } catch (error) {
    if (error instanceof ProviderError) return { ok: false, error: error.message };
    throw error;
  }
}

async function storedProvider(workspaceId: string, id: string): Promise<ProviderConfig | null> {
  const row = await db().modelProvider.findFirst({ where: { id, workspaceId } });
  if (!row) return null;
  try {
    return toProviderConfig(row);
  } catch {
    throw new ProviderSettingsError("BAD_REQUEST", `The provider's ${UNREADABLE_KEY}.`);
  }
}

const UNREADABLE_KEY = "key cannot be decrypted (was PARLEY_SECRET_KEY changed?): enter it again in Settings → Models";

/** A stored provider ready for a call; throws when its key cannot be decrypted. */
function toProviderConfig(row: ModelProviderRow): ProviderConfig {
  const apiKey = row.apiKeyCipher ? decryptSecret(row.apiKeyCipher) : null;
  return { id: row.id, name: row.name, baseUrl: row.baseUrl, apiKey, models: row.models, timeoutMs: row.timeoutMs, maxRetries: row.maxRetries, embeddingModel: row.embeddingModel };
}
