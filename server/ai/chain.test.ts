// The provider chain against fake OpenAI-compatible servers on the wire: fallback, retries,
// timeouts, circuit breakers, usage and cost, and keys kept out of errors and logs.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import type { ChatRequest } from "@/flows/models";
import { freePort } from "@/server/db/embedded";
import { createLogger } from "@/server/observability/log";
import { startFakeOpenAi, type FakeOpenAi } from "@/tests/support/fake-openai";
import { BreakerRegistry } from "./breaker";
import { chatThroughProviders, NO_PROVIDER_MESSAGE, type ChainOptions } from "./chain";
import { DEFAULT_PRICES } from "./prices";
import type { ProviderConfig } from "./provider-client";

const PRIMARY_KEY = "sk-primary-0123456789abcdefWXYZ";
const BACKUP_KEY = "sk-backup-9876543210zyxwvuABCD";
let primary: FakeOpenAi;
let backup: FakeOpenAi;

beforeAll(async () => {
  primary = await startFakeOpenAi({ apiKey: PRIMARY_KEY });
  backup = await startFakeOpenAi({ apiKey: BACKUP_KEY });
});
afterEach(() => {
  for (const fake of [primary, backup]) {
    fake.requests.length = 0;
    fake.otherwise({ text: "OK" });
  }
});
afterAll(async () => {
  await primary.close();
  await backup.close();
});

function providers(overrides: { primary?: Partial<ProviderConfig>; backup?: Partial<ProviderConfig> } = {}): ProviderConfig[] {
  return [
    { id: "p1", name: "Primary", baseUrl: primary.url, apiKey: PRIMARY_KEY, models: ["gpt-4o-mini", "gpt-4o"], timeoutMs: 5_000, maxRetries: 1, ...overrides.primary },
    { id: "p2", name: "Backup", baseUrl: backup.url, apiKey: BACKUP_KEY, models: ["llama3.1"], timeoutMs: 5_000, maxRetries: 1, ...overrides.backup },
  ];
}

