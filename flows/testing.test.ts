// testNode, the harness node authors test with: what it reports for built-in and test-only
// node types, and the mistakes it refuses to let pass (undeclared ports, outputs that break
// the declared schema, secrets in outputs).
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { defineNode, NEXT_PORT } from "./define-node";
import ask from "./nodes/ask";
import goto from "./nodes/goto";
import reply from "./nodes/reply";
import { inbound, testNode } from "./testing";

const texts = (sent: { type: string }[]) => sent.map((message) => ("text" in message ? message.text : "body" in message ? message.body : message.type));

describe("testNode reports what a node did", () => {
  test("what it sent, rendered from the contact, the message, variables and earlier nodes' outputs", async () => {
    const result = await testNode(reply, {
      config: { text: "{{contact.name}}, order {{nodes.order.name}} is {{vars.status}} (you said “{{message.text}}”)" },
      contact: { name: "Lucía" },
      message: "where is it?",
      vars: { status: "on its way" },
      nodes: { order: { name: "#1001" } },
    });
    expect(texts(result.sent)).toEqual(["Lucía, order #1001 is on its way (you said “where is it?”)"]);
    expect(result).toMatchObject({ port: "next", status: "completed", stored: {} });
    expect(result.trace).toMatchObject({ nodeId: "node", nodeType: "reply", port: "next" });
  });

  test("an ask: the replies it took, the variable it stored and the port of the answer", async () => {
    const config = { question: "Which size?", variable: "size", kind: "choice" as const, choices: [{ id: "s", title: "Small" }, { id: "l", title: "Large" }] };
    const answered = await testNode(ask, { config, replies: ["extra large", inbound("Large", "l")], vars: { name: "Ana" } });
    expect(answered.port).toBe("l");
    expect(answered.stored).toEqual({ size: "l" });
    expect(answered.vars).toEqual({ name: "Ana", size: "l" });
    expect(answered.sent).toHaveLength(2); // the question, then the retry after "extra large"
    expect(answered.output).toMatchObject({ answer: "l", attempts: 2 });

    const silent = await testNode(ask, { config, timeoutWhenOut: true });
    expect(silent).toMatchObject({ port: "timeout", stored: {}, output: { answer: null } });
    const waiting = await testNode(ask, { config });
    expect(waiting).toMatchObject({ port: null, status: "waiting", output: null, trace: null });
  });

  test("a go to is reported, not followed", async () => {
    const result = await testNode(goto, { config: { target: "menu" } });
    expect(result).toMatchObject({ port: null, goto: "menu", status: "completed", output: { target: "menu" } });
  });

  test("a node that throws: status failed with its error, no port", async () => {
    const broken = defineNode<{ n: number }>({
      ...node("broken"),
      async run() {
        throw new Error("the order API is down");
      },
    });
    expect(await testNode(broken)).toMatchObject({ port: null, status: "failed", error: "the order API is down" });
  });

  test("a config saved by an older version of the type runs through its migrations", async () => {
    const greeting = defineNode<{ text: string; emoji: boolean }>({
      ...node("greeting"),
      version: 2,
      config: z.object({ text: z.string().min(1), emoji: z.boolean() }),
      migrations: { 1: ({ message, ...rest }) => ({ ...rest, text: message, emoji: true }) },
      defaultConfig: { text: "hi", emoji: false },
      async run({ config, send }) {
        await send({ type: "text", text: `${config.text}${config.emoji ? " 👋" : ""}` });
        return {};
      },
    });
    expect(texts((await testNode(greeting, { version: 1, config: { message: "Hola" } })).sent)).toEqual(["Hola 👋"]);
    expect(texts((await testNode(greeting, { config: { text: "Hello" } })).sent)).toEqual(["Hello"]);
    await expect(testNode(greeting, { version: 3 })).rejects.toThrow(/greeting: the config does not parse: saved by a newer Parley/);
    await expect(testNode(greeting, { config: { text: "" } })).rejects.toThrow(/greeting: the config does not parse: text: /);
  });
});

describe("testNode refuses what would break a flow", () => {
  test("a port the node does not declare", async () => {
    const typo = defineNode<{ n: number }>({
      ...node("typo"),
      async run() {
        return { port: "sucess" };
      },
    });
    await expect(testNode(typo)).rejects.toThrow("typo returned the port “sucess”, which ports(config) does not declare: next.");
  });

  test("an output its outputs schema refuses", async () => {
    const order = defineNode<{ n: number }>({
      ...node("order"),
      outputs: z.object({ status: z.enum(["open", "shipped"]), total: z.number() }),
      async run() {
        return { output: { status: "lost", total: "12.00" } };
      },
    });
    await expect(testNode(order)).rejects.toThrow(/order's output does not match its outputs schema: status: .*; total: /);
  });
});

describe("secrets", () => {
  const withKey = (run: Parameters<typeof defineNode<{ n: number }>>[0]["run"]) =>
    defineNode<{ n: number }>({
      ...node("crm"),
      secrets: [{ name: "apiKey", label: "CRM API key" }],
      ports: () => [NEXT_PORT, { id: "error", label: "error", failure: true }],
      run,
    });

  test("ctx.secret gives the stored secret; the trace never shows it, even when the node lets it slip", async () => {
    const careless = withKey(async ({ secret, step }) => {
      const key = await secret("apiKey");
      const answer = await step("call", async () => ({ status: 200, note: `called with Bearer ${key}` }));
      throw new Error(`${answer.note} and failed`);
    });
    const result = await testNode(careless, { secrets: { apiKey: "crm_live_5ecret" } });
    expect(result.error).toBe("called with Bearer *** and failed");
    expect(JSON.stringify(result.trace)).not.toContain("crm_live_5ecret");
  });

  test("a secret nobody stored fails the node with where to add it; an undeclared one names the definition", async () => {
    const reads = (name: string) => withKey(async ({ secret }) => ({ output: { length: (await secret(name)).length } }));
    expect((await testNode(reads("apiKey"))).error).toBe("The secret “CRM API key” is not set: an admin adds it in Settings → Node secrets.");
    expect((await testNode(reads("token"), { secrets: { token: "t" } })).error).toBe("Node type “crm” reads the secret “token” but does not declare it in its definition's secrets.");
  });

  test("a secret in the node's output fails the test", async () => {
    const leaky = withKey(async ({ secret }) => ({ output: { key: await secret("apiKey") } }));
    await expect(testNode(leaky, { secrets: { apiKey: "crm_live_5ecret" } })).rejects.toThrow("crm put a secret in its output, which traces and templates show: leave it out.");
  });
});

/** The parts of a test node type that do not matter to these tests. */
function node(type: string) {
  return {
    type,
    version: 1,
    title: type,
    description: "test node",
    category: "data" as const,
    icon: "🧪",
    config: z.object({ n: z.number() }),
    defaultConfig: { n: 1 },
    ports: () => [NEXT_PORT],
    summary: () => type,
  };
}
