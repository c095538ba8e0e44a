import { describe, expect, test } from "vitest";
import { formFields } from "@/components/inspector/schema-fields";
import type { NodeDefinition } from "../../define-node";
import type { FlowGraph } from "../../schema";
import { inbound, runScripted, singleNodeFlow } from "../../testing";
import { validateFlow } from "../../validator";
import ask from ".";

const askNode = ask as unknown as NodeDefinition<never>;
const base = { question: "Your answer?", variable: "answer" };

/** Runs trigger → ask with the contact's answers; when they run out, the wait times out. */
async function askWith(config: Record<string, unknown>, answers: Parameters<typeof runScripted>[2]) {
  const result = await runScripted(singleNodeFlow(askNode, { ...base, ...config }), "hi", answers, { timeoutWhenOut: true });
  const trace = result.traces.find((t) => t.nodeId === "node");
  return { ...result, port: trace?.port, output: trace?.output, texts: result.sent.map((m) => (m.type === "text" ? m.text : m.type === "buttons" || m.type === "list" ? m.body : m.type)) };
}

const errorsOf = (config: Record<string, unknown>) =>
  validateFlow(singleNodeFlow(askNode, { ...base, ...config }))
    .filter((d) => d.severity === "error" && d.nodeId === "node")
    .map((d) => d.message);

describe("ask node: an ask saved before validation existed", () => {
  test("{ question, variable, timeout } parses, validates, asks in text and stores the answer as before", async () => {
    const saved: FlowGraph = {
      nodes: [
        { id: "start", type: "trigger", version: 1, config: { match: "any", keywords: [] }, position: { x: 0, y: 0 } },
        { id: "ask_name", type: "ask", version: 1, config: { question: "What is your name, {{contact.name}}?", variable: "name", timeout: "1h" }, position: { x: 0, y: 100 } },
        { id: "thanks", type: "reply", version: 1, config: { text: "Thanks {{vars.name}}" }, position: { x: 0, y: 200 } },
      ],
      edges: [
        { id: "e1", from: "start", port: "next", to: "ask_name" },
        { id: "e2", from: "ask_name", port: "next", to: "thanks" },
      ],
    };
    expect(validateFlow(saved)).toEqual([]);
    const result = await runScripted(saved, "hi", ["Ana María"]);
    expect(result.status).toBe("completed");
    expect(result.sent).toEqual([
      { type: "text", text: "What is your name, Ana?" },
      { type: "text", text: "Thanks Ana María" },
    ]);
    expect(result.vars).toEqual({ name: "Ana María" });
    expect(result.traces.find((t) => t.nodeId === "ask_name")).toMatchObject({ port: "next", output: { question: "What is your name, Ana?", variable: "name", answer: "Ana María" } });
  });

  test("no answer before the timeout takes the “timeout” port", async () => {
    const result = await askWith({ timeout: "1h" }, []);
    expect(result.port).toBe("timeout");
    expect(result.output).toMatchObject({ answer: null });
    expect(result.vars).toEqual({});
  });
});