const hello: ChatRequest = { messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hello" }], maxTokens: 50, temperature: 0.2 };

function options(extra: Partial<ChainOptions> = {}): ChainOptions {
  return { prices: { ...DEFAULT_PRICES, "llama3.1": { inputUsdPerMillion: 0, outputUsdPerMillion: 0 } }, breakers: new BreakerRegistry({ threshold: 3, cooldownMs: 30_000 }), ...extra };
}

describe("an answer", () => {
  test("records the provider that answered, the model, tokens and the cost from the price table", async () => {
    primary.answer({ text: "Hi! How can I help?", usage: { prompt_tokens: 1200, completion_tokens: 300 }, model: "gpt-4o-mini-2024-07-18" });
    const outcome = await chatThroughProviders(providers(), hello, options());
    expect(outcome).toMatchObject({
      ok: true,
      result: { text: "Hi! How can I help?", provider: "Primary", model: "gpt-4o-mini-2024-07-18", usage: { inputTokens: 1200, outputTokens: 300 }, fallbacks: [], finishReason: "stop" },
    });
    // gpt-4o-mini: $0.15 per million in, $0.60 per million out.
    expect(outcome.ok && outcome.result.costUsd).toBeCloseTo((1200 * 0.15 + 300 * 0.6) / 1e6, 12);
    expect(outcome.ok && outcome.result.latencyMs).toBeGreaterThanOrEqual(0);

    const [sent] = primary.requests;
    expect(sent!.authorization).toBe(`Bearer ${PRIMARY_KEY}`);
    expect(sent!.body).toMatchObject({ model: "gpt-4o-mini", temperature: 0.2, max_tokens: 50, messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hello" }] });
  });

  test("a model with no price has no cost; a vendor prefix is priced as the model", async () => {
    primary.answer({ text: "a", model: "mistral-large" }, { text: "b", model: "openai/gpt-4o", usage: { prompt_tokens: 1_000_000, completion_tokens: 0 } });
    const unpriced = await chatThroughProviders(providers(), hello, options());
    expect(unpriced.ok && unpriced.result.costUsd).toBeNull();
    const prefixed = await chatThroughProviders(providers(), hello, options());
    expect(prefixed.ok && prefixed.result.costUsd).toBe(2.5);
  });

  test("structured output comes back parsed, and tool calls with their arguments", async () => {
    primary.answer({ json: { order_id: "A17", urgent: true } });
    const structured = await chatThroughProviders(providers(), { ...hello, jsonSchema: { name: "order", schema: { type: "object" } } }, options());
    expect(structured.ok && structured.result.json).toEqual({ order_id: "A17", urgent: true });
    expect(primary.requests[0]!.body.response_format).toEqual({ type: "json_schema", json_schema: { name: "order", schema: { type: "object" }, strict: true } });

    primary.answer({ toolCalls: [{ name: "weather", arguments: { city: "Madrid" } }] });
    const tools = [{ name: "weather", description: "Weather by city", parameters: { type: "object", properties: { city: { type: "string" } } } }];
    const called = await chatThroughProviders(providers(), { ...hello, tools }, options());
    expect(called).toMatchObject({ ok: true, result: { finishReason: "tool_calls", text: null, toolCalls: [{ name: "weather", arguments: '{"city":"Madrid"}' }] } });
    expect(primary.requests[1]!.body.tools).toEqual([{ type: "function", function: tools[0] }]);
  });

  test("a node that names a model gets a provider serving it first; the others answer with their default model", async () => {
    const llama = await chatThroughProviders(providers(), { ...hello, model: "llama3.1" }, options());
    expect(llama).toMatchObject({ ok: true, result: { provider: "Backup", model: "llama3.1" } });
    expect(primary.requests).toHaveLength(0);

    backup.answer({ status: 503 }, { status: 503 });
    const fellBack = await chatThroughProviders(providers(), { ...hello, model: "llama3.1" }, options());
    expect(fellBack).toMatchObject({ ok: true, result: { provider: "Primary", model: "gpt-4o-mini" } });
  });
});

describe("failures", () => {
  test("a 500 is retried, then the next provider answers; only the answer's tokens are counted", async () => {
    primary.otherwise({ status: 500 });
    backup.answer({ text: "From the backup", usage: { prompt_tokens: 40, completion_tokens: 8 } });
    const outcome = await chatThroughProviders(providers(), hello, options());
    expect(outcome).toMatchObject({ ok: true, result: { text: "From the backup", provider: "Backup", model: "llama3.1", usage: { inputTokens: 40, outputTokens: 8 }, costUsd: 0 } });
    expect(primary.requests).toHaveLength(2);
    expect(backup.requests).toHaveLength(1);
    expect(outcome.ok && outcome.result.fallbacks).toEqual([{ provider: "Primary", reason: expect.stringMatching(/^500 server error: The server had an error.*\(after 2 attempts\)$/) }]);
  });

  test("a 429 is retried on the same provider, honouring a short Retry-After", async () => {
    primary.answer({ status: 429, headers: { "retry-after-ms": "20" } }, { text: "Second time lucky", usage: { prompt_tokens: 10, completion_tokens: 3 } });
    const outcome = await chatThroughProviders(providers(), hello, options());
    expect(outcome).toMatchObject({ ok: true, result: { provider: "Primary", text: "Second time lucky", usage: { inputTokens: 10, outputTokens: 3 }, fallbacks: [] } });
    expect(primary.requests).toHaveLength(2);
  });

  test("a provider asking to wait longer than the contact should is passed over at once", async () => {
    primary.answer({ status: 429, headers: { "retry-after": "60" } });
    const outcome = await chatThroughProviders(providers(), hello, options());
    expect(outcome).toMatchObject({ ok: true, result: { provider: "Backup", fallbacks: [{ provider: "Primary", reason: expect.stringMatching(/^429 rate limited/) }] } });
    expect(primary.requests).toHaveLength(1);
  });

  test("401, 403, 400 and 404 are not retried", async () => {
    for (const status of [401, 403, 400, 404]) {
      primary.requests.length = 0;
      primary.answer({ status });
      const outcome = await chatThroughProviders(providers(), hello, options());
      expect(outcome, `status ${status}`).toMatchObject({ ok: true, result: { provider: "Backup" } });
      expect(primary.requests, `status ${status}`).toHaveLength(1);
    }
  });

  test("a provider slower than its timeout is given up on and the next one answers", async () => {
    primary.answer({ text: "Too late", delayMs: 3_000 });
    const outcome = await chatThroughProviders(providers({ primary: { timeoutMs: 200, maxRetries: 0 } }), hello, options());
    expect(outcome).toMatchObject({ ok: true, result: { provider: "Backup", fallbacks: [{ provider: "Primary", reason: "No answer before the timeout." }] } });
  });

  test("a server that is not listening is a connection failure, and the next provider answers", async () => {
    const closed = await freePort();
    const outcome = await chatThroughProviders(providers({ primary: { baseUrl: `http://127.0.0.1:${closed}/v1`, maxRetries: 0 } }), hello, options());
    expect(outcome).toMatchObject({ ok: true, result: { provider: "Backup", fallbacks: [{ provider: "Primary", reason: expect.stringMatching(/^The connection failed: ECONNREFUSED/) }] } });
  });

  test("when every provider fails the outcome says why for each; with none configured it says so", async () => {
    primary.otherwise({ status: 500 });
    backup.otherwise({ status: 401 });
    const outcome = await chatThroughProviders(providers({ primary: { maxRetries: 0 } }), hello, options());
    expect(outcome).toEqual({
      ok: false,
      error: "No language model provider could answer (Primary, Backup).",
      attempts: [
        { provider: "Primary", reason: expect.stringMatching(/^500 server error/) },
        { provider: "Backup", reason: expect.stringMatching(/^401 the key was refused/) },
      ],
    });
    expect(await chatThroughProviders([], hello, options())).toEqual({ ok: false, error: NO_PROVIDER_MESSAGE, attempts: [] });
  });

  test("a wrong key echoed by the provider appears in neither the outcome nor the logs", async () => {
    const lines: string[] = [];
    const logger = createLogger({ PARLEY_LOG_LEVEL: "info", PARLEY_LOG_FORMAT: "json" }, { write: (line: string) => void lines.push(line) });
    const wrongKey = "sk-proj-WRONGkey1234567890secret";
    const outcome = await chatThroughProviders(providers({ primary: { apiKey: wrongKey } }), hello, options({ logger }));
    expect(outcome).toMatchObject({ ok: true, result: { provider: "Backup", fallbacks: [{ provider: "Primary", reason: expect.stringMatching(/^401 the key was refused: Incorrect API key provided: \*\*\*\./) }] } });
    expect(lines.join("\n")).toContain("language model provider failed");
    for (const text of [JSON.stringify(outcome), lines.join("\n")]) {
      expect(text).not.toContain(wrongKey);
      expect(text).not.toContain("WRONGkey");
      expect(text).not.toContain(BACKUP_KEY);
    }
  });
});

test("a partly masked key in a provider's error is removed too", async () => {
  primary.answer({ status: 401, message: "Incorrect API key provided: sk-primar**********WXYZ. You can find your API key at https://platform.openai.com/account/api-keys." });
  const outcome = await chatThroughProviders(providers(), hello, options());
  expect(outcome.ok && outcome.result.fallbacks).toEqual([{ provider: "Primary", reason: "401 the key was refused: Incorrect API key provided: sk-***. You can find your API key at https://platform.openai.com/account/api-keys." }]);
});

describe("circuit breakers", () => {
  test("open after 3 failures in a row, skip the provider during the cool-down, then close after a successful probe", async () => {
    let clock = 1_000_000;
    const chain = options({ now: () => clock });
    const noRetries = providers({ primary: { maxRetries: 0 } });
    primary.otherwise({ status: 500 });
    for (let call = 0; call < 3; call++) expect(await chatThroughProviders(noRetries, hello, chain)).toMatchObject({ ok: true, result: { provider: "Backup" } });
    expect(primary.requests).toHaveLength(3);
    expect(chain.breakers!.snapshot("p1", "Primary", clock)).toMatchObject({ state: "open", consecutiveFailures: 3, retryAt: new Date(clock + 30_000).toISOString() });

    // Open: the primary is not even asked.
    const skipped = await chatThroughProviders(noRetries, hello, chain);
    expect(skipped).toMatchObject({ ok: true, result: { provider: "Backup", fallbacks: [{ provider: "Primary", reason: expect.stringMatching(/circuit breaker is open/) }] } });
    expect(primary.requests).toHaveLength(3);

    // After the cool-down one probe goes through; it fails, so the breaker opens again.
    clock += 30_000;
    expect(chain.breakers!.snapshot("p1", "Primary", clock).state).toBe("half-open");
    await chatThroughProviders(noRetries, hello, chain);
    expect(primary.requests).toHaveLength(4);
    expect(chain.breakers!.snapshot("p1", "Primary", clock).state).toBe("open");
    await chatThroughProviders(noRetries, hello, chain);
    expect(primary.requests).toHaveLength(4);

    // The provider recovers: the next probe succeeds and closes the breaker.
    clock += 30_000;
    primary.otherwise({ text: "Back again" });
    expect(await chatThroughProviders(noRetries, hello, chain)).toMatchObject({ ok: true, result: { provider: "Primary", text: "Back again" } });
    expect(chain.breakers!.snapshot("p1", "Primary", clock)).toMatchObject({ state: "closed", consecutiveFailures: 0, lastError: null });
    expect(await chatThroughProviders(noRetries, hello, chain)).toMatchObject({ ok: true, result: { provider: "Primary" } });
  });

  test("a request the provider refuses (400) does not count against it", async () => {
    const chain = options();
    primary.otherwise({ status: 400 });
    for (let call = 0; call < 5; call++) await chatThroughProviders(providers(), hello, chain);
    expect(primary.requests).toHaveLength(5);
    expect(chain.breakers!.snapshot("p1", "Primary", Date.now())).toMatchObject({ state: "closed", consecutiveFailures: 0 });
  });

  test("a success in between resets the count", async () => {
    const chain = options();
    const noRetries = providers({ primary: { maxRetries: 0 } });
    primary.answer({ status: 500 }, { status: 500 }, { text: "fine" }, { status: 500 }, { status: 500 });
    for (let call = 0; call < 5; call++) await chatThroughProviders(noRetries, hello, chain);
    expect(chain.breakers!.snapshot("p1", "Primary", Date.now())).toMatchObject({ state: "closed", consecutiveFailures: 2 });
  });
});
