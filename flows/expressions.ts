// Conditions in flows are CEL expressions (the language Inngest itself uses), evaluated
// with @bufbuild/cel over the same names templates see: contact, message, vars, nodes.
// e.g. `vars.plan == "pro" && int(vars.seats) > 5`, `message.text.contains("refund")`.
import { celEnv, isCelError, parse, plan } from "@bufbuild/cel";

type Program = ReturnType<typeof plan>;
const env = celEnv();
const programs = new Map<string, Program | Error>();

function compile(expression: string): Program | Error {
  let program = programs.get(expression);
  if (!program) {
    try {
      program = plan(env, parse(expression));
    } catch (error) {
      program = new Error((error as Error).message.split("\n")[0]);
    }
    if (programs.size > 2_000) programs.clear();
    programs.set(expression, program);
  }
  return program;
}

/** Why the expression cannot be read, or null. */
export function expressionError(expression: string): string | null {
  const program = compile(expression);
  return program instanceof Error ? program.message : null;
}

export type ConditionResult = { value: boolean; error?: string };

/**
 * True only when the expression yields true. A missing variable or a type mismatch
 * yields false with the reason, so the flow takes its "else" path and the trace says why.
 */
export function evaluateCondition(expression: string, scope: Record<string, unknown>): ConditionResult {
  const program = compile(expression);
  if (program instanceof Error) return { value: false, error: program.message };
  try {
    const result = program(JSON.parse(JSON.stringify(scope)) as Parameters<Program>[0]);
    if (isCelError(result)) return { value: false, error: result.message };
    if (typeof result !== "boolean") return { value: false, error: `the expression gives ${typeof result}, not true or false` };
    return { value: result };
  } catch (error) {
    return { value: false, error: (error as Error).message };
  }
}