describe("ask node: validation by kind", () => {
  test("text: length limits, with a default retry message saying the limits", async () => {
    const valid = await askWith({ kind: "text", minLength: 2, maxLength: 5 }, ["Bob"]);
    expect([valid.port, valid.vars.answer]).toEqual(["next", "Bob"]);
    const retried = await askWith({ kind: "text", minLength: 2, maxLength: 5 }, ["B", "Bob"]);
    expect(retried.texts).toEqual(["Your answer?", "Please answer in between 2 and 5 characters."]);
    expect(retried.output).toMatchObject({ answer: "Bob", attempts: 2 });
  });

  test("number: accepts a decimal comma, refuses out of range, stores a number", async () => {
    const result = await askWith({ kind: "number", min: 1, max: 10 }, ["twelve", "12", "2,5"]);
    expect(result.texts).toEqual(["Your answer?", "Please answer with a number between 1 and 10.", "Please answer with a number between 1 and 10."]);
    expect([result.port, result.vars.answer]).toEqual(["next", 2.5]);
  });

  test("email", async () => {
    const result = await askWith({ kind: "email" }, ["ana at example", " ana@example.com "]);
    expect(result.texts[1]).toMatch(/email address/);
    expect(result.vars.answer).toBe("ana@example.com");
  });

  test("phone: stored with its country code as +digits", async () => {
    expect((await askWith({ kind: "phone" }, ["0034 (600) 12-34-56"])).vars.answer).toBe("+34600123456");
    expect((await askWith({ kind: "phone" }, ["+1 555 0100 111"])).vars.answer).toBe("+15550100111");
    const retried = await askWith({ kind: "phone" }, ["call me", "600123456"]);
    expect([retried.texts.length, retried.vars.answer]).toEqual([2, "600123456"]);
  });

  test("date: ISO or day first, stored as ISO; impossible dates are refused", async () => {
    expect((await askWith({ kind: "date" }, ["2025-12-31"])).vars.answer).toBe("2025-12-31");
    expect((await askWith({ kind: "date" }, ["5/3/2026"])).vars.answer).toBe("2026-03-05");
    const retried = await askWith({ kind: "date" }, ["31/02/2026", "tomorrow", "28.02.2026"]);
    expect(retried.texts.slice(1)).toEqual(["Please write a date like 31/12/2025.", "Please write a date like 31/12/2025."]);
    expect(retried.vars.answer).toBe("2026-02-28");
  });

  test("regex: the configured retry message, rendered", async () => {
    const config = { kind: "regex", pattern: "^[A-Z]{2}\\d{4}$", retryMessage: "{{contact.name}}, an order number is 2 letters and 4 digits." };
    const result = await askWith(config, ["1234", "AB1234"]);
    expect(result.texts).toEqual(["Your answer?", "Ana, an order number is 2 letters and 4 digits."]);
    expect([result.port, result.vars.answer]).toEqual(["next", "AB1234"]);
  });

  test("every answer invalid: retries up to maxAttempts, then the “invalid” port with nothing stored", async () => {
    const result = await askWith({ kind: "number" }, ["a", "b", "c", "4"]);
    expect(result.texts).toEqual(["Your answer?", "Please answer with a number.", "Please answer with a number."]);
    expect(result.port).toBe("invalid");
    expect(result.output).toMatchObject({ answer: null, text: "c", attempts: 3 });
    expect(result.vars).toEqual({});
    expect((await askWith({ kind: "number", maxAttempts: 1 }, ["a"])).port).toBe("invalid");
  });

  test("a timeout while waiting for a corrected answer takes the “timeout” port", async () => {
    const result = await askWith({ kind: "email" }, ["nope"]);
    expect(result.port).toBe("timeout");
    expect(result.output).toMatchObject({ answer: null, attempts: 1 });
  });

  test("an answer without text (a sticker) is not a text answer", async () => {
    const sticker = { ...inbound(""), type: "sticker", text: null };
    const result = await askWith({}, [sticker, "Fine"]);
    expect(result.texts[1]).toBe("Please answer with a text message.");
    expect(result.vars.answer).toBe("Fine");
  });
});

