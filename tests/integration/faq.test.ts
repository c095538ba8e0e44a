// The FAQ template end to end: a document uploaded to the knowledge base, the template
// published, a WhatsApp question answered by the language model (a fake OpenAI server) from
// the passages the lookup found — and, with no provider set up, the fallback message and a
// hand-off to a person.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, test } from "vitest";
import { flowTemplate } from "@/flows/templates";
import type { Viewer } from "@/server/auth/session";
import { db } from "@/server/db/client";
import { appRouter } from "@/server/trpc/root";
import { startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai";
import { eventually, textWebhook, useParley } from "../support/parley";

const parley = useParley({ env: { OPENAI_API_KEY: "", OPENAI_BASE_URL: "" } });
let admin: ReturnType<typeof appRouter.createCaller>;
let openai: FakeOpenAi;

beforeAll(async () => {
  openai = await startFakeOpenAi({ apiKey: "sk-faq-test-key-0000" });
  const membership = await db().membership.findFirstOrThrow({ include: { user: true } });
  const viewer: Viewer = { userId: membership.userId, email: membership.user.email, workspaceId: membership.workspaceId, role: "admin" };
  admin = appRouter.createCaller({ viewer });
  const content = readFileSync(new URL("../fixtures/knowledge/shop-faq.md", import.meta.url)).toString("base64");
  await admin.knowledge.addDocument({ collection: "faq", fileName: "shop-faq.md", content });
  await parley.publish("FAQ", flowTemplate("faq")!.graph);
  return () => openai.close();
});

describe("FAQ template", () => {
  test("with no model set up, the contact gets the fallback message and a person takes over", async () => {
    const waId = "34655000001";
    await parley.postWebhook(textWebhook(waId, "How long does delivery take?").body);
    await eventually(() => parley.textsTo(waId).length === 1, 15_000, "the fallback message");
    expect(parley.textsTo(waId)).toEqual(["Sorry, I can't look that up right now. A colleague will answer you here shortly."]);
    const conversation = await eventually(async () => {
      const found = await db().conversation.findFirst({ where: { contact: { waId } } });
      return found?.handedOffAt ? found : undefined;
    }, 10_000, "the hand-off");
    expect(conversation.handoffReason).toBe("The FAQ assistant could not answer: How long does delivery take?");
  });

  test("with a provider, the model answers from the uploaded document's passages", async () => {
    await admin.models.saveProvider({ name: "Fake OpenAI", baseUrl: openai.url, models: ["gpt-4o-mini"], apiKey: "sk-faq-test-key-0000", maxRetries: 0, timeoutMs: 5_000 });
    openai.answer({ text: "Orders leave our warehouse within 2 working days; delivery then takes a few days." });
    const waId = "34655000002";
    await parley.postWebhook(textWebhook(waId, "How long does delivery take?").body);
    await eventually(() => parley.textsTo(waId).length === 1, 15_000, "the model's answer");
    expect(parley.textsTo(waId)).toEqual(["Orders leave our warehouse within 2 working days; delivery then takes a few days."]);
    const request = openai.requests.at(-1)!.body;
    const system = request.messages.find((message) => message.role === "system")?.content ?? "";
    expect(system).toContain("[1] shop-faq.md");
    expect(request.messages.at(-1)).toMatchObject({ role: "user", content: "How long does delivery take?" });
    const trace = await eventually(
      async () => (await db().stepTrace.findFirst({ where: { nodeId: "answer", run: { conversation: { contact: { waId } } } } })) ?? undefined,
      10_000,
      "the answer's trace",
    );
    expect(trace.port).toBe("next");
    expect(trace.modelCalls).toEqual([expect.objectContaining({ result: expect.objectContaining({ provider: "Fake OpenAI", model: "gpt-4o-mini" }) })]);
  });
});
