"use client";
import { z } from "zod";
import { chatRequestSchema, chatResultSchema, type ChatMessage } from "@/flows/models";

const attemptsSchema = z.array(z.object({ provider: z.string(), reason: z.string() }));
const modelCallsSchema = z.array(
  z.object({
    request: chatRequestSchema,
    result: chatResultSchema.nullable(),
    error: z.object({ message: z.string(), attempts: attemptsSchema }).nullable(),
  }),
);

/** A node's language model calls as its trace keeps them: who answered, tokens, time, cost, the prompt and the answer. */
export function ModelCalls({ value }: { value: unknown }) {
  const parsed = modelCallsSchema.safeParse(value);
  if (!parsed.success) return null;
  return (
    <div className="space-y-2 md:col-span-2" data-testid="model-calls">
      <h3 className="text-xs font-medium text-slate-600">Model calls</h3>
      <ol className="space-y-2">
        {parsed.data.map((call, index) => (
          <li key={index} className="rounded-md border border-slate-200 bg-white p-2 text-xs text-slate-800">
            {call.result ? (
              <p data-testid="model-call-summary">
                <span className="font-medium">{call.result.provider}</span> · <span className="font-mono">{call.result.model}</span> · {call.result.usage.inputTokens} →{" "}
                {call.result.usage.outputTokens} tokens · {call.result.latencyMs} ms · {call.result.costUsd === null ? "no price" : `$${call.result.costUsd.toFixed(6)}`}
              </p>
            ) : (
              <p className="text-red-800">No answer: {call.error?.message}</p>
            )}
            {[...(call.result?.fallbacks ?? []), ...(call.error?.attempts ?? [])].map((attempt, at) => (
              <p key={at} className="text-amber-800">
                {attempt.provider} passed over: {attempt.reason}
              </p>
            ))}
            <details className="mt-1">
              <summary className="cursor-pointer text-slate-500">Prompt and answer</summary>
              <div className="mt-1 space-y-1">
                {call.request.messages.map((message, at) => (
                  <p key={at} className="whitespace-pre-wrap">
                    <span className="font-mono text-slate-500">{message.role}: </span>
                    {messageText(message)}
                  </p>
                ))}
                {call.result ? (
                  <p className="whitespace-pre-wrap border-t border-slate-100 pt-1">
                    <span className="font-mono text-slate-500">answer: </span>
                    {call.result.refusal ?? call.result.text ?? call.result.toolCalls.map((toolCall) => `${toolCall.name}(${toolCall.arguments})`).join(", ")}
                  </p>
                ) : null}
              </div>
            </details>
          </li>
        ))}
      </ol>
    </div>
  );
}

function messageText(message: ChatMessage): string {
  if (message.role !== "assistant") return message.content;
  const calls = (message.toolCalls ?? []).map((call) => `${call.name}(${call.arguments})`).join(", ");
  return [message.content, calls].filter(Boolean).join("\n");
}