describe("ask node: choices", () => {
  const sizes = {
    kind: "choice",
    question: "Which size, {{contact.name}}?",
    variable: "size",
    choices: [
      { id: "s", title: "Small" },
      { id: "m", title: "Medium" },
      { id: "l", title: "Large {{contact.name}}" },
    ],
  };

  test("asks with buttons; a tapped button answers by id and takes the choice's port", async () => {
    const result = await askWith(sizes, [inbound("Medium", "m")]);
    expect(result.sent).toEqual([
      { type: "buttons", body: "Which size, Ana?", buttons: [{ id: "s", title: "Small" }, { id: "m", title: "Medium" }, { id: "l", title: "Large Ana" }] },
    ]);
    expect(result.port).toBe("m");
    expect(result.vars).toEqual({ size: "m" });
    expect(result.output).toMatchObject({ answer: "m", id: "m", title: "Medium" });
  });

  test("a typed title matches ignoring case; a typed number picks that option", async () => {
    expect((await askWith(sizes, ["  large ana "])).port).toBe("l");
    expect((await askWith(sizes, ["1"])).output).toMatchObject({ id: "s", title: "Small" });
  });

  test("anything else gets the choices again, with the retry message as their text", async () => {
    const result = await askWith(sizes, ["huge", "4", inbound("Small", "s")]);
    expect(result.sent[1]).toEqual({ type: "buttons", body: "Please choose one of the options.", buttons: expect.any(Array) });
    expect(result.texts).toHaveLength(3);
    expect(result.port).toBe("s");
  });

  test("more than 3 choices are sent as a list; a list row reply answers by id", async () => {
    const choices = Array.from({ length: 5 }, (_, i) => ({ id: `d${i + 1}`, title: `Day ${i + 1}`, description: i === 0 ? "Soonest" : undefined }));
    const result = await askWith({ kind: "choice", choices, listButton: "Days" }, [inbound("Day 4", "d4")]);
    expect(result.sent[0]).toMatchObject({ type: "list", button: "Days", sections: [{ rows: [{ id: "d1", title: "Day 1", description: "Soonest" }, { id: "d2" }, { id: "d3" }, { id: "d4" }, { id: "d5" }] }] });
    expect(result.port).toBe("d4");
  });

  test("a choice title a variable makes too long for a button fails the node with the reason", async () => {
    const result = await runScripted(singleNodeFlow(askNode, { ...sizes, choices: [{ id: "a", title: "{{message.text}}" }] }), "x".repeat(21));
    expect(result.status).toBe("failed");
    expect(result.error).toMatch(/buttons\.0\.title: button titles hold at most 20 characters/);
    expect(result.sent).toEqual([]);
  });

  test("ports: one per choice, labelled with its title, plus “no answer” and “no valid answer”", () => {
    expect(ask.ports(ask.config.parse({ ...base, ...sizes }))).toEqual([
      { id: "s", label: "Small" },
      { id: "m", label: "Medium" },
      { id: "l", label: "Large {{contact.name}}" },
      { id: "timeout", label: "no answer" },
      { id: "invalid", label: "no valid answer", failure: true },
    ]);
    expect(ask.ports(ask.config.parse(base)).map((p) => p.id)).toEqual(["next", "timeout", "invalid"]);
    // Only a question that checks its answers warns when nothing handles a wrong one.
    expect(ask.ports(ask.config.parse(base)).find((p) => p.id === "invalid")?.failure).toBe(false);
    expect(ask.ports(ask.config.parse({ ...base, kind: "email" })).find((p) => p.id === "invalid")?.failure).toBe(true);
  });

  test("WhatsApp's limits and the choices' rules are diagnostics naming the field", () => {
    const choice = (i: number, title = `Option ${i}`) => ({ id: `o${i}`, title });
    expect(errorsOf({ kind: "choice", choiceStyle: "buttons", choices: [1, 2, 3, 4].map((i) => choice(i)) })).toEqual([
      "choices: A question can have at most 3 buttons: WhatsApp refuses more. Use a list for up to 10 options.",
    ]);
    expect(errorsOf({ kind: "choice", choices: Array.from({ length: 11 }, (_, i) => choice(i)) })).toEqual([
      "choices: A question can offer at most 10 choices in a list (it has 11): WhatsApp refuses more.",
    ]);
    expect(errorsOf({ kind: "choice", choices: [choice(1, "x".repeat(21))] })).toEqual([
      "choices.0.title: Button titles hold at most 20 characters (WhatsApp's limit); a list allows 24.",
    ]);
    expect(errorsOf({ kind: "choice", choiceStyle: "list", choices: [choice(1, "x".repeat(21))] })).toEqual([]);
    expect(errorsOf({ kind: "choice", choices: [choice(1, "Yes"), choice(2, "YES")] })).toEqual(["choices.1.title: Two choices are titled “YES”: WhatsApp needs each title to differ."]);
    expect(errorsOf({ kind: "choice", choices: [{ id: "timeout", title: "Later" }] })).toEqual([
      "choices.0.id: “next”, “timeout”, “invalid” and “error” name the ask's other outputs: pick another id",
    ]);
    expect(errorsOf({ kind: "choice", question: "x".repeat(1025), choices: [choice(1)] })).toEqual([
      "question: A question with choices holds at most 1024 characters (WhatsApp's limit).",
    ]);
    expect(errorsOf({ kind: "choice" })).toEqual(["choices: add the choices, each { id, title }"]);
  });

  test("the inspector draws every field: the question as a textarea, numbers, choices row by row", () => {
    const fields = new Map(formFields(ask.config).map((f) => [f.key, f]));
    expect(fields.get("question")).toMatchObject({ defaultValue: "", spec: { kind: "text", multiline: true } });
    expect(fields.get("kind")).toMatchObject({ defaultValue: "text", spec: { kind: "enum" } });
    expect(fields.get("maxAttempts")).toMatchObject({ defaultValue: 3, spec: { kind: "number", integer: true, min: 1, max: 10 } });
    expect(fields.get("choices")?.spec).toMatchObject({ kind: "objects", fields: [{ key: "id" }, { key: "title" }, { key: "description" }] });
    expect(fields.get("retryMessage")?.spec.kind).toBe("text");
  });

  test("regex and ranges are checked on the canvas", () => {
    expect(errorsOf({ kind: "regex", pattern: "([a-z" })).toEqual([
      expect.stringMatching(/^pattern: not a valid regular expression/),
      "retryMessage: say what a valid answer looks like, e.g. “Your order number has 2 letters and 6 digits.”",
    ]);
    expect(errorsOf({ kind: "number", min: 5, max: 1 })).toEqual(["max: the maximum is below the minimum"]);
  });
});
