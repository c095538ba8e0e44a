// One provider, asked once: a ChatRequest sent through the openai SDK to OpenAI or any
// OpenAI-compatible server (Ollama, LM Studio, vLLM, OpenRouter…), its answer read back,
// and its failures classified for the chain (retry? count against the provider?). The
// SDK's own retries are off: the chain retries, so it can give up early for a waiting contact.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from "openai/resources/chat/completions";
import type { ChatMessage, ChatRequest, ChatResult } from "@/flows/models";

export interface ProviderConfig {
  /** The ModelProvider id, or ENV_PROVIDER_ID for the one from OPENAI_API_KEY. */
  id: string;
  name: string;
  /** Null: OpenAI's API. */
  baseUrl: string | null;
  /** Null for servers that need no key. */
  apiKey: string | null;
  /** The first is used when a request names a model the provider does not list. */
  models: string[];
  timeoutMs: number;
  maxRetries: number;
  /** The model that embeds text for semantic search; absent: the provider embeds nothing. */
  embeddingModel?: string | null;
}

export type ProviderFailureKind =
  /** 429: worth retrying after a pause; counts against the provider. */
  | "rate-limited"
  /** 5xx */
  | "server"
  | "timeout"
  /** DNS, refused or reset connection. */
  | "connection"
  /** 401 or 403: a wrong or revoked key. Not retried, but the provider is unusable until fixed. */
  | "auth"
  /** 400, 404, 422…: this request (its model, its schema, its length) was refused; says nothing about the provider. */
  | "request"
  /** A 200 whose body is not a chat completion. */
  | "bad-answer";

export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderFailureKind,
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = "ProviderError";
  }

  get retryable(): boolean {
    return this.kind === "rate-limited" || this.kind === "server" || this.kind === "timeout" || this.kind === "connection";
  }

  /** Whether the failure says the provider is unwell, so its circuit breaker counts it. */
  get countsAgainstProvider(): boolean {
    return this.kind !== "request";
  }
}

/** The part of a ChatResult one provider's answer gives; the chain adds who, cost, latency and fallbacks. */
export type ProviderAnswer = Pick<ChatResult, "text" | "json" | "toolCalls" | "finishReason" | "refusal" | "model" | "usage">;

/** Sends one chat completion request to `provider` with `model`; throws ProviderError. */
export async function askProvider(provider: ProviderConfig, model: string, request: ChatRequest): Promise<ProviderAnswer> {
  const client = new OpenAI({
    // Passed explicitly (never undefined): the SDK would otherwise read OPENAI_API_KEY and
    // OPENAI_BASE_URL itself and send the server's key to a workspace's server.
    apiKey: provider.apiKey ?? "no-key",
    baseURL: provider.baseUrl ?? "https://api.openai.com/v1",
    organization: null,
    project: null,
    adminAPIKey: null,
    timeout: provider.timeoutMs,
    maxRetries: 0,
  });
  let completion: OpenAI.Chat.Completions.ChatCompletion;
  try {
    completion = await client.chat.completions.create(completionParams(provider, model, request));
  } catch (error) {
    throw classify(error, provider.apiKey);
  }
  const choice = completion.choices?.[0];
  if (!choice?.message) throw new ProviderError("bad-answer", "The answer holds no message (not an OpenAI-compatible chat completion?).");
  const { message } = choice;
  const text = message.content ?? null;
  return {
    text,
    json: request.jsonSchema && text !== null ? parseJsonAnswer(text) : null,
    toolCalls: (message.tool_calls ?? []).flatMap((call) => (call.type === "function" ? [{ id: call.id, name: call.function.name, arguments: call.function.arguments }] : [])),
    finishReason: choice.finish_reason ?? "stop",
    refusal: message.refusal ?? null,
    model: completion.model || model,
    usage: { inputTokens: completion.usage?.prompt_tokens ?? 0, outputTokens: completion.usage?.completion_tokens ?? 0 },
  };
}

