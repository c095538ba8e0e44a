// A stand-in for OpenAI (or any OpenAI-compatible server) speaking its wire format:
// POST /v1/chat/completions with a Bearer key answers a chat completion — text, tool calls,
// structured JSON for `response_format: json_schema`, a refusal — with usage, or fails the
// way OpenAI does (429, 500, 401 with its `{ error: { message, type, code } }` body), or
// answers slowly. Answers are queued per test; every request is recorded.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type FakeAnswer = (
  | { text: string }
  | { toolCalls: { name: string; arguments: Record<string, unknown> | string }[] }
  /** Answered as the JSON text; the request must ask for `response_format: json_schema`. */
  | { json: unknown }
  | { refusal: string }
  /** An error with OpenAI's body; `message` defaults to OpenAI's own wording for the status. */
  | { status: number; message?: string; headers?: Record<string, string> }
) & {
  /** Wait this long before answering (a slow provider, to trigger timeouts). */
  delayMs?: number;
  /** Overrides the token counts reported in `usage`. */
  usage?: { prompt_tokens: number; completion_tokens: number };
  /** The model the answer names (default: the requested one). */
  model?: string;
};

export interface FakeOpenAiRequest {
  authorization: string | undefined;
  body: {
    model: string;
    messages: { role: string; content?: string | null; tool_calls?: unknown[]; tool_call_id?: string }[];
    temperature?: number;
    max_tokens?: number;
    max_completion_tokens?: number;
    response_format?: { type: string; json_schema?: { name: string; schema: Record<string, unknown>; strict?: boolean } };
    tools?: { type: string; function: { name: string; description?: string; parameters?: Record<string, unknown> } }[];
    tool_choice?: string;
  };
}

export interface FakeOpenAi {
  /** The base URL clients use, ending in /v1. */
  url: string;
  requests: FakeOpenAiRequest[];
  /** POST /v1/embeddings calls: the model and the texts. */
  embeddingRequests: { model: string; input: string[] }[];
  /** Queues answers for the next requests, in order. */
  answer(...answers: FakeAnswer[]): void;
  /** Answers requests once the queue is empty (default: the text "OK"). */
  otherwise(answer: FakeAnswer | ((request: FakeOpenAiRequest) => FakeAnswer)): void;
  close(): Promise<void>;
}

const ERROR_BODIES: Record<number, { message: string; type: string; code: string | null }> = {
  400: { message: "Invalid request.", type: "invalid_request_error", code: null },
  401: { message: "Incorrect API key provided: %KEY%. You can find your API key at https://platform.openai.com/account/api-keys.", type: "invalid_request_error", code: "invalid_api_key" },
  404: { message: "The model `%MODEL%` does not exist or you do not have access to it.", type: "invalid_request_error", code: "model_not_found" },
  429: { message: "Rate limit reached for %MODEL% on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.", type: "requests", code: "rate_limit_exceeded" },
  500: { message: "The server had an error while processing your request. Sorry about that!", type: "server_error", code: null },
  503: { message: "The engine is currently overloaded, please try again later.", type: "server_error", code: null },
};

/**
 * Starts the fake. With `apiKey`, requests carrying another key get OpenAI's 401 — whose
 * message echoes the key it was sent, in full (worse than OpenAI, which masks its middle).
 */
/**
 * The fake's embeddings: one dimension per word (hashed), so texts sharing words are similar.
 * Tests that need meaning pass `embed` (e.g. "refund" and "money back" on one dimension).
 */
export function bagOfWordsEmbedding(text: string, dimensions = 64): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/\p{L}+/gu) ?? []) {
    let hash = 0;
    for (const char of word) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
    vector[hash % dimensions]! += 1;
  }
  return vector;
}

