import { describe, expect, test } from "vitest";
import { z } from "zod";
import { defineNode, NEXT_PORT, type NodeDefinition } from "./define-node";
import { parseConfig, registerNode, upgradeNode } from "./registry";

// Version 3 of a greeting node: v1 had `message`, v2 renamed it `text`, v3 added `emoji`.
const greeting = defineNode<{ text: string; emoji: boolean }>({
  type: "greeting",
  version: 3,
  title: "Greeting",
  description: "test node",
  category: "message",
  icon: "👋",
  config: z.object({ text: z.string().min(1), emoji: z.boolean() }),
  migrations: {
    1: ({ message, ...rest }) => ({ ...rest, text: message }),
    2: (config) => ({ ...config, emoji: false }),
  },
  defaultConfig: { text: "hi", emoji: true },
  ports: () => [NEXT_PORT],
  summary: (c) => c.text,
  async run() {
    return {};
  },
}) as unknown as NodeDefinition<never>;

describe("node config versions", () => {
  test("a config saved with version 1 is migrated step by step to the current shape", () => {
    expect(parseConfig(greeting, { message: "Hello" }, 1)).toEqual({ ok: true, config: { text: "Hello", emoji: false } });
  });

  test("a current config is parsed as is", () => {
    expect(parseConfig(greeting, { text: "Hey", emoji: true }, 3)).toEqual({ ok: true, config: { text: "Hey", emoji: true } });
  });

  test("a config from a newer Parley is refused with a reason, not misread", () => {
    const result = parseConfig(greeting, { text: "x", emoji: true, extra: 1 }, 4);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues[0]!.message).toMatch(/newer Parley/);
  });

  test("a migration that cannot apply is reported", () => {
    const result = parseConfig(greeting, "not an object", 1);
    expect(!result.ok && result.issues[0]!.message).toBe("the saved config is not an object");
  });

  test("a saved node is upgraded for editing; an unknown type is left as is", () => {
    registerNode(greeting);
    expect(() => registerNode(greeting)).toThrow(/already registered/);
    const saved = { id: "n", type: "greeting", version: 1, config: { message: "Hola" }, position: { x: 0, y: 0 } };
    expect(upgradeNode(saved)).toEqual({ ...saved, version: 3, config: { text: "Hola", emoji: false } });
    const unknown = { ...saved, type: "no-such-type" };
    expect(upgradeNode(unknown)).toBe(unknown);
  });
});
