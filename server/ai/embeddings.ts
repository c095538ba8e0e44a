// Embeddings for semantic knowledge search: the first of the workspace's providers (then
// the server's, OPENAI_EMBEDDING_MODEL) that names an embedding model embeds passages at
// upload and questions at lookup, through the OpenAI SDK. Without one, search stays
// keyword-only (BM25); a failing one is logged and search falls back to keywords.
import OpenAI from "openai";
import { log } from "@/server/observability/log";
import { redactKey, type ProviderConfig } from "./provider-client";
import { workspaceProviders } from "./providers";

/** Inputs per embeddings request: providers cap the batch (OpenAI at 2,048). */
const BATCH = 64;

export interface Embedder {
  provider: string;
  model: string;
  embed(texts: string[]): Promise<number[][]>;
}

export async function workspaceEmbedder(workspaceId: string): Promise<Embedder | null> {
  const { providers } = await workspaceProviders(workspaceId);
  const provider = providers.find((candidate) => candidate.embeddingModel);
  return provider ? embedderFor(provider) : null;
}

function embedderFor(provider: ProviderConfig): Embedder {
  const model = provider.embeddingModel!;
  const client = new OpenAI({
    // Explicit, never undefined: the SDK would otherwise read the server's OPENAI_* variables.
    apiKey: provider.apiKey ?? "no-key",
    baseURL: provider.baseUrl ?? "https://api.openai.com/v1",
    organization: null,
    project: null,
    timeout: provider.timeoutMs,
    maxRetries: provider.maxRetries,
  });
  return {
    provider: provider.name,
    model,
    async embed(texts) {
      const vectors: number[][] = [];
      for (let from = 0; from < texts.length; from += BATCH) {
        try {
          const response = await client.embeddings.create({ model, input: texts.slice(from, from + BATCH) });
          for (const item of [...response.data].sort((a, b) => a.index - b.index)) vectors.push(item.embedding);
        } catch (error) {
          throw new Error(`${provider.name} could not embed with ${model}: ${redactKey((error as Error).message, provider.apiKey)}`);
        }
      }
      return vectors;
    },
  };
}

/** Embeds with `embedder`, or answers null (logged) when it fails: callers then search by keywords. */
export async function embedOrNull(embedder: Embedder | null, texts: string[]): Promise<number[][] | null> {
  if (!embedder || texts.length === 0) return null;
  try {
    return await embedder.embed(texts);
  } catch (error) {
    log().warn({ provider: embedder.provider, model: embedder.model, reason: (error as Error).message }, "embedding failed; keyword search only");
    return null;
  }
}

export function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * (b[i] ?? 0);
    normA += a[i]! * a[i]!;
    normB += (b[i] ?? 0) * (b[i] ?? 0);
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}