export async function startFakeOpenAi(options: { apiKey?: string; embed?: (text: string) => number[] } = {}): Promise<FakeOpenAi> {
  const requests: FakeOpenAiRequest[] = [];
  const embeddingRequests: { model: string; input: string[] }[] = [];
  const queue: FakeAnswer[] = [];
  let fallback: FakeAnswer | ((request: FakeOpenAiRequest) => FakeAnswer) = { text: "OK" };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const fail = (status: number, body: { message: string; type: string; code: string | null }, headers: Record<string, string> = {}) =>
      res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify({ error: { ...body, param: null } }));
    if (req.method === "POST" && req.url === "/v1/embeddings") {
      const sent = req.headers.authorization?.replace(/^Bearer\s+/i, "") ?? "";
      if (options.apiKey !== undefined && sent !== options.apiKey) return fail(401, { ...ERROR_BODIES[401]!, message: ERROR_BODIES[401]!.message.replace("%KEY%", sent) });
      const { input, model, encoding_format } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { input: string | string[]; model: string; encoding_format?: string };
      embeddingRequests.push({ model, input: Array.isArray(input) ? input : [input] });
      const texts = Array.isArray(input) ? input : [input];
      const embed = options.embed ?? ((text: string) => bagOfWordsEmbedding(text));
      return res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          object: "list",
          // The SDK asks for base64 (little-endian float32) by default and decodes it itself.
          data: texts.map((text, index) => ({
            object: "embedding",
            index,
            embedding: encoding_format === "base64" ? Buffer.from(new Float32Array(embed(text)).buffer).toString("base64") : embed(text),
          })),
          model,
          usage: { prompt_tokens: texts.join(" ").length, total_tokens: texts.join(" ").length },
        }),
      );
    }
    if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
      return fail(404, { message: `Invalid URL (${req.method} ${req.url})`, type: "invalid_request_error", code: null });
    }
    let body: FakeOpenAiRequest["body"];
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return fail(400, { message: "We could not parse the JSON body of your request.", type: "invalid_request_error", code: null });
    }
    const request: FakeOpenAiRequest = { authorization: req.headers.authorization, body };
    requests.push(request);
    const sentKey = req.headers.authorization?.replace(/^Bearer\s+/i, "") ?? "";
    if (options.apiKey !== undefined && sentKey !== options.apiKey) {
      return fail(401, { ...ERROR_BODIES[401]!, message: ERROR_BODIES[401]!.message.replace("%KEY%", sentKey) });
    }
    const answer = queue.shift() ?? (typeof fallback === "function" ? fallback(request) : fallback);
    if (answer.delayMs) {
      await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
      if (res.destroyed) return;
    }
    if ("status" in answer) {
      const known = ERROR_BODIES[answer.status] ?? { message: `Error ${answer.status}`, type: "server_error", code: null };
      return fail(answer.status, { ...known, message: (answer.message ?? known.message).replace("%MODEL%", body.model) }, answer.headers);
    }
    if ("json" in answer && body.response_format?.type !== "json_schema") {
      return fail(400, { message: "The test answers JSON, but the request did not ask for response_format json_schema.", type: "invalid_request_error", code: null });
    }
    if ("toolCalls" in answer) {
      const offered = new Set((body.tools ?? []).map((tool) => tool.function.name));
      if (body.tool_choice === "none") return fail(400, { message: "The test calls a tool, but the request says tool_choice none.", type: "invalid_request_error", code: null });
      const unknown = answer.toolCalls.find((call) => !offered.has(call.name));
      if (unknown) return fail(400, { message: `The test calls the tool “${unknown.name}”, which the request does not offer.`, type: "invalid_request_error", code: null });
    }
    const message =
      "toolCalls" in answer
        ? {
            role: "assistant",
            content: null,
            refusal: null,
            tool_calls: answer.toolCalls.map((call) => ({
              id: `call_${randomBytes(6).toString("hex")}`,
              type: "function",
              function: { name: call.name, arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments) },
            })),
          }
        : "refusal" in answer
          ? { role: "assistant", content: null, refusal: answer.refusal }
          : { role: "assistant", content: "json" in answer ? JSON.stringify(answer.json) : answer.text, refusal: null };
    const promptChars = body.messages.reduce((total, m) => total + (m.content?.length ?? 0), 0);
    const usage = answer.usage ?? { prompt_tokens: Math.ceil(promptChars / 4), completion_tokens: Math.ceil(JSON.stringify(message).length / 4) };
    res.writeHead(200, { "content-type": "application/json", "x-request-id": `req_${randomBytes(6).toString("hex")}` }).end(
      JSON.stringify({
        id: `chatcmpl-${randomBytes(8).toString("hex")}`,
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: answer.model ?? body.model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: "toolCalls" in answer ? "tool_calls" : "stop" }],
        usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
        system_fingerprint: "fp_fake",
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    embeddingRequests,
    answer: (...answers) => queue.push(...answers),
    otherwise: (answer) => {
      fallback = answer;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