function completionParams(provider: ProviderConfig, model: string, request: ChatRequest): ChatCompletionCreateParamsNonStreaming {
  return {
    model,
    messages: request.messages.map(toOpenAiMessage),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    // OpenAI's newer models refuse max_tokens; compatible servers mostly know only max_tokens.
    ...(request.maxTokens !== undefined ? (provider.baseUrl === null ? { max_completion_tokens: request.maxTokens } : { max_tokens: request.maxTokens }) : {}),
    ...(request.jsonSchema
      ? { response_format: { type: "json_schema", json_schema: { name: request.jsonSchema.name, schema: request.jsonSchema.schema, strict: true } } }
      : {}),
    ...(request.tools && request.tools.length > 0
      ? {
          tools: request.tools.map((tool) => ({ type: "function", function: { name: tool.name, description: tool.description, parameters: tool.parameters } })),
          ...(request.toolChoice ? { tool_choice: request.toolChoice } : {}),
        }
      : {}),
  };
}

function toOpenAiMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case "system":
    case "user":
      return { role: message.role, content: message.content };
    case "assistant":
      return {
        role: "assistant",
        content: message.content,
        ...(message.toolCalls && message.toolCalls.length > 0
          ? { tool_calls: message.toolCalls.map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } })) }
          : {}),
      };
    case "tool":
      return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
  }
}

/** The JSON a structured answer holds; local models sometimes wrap it in a ```json fence. Null when it is not JSON. */
function parseJsonAnswer(text: string): unknown {
  const unfenced = text.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/i, "$1");
  try {
    return JSON.parse(unfenced);
  } catch {
    return null;
  }
}

function classify(error: unknown, apiKey: string | null): ProviderError {
  const say = (message: string) => redactKey(message, apiKey);
  if (error instanceof APIConnectionTimeoutError) return new ProviderError("timeout", "No answer before the timeout.");
  if (error instanceof APIConnectionError) return new ProviderError("connection", say(`The connection failed: ${describeCause(error)}.`));
  if (error instanceof APIError && typeof error.status === "number") {
    const detail = say(apiErrorMessage(error));
    const status = error.status;
    if (status === 429) return new ProviderError("rate-limited", `429 rate limited: ${detail}`, retryAfterMs(error.headers));
    if (status >= 500) return new ProviderError("server", `${status} server error: ${detail}`, retryAfterMs(error.headers));
    if (status === 401 || status === 403) return new ProviderError("auth", `${status} the key was refused: ${detail}`);
    if (status === 408) return new ProviderError("timeout", `408 request timeout: ${detail}`);
    return new ProviderError("request", `${status} request refused: ${detail}`);
  }
  return new ProviderError("bad-answer", say(`Unreadable answer: ${(error as Error)?.message ?? String(error)}`));
}

/** The provider's own explanation (OpenAI's `{ error: { message } }`), without the SDK's status prefix. */
function apiErrorMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  return typeof body?.message === "string" && body.message !== "" ? body.message : error.message;
}

function describeCause(error: APIConnectionError): string {
  // fetch wraps the socket's error: TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } }).
  const cause = error.cause as { code?: string; message?: string; cause?: { code?: string; message?: string } } | undefined;
  return cause?.code ?? cause?.cause?.code ?? cause?.cause?.message ?? cause?.message ?? error.message;
}

function retryAfterMs(headers: Headers | undefined): number | null {
  const ms = Number(headers?.get("retry-after-ms"));
  if (headers?.get("retry-after-ms") && Number.isFinite(ms)) return Math.max(0, ms);
  const header = headers?.get("retry-after");
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/**
 * `message` without the key: providers echo it in errors (OpenAI masks the middle of it:
 * "sk-proj-ab**********wxyz"), so key-looking tokens go too, not only the exact key.
 */
export function redactKey(message: string, apiKey: string | null): string {
  const safe = apiKey && apiKey.length >= 4 ? message.replaceAll(apiKey, "***") : message;
  return safe.replace(/\b(sk|gsk|pk|rk)[-_][A-Za-z0-9_*-]{6,}/g, "$1-***");
}
