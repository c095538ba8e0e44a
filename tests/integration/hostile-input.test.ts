// Malformed, oversized, deeply nested and hostile input at every boundary gets a 4xx with a
// reason or a diagnostic — and the app keeps answering real messages afterwards.
import { beforeAll, describe, expect, test } from "vitest";
import type { Viewer } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { createApiKey } from "@/server/security/api-keys";
import { appRouter } from "@/server/trpc/root";
import { eventually, textWebhook, useParley, webhookEnvelope } from "../support/parley";

const parley = useParley();
let owner: Viewer;
let apiKey: string;

beforeAll(async () => {
  const membership = await db().membership.findFirstOrThrow({ include: { user: true } });
  owner = { userId: membership.userId, email: membership.user.email, workspaceId: membership.workspaceId, role: "owner" };
  apiKey = (await createApiKey({ workspaceId: owner.workspaceId, name: "fuzz", userId: owner.userId })).key;
});

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

describe("webhook", () => {
  test.each([
    ["not JSON", "{ this is not json", 400],
    ["a JSON string", JSON.stringify("hello"), 400],
    ["nesting 100,000 levels deep", nested(100_000), 400],
    ["an entry that is not a list", JSON.stringify({ object: "whatsapp_business_account", entry: "x" }), 400],
  ])("%s is refused with a reason", async (_, raw, status) => {
    const response = await parley.postWebhook(null, { raw });
    expect(response.status).toBe(status);
    expect((await response.json()).error).toEqual(expect.any(String));
  });

  test("a message without a sender is refused on its own: the rest of its batch is stored and answered", async () => {
    const good = textWebhook("34644000004", "hello").body;
    const senderless = webhookEnvelope({ messages: [{ id: "wamid.NOSENDER", timestamp: "1", type: "text", text: { body: "who am I" } }] });
    // One POST, two changes: the senderless message first.
    const batch = { ...good, entry: [{ ...good.entry[0]!, changes: [...senderless.entry[0]!.changes, ...good.entry[0]!.changes] }] };
    const response = await parley.postWebhook(batch);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ messages: 1, refused: [{ wamid: "wamid.NOSENDER", reason: expect.any(String) }] });
    await eventually(() => parley.textsTo("34644000004").length > 0, 10_000, "the answer to the good message");
  });

  test("a body over 1 MiB is refused before it is read", async () => {
    const response = await parley.postWebhook(null, { raw: JSON.stringify({ padding: "x".repeat(1_100_000) }) });
    expect(response.status).toBe(413);
  });

  test("a forged signature is refused and stores nothing", async () => {
    const forged = textWebhook("34644000001", "forged");
    const response = await parley.postWebhook(forged.body, { secret: "not-the-app-secret" });
    expect(response.status).toBe(401);
    expect(await db().message.count({ where: { wamid: forged.wamid } })).toBe(0);
  });

  test("hostile text (markup, control characters, 4,096 emoji) is stored as sent and answered", async () => {
    const text = `<script>alert(1)</script>\u0000\u202e${"😀".repeat(4_000)}`;
    const hostile = textWebhook("34644000002", text);
    expect((await parley.postWebhook(hostile.body)).status).toBe(200);
    const stored = await db().message.findUniqueOrThrow({ where: { wamid: hostile.wamid } });
    expect(stored.text).toBe(text.replace("\u0000", ""));
    await eventually(() => parley.textsTo("34644000002").length > 0, 10_000, "the bot's answer");
  });
});

describe("events API", () => {
  const post = (body: string) =>
    fetch(`${parley.url}/api/events`, { method: "POST", headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" }, body });

  test.each([
    ["not JSON", "{", 400],
    ["a list instead of an event", "[]", 400],
    ["data that is not an object", JSON.stringify({ event: "x", to: "34600000001", data: "text" }), 400],
    ["nesting 100,000 levels deep", `{"event":"x","to":"34600000001","data":{"a":${nested(100_000)}}}`, 413],
    ["a body over 64 KB", JSON.stringify({ event: "x", to: "34600000001", data: { pad: "x".repeat(70_000) } }), 413],
  ])("%s is refused with a reason", async (_, body, status) => {
    const response = await post(body);
    expect(response.status).toBe(status);
    expect((await response.json()).error).toEqual(expect.any(String));
  });
});

describe("studio inputs", () => {
  const studio = () => appRouter.createCaller({ viewer: owner });

  test("importing hostile files is refused with problems, never a crash", async () => {
    await expect(studio().flows.import({ text: nested(50_000) })).rejects.toThrow(/not a flow Parley can import/);
    await expect(studio().flows.import({ text: JSON.stringify({ nodes: Array.from({ length: 6_000 }, (_, i) => ({ id: `n${i}`, type: "reply", position: { x: 0, y: 0 } })), edges: [] }) })).rejects.toThrow(
      /nodes: Too big/,
    );
    await expect(studio().flows.import({ text: "x".repeat(5_000_001) })).rejects.toThrow(/over 5 MB/);
  });

  test("a draft with a script in a label and an unknown node type saves with diagnostics", async () => {
    const created = await studio().flows.import({
      text: JSON.stringify({
        nodes: [
          { id: "start", type: "trigger", label: "<img src=x onerror=alert(1)>", config: { match: "any" }, position: { x: 0, y: 0 } },
          { id: "evil", type: "__proto__", config: { constructor: { prototype: { polluted: true } } }, position: { x: 0, y: 100 } },
        ],
        edges: [{ id: "e", from: "start", port: "next", to: "evil" }],
      }),
    });
    expect(created.errors).toBe(1);
    const flow = await studio().flows.get({ id: created.id });
    expect(flow.graph.nodes[0]!.label).toBe("<img src=x onerror=alert(1)>");
    expect(flow.diagnostics).toContainEqual(expect.objectContaining({ nodeId: "evil", message: "Unknown node type “__proto__”." }));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test("after all this, a customer's message is still answered", async () => {
    await parley.postWebhook(textWebhook("34644000003", "hello").body);
    await eventually(() => parley.textsTo("34644000003").length === 2, 10_000, "the demo flow's answer");
  });
});
