// Reading a contact's answer as the kind of value the question asked for. Pure functions:
// the ask node sends, waits and stores; this decides what an answer means.
import { WHATSAPP_LIMITS } from "../../message";
import type { InboundMessage } from "../../message";

export type AnswerKind = "text" | "number" | "email" | "phone" | "date" | "choice" | "regex";

export interface AnswerRules {
  kind: AnswerKind;
  minLength?: number;
  maxLength?: number;
  min?: number;
  max?: number;
  pattern?: string;
}

export interface Choice {
  id: string;
  title: string;
}

export type Verdict =
  | { ok: true; value: string | number; choice?: Choice }
  | { ok: false; /** The default message asking again. */ retry: string };

/** Buttons when the choices fit on them (or the flow asks for them), else a list. */
export function choiceDisplay(count: number, style: "buttons" | "list" | undefined): "buttons" | "list" {
  return style ?? (count <= WHATSAPP_LIMITS.buttons ? "buttons" : "list");
}

export function checkAnswer(rules: AnswerRules, choices: Choice[], answer: InboundMessage): Verdict {
  const text = answer.text?.trim() ?? "";
  switch (rules.kind) {
    case "text":
      return checkText(rules, text);
    case "number":
      return checkNumber(rules, text);
    case "email":
      return /^[^\s@]+@[^\s@]+\.[^\s@.]{2,}$/.test(text)
        ? { ok: true, value: text }
        : { ok: false, retry: "That doesn't look like an email address. Please write it like name@example.com." };
    case "phone":
      return checkPhone(text);
    case "date":
      return checkDate(text);
    case "choice":
      return checkChoice(choices, answer.replyId, text);
    case "regex":
      return text !== "" && new RegExp(rules.pattern ?? "").test(text) ? { ok: true, value: text } : { ok: false, retry: "That answer doesn't have the expected format. Please try again." };
  }
}

function checkText(rules: AnswerRules, text: string): Verdict {
  const { minLength: least, maxLength: most } = rules;
  if (text === "") return { ok: false, retry: "Please answer with a text message." };
  const length = [...text].length;
  if ((least !== undefined && length < least) || (most !== undefined && length > most)) {
    const range =
      least !== undefined && most !== undefined ? `between ${least} and ${most} characters` : least !== undefined ? `at least ${least} characters` : `at most ${most} characters`;
    return { ok: false, retry: `Please answer in ${range}.` };
  }
  return { ok: true, value: text };
}

function checkNumber(rules: AnswerRules, text: string): Verdict {
  const { min, max } = rules;
  const range = min !== undefined && max !== undefined ? ` between ${min} and ${max}` : min !== undefined ? ` of at least ${min}` : max !== undefined ? ` of at most ${max}` : "";
  const retry = { ok: false as const, retry: `Please answer with a number${range}.` };
  // "1 500", "-3", "2.5" and "2,5" (a decimal comma, as much of the world writes it).
  const compact = text.replace(/\s+/g, "");
  if (!/^[+-]?\d+([.,]\d+)?$/.test(compact)) return retry;
  const value = Number(compact.replace(",", "."));
  if ((min !== undefined && value < min) || (max !== undefined && value > max)) return retry;
  return { ok: true, value };
}

/** Stored as "+<digits>" when the contact gave the country code (+ or 00), else as the digits. */
function checkPhone(text: string): Verdict {
  const compact = text.replace(/[\s().-]/g, "");
  const match = /^(\+|00)?(\d{6,15})$/.exec(compact);
  if (!match) return { ok: false, retry: "That doesn't look like a phone number. Please write it with the country code, like +34 600 000 000." };
  return { ok: true, value: match[1] ? `+${match[2]}` : match[2]! };
}

/** ISO (2025-12-31) or day first (31/12/2025, 31-12-2025, 31.12.2025); stored as ISO. */
function checkDate(text: string): Verdict {
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  const dayFirst = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
  const [year, month, day] = iso ? [iso[1], iso[2], iso[3]] : dayFirst ? [dayFirst[3], dayFirst[2], dayFirst[1]] : [];
  if (year && month && day) {
    const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
    // Date.UTC rolls 31/02 over into March: a date that does not round-trip does not exist.
    if (date.getUTCFullYear() === Number(year) && date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day)) {
      return { ok: true, value: date.toISOString().slice(0, 10) };
    }
  }
  return { ok: false, retry: "Please write a date like 31/12/2025." };
}

/** A tapped button or row (by id), or a typed title (any case) or option number ("2"). */
function checkChoice(choices: Choice[], replyId: string | null, text: string): Verdict {
  const typed = text.toLowerCase();
  const number = /^(\d{1,2})[.)]?$/.exec(typed);
  const choice =
    choices.find((c) => replyId !== null && c.id === replyId) ??
    choices.find((c) => c.title.toLowerCase() === typed) ??
    (number ? choices[Number(number[1]) - 1] : undefined);
  return choice ? { ok: true, value: choice.id, choice } : { ok: false, retry: "Please choose one of the options." };
}
