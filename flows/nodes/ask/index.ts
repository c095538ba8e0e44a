import { z } from "zod";
import { defineNode, type PortDefinition } from "../../define-node";
import { WHATSAPP_LIMITS as L, type OutboundMessage } from "../../message";
import { checkDistinct, checkRendered, fixedLength, templated } from "../reply/limits";
import { checkAnswer, choiceDisplay, type AnswerKind } from "./answers";

const KINDS = ["text", "number", "email", "phone", "date", "choice", "regex"] as const satisfies readonly AnswerKind[];

/** Ports every ask has besides its answers; a choice id cannot take these names. */
const TIMEOUT_PORT: PortDefinition = { id: "timeout", label: "no answer" };
const INVALID_PORT: PortDefinition = { id: "invalid", label: "no valid answer" };
const RESERVED_PORTS = new Set(["next", "timeout", "invalid", "error"]);

const choiceConfig = z.object({
  // A choice id is also the id of its output port, which flows cap at 64 characters.
  id: z
    .string()
    .trim()
    .min(1, "give the choice an id: it is stored as the answer and names its output")
    .max(64, "choice ids hold at most 64 characters")
    .refine((id) => !RESERVED_PORTS.has(id), "“next”, “timeout”, “invalid” and “error” name the ask's other outputs: pick another id"),
  title: templated(L.rowTitle, `Choice titles hold at most ${L.rowTitle} characters in a list, ${L.buttonTitle} on buttons (WhatsApp's limits).`, "give the choice a title"),
  description: templated(L.rowDescription, `Choice descriptions hold at most ${L.rowDescription} characters (WhatsApp's limit).`).optional(),
});

// One flat object, like the reply node's, so the inspector can draw it; a flow saved before
// validation existed (`{ question, variable, timeout }`) is a free-text question, as before.
const config = z
  .object({
    /** Empty: send nothing and wait for the answer to the message before (a template's buttons). */
    question: templated(L.text, `WhatsApp texts hold at most ${L.text} characters`).default(""),
    /** The answer is stored as {{vars.<variable>}}. */
    variable: z.string().regex(/^[a-z_][a-z0-9_]{0,39}$/i, "use letters, digits and '_' (not starting with a digit)"),
    timeout: z
      .string()
      .regex(/^\d+[smhd]$/, 'a number and a unit: "30m", "24h", "7d"')
      .default("24h"),
    kind: z.enum(KINDS).default("text").describe("What counts as an answer."),
    minLength: z.int().min(0).max(4096).optional().describe("Text: the fewest characters accepted."),
    maxLength: z.int().min(1).max(4096).optional().describe("Text: the most characters accepted."),
    min: z.number().optional().describe("Number: the smallest accepted."),
    max: z.number().optional().describe("Number: the largest accepted."),
    pattern: z.string().max(500).optional().describe("Regex: the pattern an answer must match, e.g. ^[A-Z]{2}\\d{6}$"),
    choices: z.array(choiceConfig).optional().describe("Choice: { id, title, description }; up to 3 show as buttons, up to 10 as a list. Each id is an output."),
    choiceStyle: z.enum(["buttons", "list"]).optional().describe("Choice: buttons (up to 3) or a list (up to 10); by default buttons when they fit."),
    listButton: templated(L.listButtonLabel, `The list's button label holds at most ${L.listButtonLabel} characters (WhatsApp's limit).`)
      .optional()
      .describe("Choice as a list: the label of the button that opens it (“Choose” when empty)."),
    retryMessage: templated(L.text, `WhatsApp texts hold at most ${L.text} characters`)
      .optional()
      .describe("Sent after an invalid answer, before waiting again. A default per kind when empty."),
    maxAttempts: z.int().min(1).max(10).default(3).describe("Answers accepted before the “no valid answer” output."),
  })
  .superRefine((c, issues) => {
    const issue = (path: (string | number)[], message: string) => issues.addIssue({ code: "custom", path, message });
    if (c.kind === "text" && c.minLength !== undefined && c.maxLength !== undefined && c.minLength > c.maxLength) {
      issue(["maxLength"], "the maximum length is below the minimum");
    }
    if (c.kind === "number" && c.min !== undefined && c.max !== undefined && c.min > c.max) issue(["max"], "the maximum is below the minimum");
    if (c.kind === "regex") {
      if (!c.pattern) issue(["pattern"], "write the pattern an answer must match");
      else {
        try {
          new RegExp(c.pattern);
        } catch (error) {
          issue(["pattern"], `not a valid regular expression: ${(error as Error).message}`);
        }
      }
      // A pattern means nothing to the contact: the flow must say what a valid answer looks like.
      if (!c.retryMessage) issue(["retryMessage"], "say what a valid answer looks like, e.g. “Your order number has 2 letters and 6 digits.”");
    }
    if (c.kind === "choice") {
      const choices = c.choices ?? [];
      if (choices.length === 0) issue(["choices"], "add the choices, each { id, title }");
      const display = choiceDisplay(choices.length, c.choiceStyle);
      if (display === "buttons" && choices.length > L.buttons) {
        issue(["choices"], `A question can have at most ${L.buttons} buttons: WhatsApp refuses more. Use a list for up to ${L.listRows} options.`);
      } else if (choices.length > L.listRows) {
        issue(["choices"], `A question can offer at most ${L.listRows} choices in a list (it has ${choices.length}): WhatsApp refuses more.`);
      }
      if (display === "buttons") {
        choices.forEach((choice, index) => {
          if (fixedLength(choice.title) > L.buttonTitle) {
            issue(["choices", index, "title"], `Button titles hold at most ${L.buttonTitle} characters (WhatsApp's limit); a list allows ${L.rowTitle}.`);
          }
        });
      }
      checkDistinct(choices, issues, (index) => ["choices", index], "choice");
      if (fixedLength(c.question) > L.interactiveBody) {
        issue(["question"], `A question with choices holds at most ${L.interactiveBody} characters (WhatsApp's limit).`);
      }
      // The retry message is sent with the choices again, so it is an interactive body too.
      if (c.retryMessage && fixedLength(c.retryMessage) > L.interactiveBody) {
        issue(["retryMessage"], `With choices the retry message holds at most ${L.interactiveBody} characters (WhatsApp's limit).`);
      }
    }
  });
