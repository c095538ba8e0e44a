// Inngest expressions (trigger `if`, waitForEvent `if`/`match`, concurrency keys) are CEL
// programs over the variables `event` and `async` (protocol doc §8). We evaluate them with
// @bufbuild/cel, a maintained CEL implementation.
//
// Differences from Inngest's cel-go environment, handled here or documented in
// docs/executor.md:
// - Inngest reads a missing field as null; @bufbuild/cel reports an error. We treat an
//   evaluation error as "no match" (false), which is what a comparison against a missing
//   field yields in practice.
// - Inngest's custom functions (lowercase, json_parse, date, now…) are not available yet.
import { celEnv, isCelError, isCelList, isCelMap, parse, plan, type CelValue } from "@bufbuild/cel";

type Program = ReturnType<typeof plan>;

const env = celEnv();
const cache = new Map<string, Program | Error>();
const CACHE_LIMIT = 2000;

function compile(expression: string): Program | Error {
  let program = cache.get(expression);
  if (program === undefined) {
    try {
      program = plan(env, parse(expression));
    } catch (error) {
      program = error instanceof Error ? error : new Error(String(error));
    }
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(expression, program);
  }
  return program;
}

export type Bindings = { event?: unknown; async?: unknown };

/** Checks that an expression compiles; returns the reason when it does not. */
export function expressionError(expression: string): string | null {
  const program = compile(expression);
  return program instanceof Error ? program.message : null;
}

function evaluate(expression: string, bindings: Bindings): CelValue | Error {
  const program = compile(expression);
  if (program instanceof Error) return program;
  const vars: Record<string, unknown> = {};
  if (bindings.event !== undefined) vars.event = toCel(bindings.event);
  if (bindings.async !== undefined) vars.async = toCel(bindings.async);
  try {
    // toCel only produces JSON-shaped values, which are valid CEL inputs.
    const result = program(vars as Parameters<Program>[0]);
    return isCelError(result) ? new Error(result.message) : result;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** True when the expression evaluates to true; false on any error or non-boolean result. */
export function matches(expression: string, bindings: Bindings): boolean {
  return evaluate(expression, bindings) === true;
}

/**
 * Evaluates a key expression (concurrency key, later throttle/debounce keys) to a string.
 * Returns null when it cannot be evaluated.
 */
export function evaluateKey(expression: string, bindings: Bindings): string | null {
  const value = evaluate(expression, bindings);
  if (value instanceof Error) return null;
  return typeof value === "string" ? value : JSON.stringify(fromCel(value));
}

/** JSON values as CEL input: drop undefined, keep everything else (objects are CEL maps). */
function toCel(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function fromCel(value: CelValue): unknown {
  if (typeof value === "bigint") return Number(value);
  if (isCelList(value)) return Array.from(value, (item) => fromCel(item as CelValue));
  if (isCelMap(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of value) out[String(key)] = fromCel(item as CelValue);
    return out;
  }
  if (value === null || ["string", "number", "boolean"].includes(typeof value)) return value;
  return String(value);
}