type AskConfig = z.infer<typeof config>;

export default defineNode<AskConfig>({
  type: "ask",
  version: 1,
  title: "Ask a question",
  description: "Sends a question, waits for the contact's answer, checks it (a number, an email, one of some choices…) and stores it in a variable.",
  category: "message",
  icon: "❓",
  config,
  outputs: z.object({
    question: z.string(),
    variable: z.string(),
    /** The accepted answer as stored (a number for numbers, the choice id for choices); null when none came. */
    answer: z.unknown(),
    /** The text of the last answer received. */
    text: z.string().nullable().optional(),
    attempts: z.number(),
    messageId: z.string().optional(),
    /** The chosen choice's id and title. */
    id: z.string().optional(),
    title: z.string().optional(),
  }),
  defaultConfig: { question: "What is your name?", variable: "name", timeout: "24h", kind: "text", maxAttempts: 3 },
  ports: (c) => {
    // A free-text question without limits only fails on answers with no text at all (a
    // sticker, thrice): not worth a warning. Any real check is.
    const invalid = { ...INVALID_PORT, failure: c.kind !== "text" || c.minLength !== undefined || c.maxLength !== undefined };
    return c.kind === "choice"
      ? [...(c.choices ?? []).map((choice) => ({ id: choice.id, label: choice.title })), TIMEOUT_PORT, invalid]
      : [{ id: "next", label: "answered" }, TIMEOUT_PORT, invalid];
  },
  summary: (c) => `${c.question || "Waits for the answer"} → {{vars.${c.variable}}}${c.kind === "text" ? "" : ` (${c.kind})`}`,
  templateFields: ["question", "choices", "listButton", "retryMessage"],
  waitsForContact: true,
  sendsFreeForm: (c) => c.question !== "",
  setsVariables: (c) => [c.variable],
  async run(context) {
    const { config: c, render } = context;
    const question = render(c.question);
    const choices = (c.choices ?? []).map((choice) => ({
      id: choice.id,
      title: render(choice.title).trim(),
      description: choice.description ? render(choice.description).trim() || undefined : undefined,
    }));
    const prompt = (text: string): OutboundMessage => {
      if (c.kind !== "choice") return checkRendered({ type: "text", text });
      if (choiceDisplay(choices.length, c.choiceStyle) === "buttons") {
        return checkRendered({ type: "buttons", body: text, buttons: choices.map(({ id, title }) => ({ id, title })) });
      }
      const label = c.listButton ? render(c.listButton).trim() : "";
      return checkRendered({ type: "list", body: text, button: label || "Choose", sections: [{ rows: choices }] });
    };

    if (question !== "") await context.send(prompt(question));
    let text: string | null = null;
    for (let attempt = 1; attempt <= c.maxAttempts; attempt++) {
      const answer = await context.waitForReply({ timeout: c.timeout });
      if (!answer) return { port: "timeout", output: { question, variable: c.variable, answer: null, attempts: attempt - 1 } };
      text = answer.text;
      const verdict = checkAnswer(c, choices, answer);
      if (verdict.ok) {
        context.setVar(c.variable, verdict.value);
        const output = { question, variable: c.variable, answer: verdict.value, text, attempts: attempt, messageId: answer.id };
        if (verdict.choice) return { port: verdict.choice.id, output: { ...output, id: verdict.choice.id, title: verdict.choice.title } };
        return { port: "next", output };
      }
      if (attempt < c.maxAttempts) await context.send(prompt(c.retryMessage ? render(c.retryMessage) : verdict.retry));
    }
    return { port: "invalid", output: { question, variable: c.variable, answer: null, text, attempts: c.maxAttempts } };
  },
});
