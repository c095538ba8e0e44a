// Issue 6's acceptance path against `npm start`: an admin finds a conversation by what the
// customer wrote, opens the run that answered, reads the AI node's prompt and answer, takes
// the conversation over and writes by hand, hands it back to the bot, and retries a run that
// failed because WhatsApp refused its answer. WhatsApp and the model are fakes speaking
// their real wire formats.
import { expect, test, type Page } from "@playwright/test";
import { startFakeGraph, type FakeGraph } from "../tests/support/fake-graph";
import { startFakeOpenAi, type FakeOpenAi } from "../tests/support/fake-openai";
import { E2E_CHANNEL } from "./env";
import { signIn } from "./session";
import { signedPost, textWebhookBody } from "./whatsapp";

let graph: FakeGraph;
let model: FakeOpenAi;
test.beforeAll(async () => {
  graph = await startFakeGraph({ token: E2E_CHANNEL.accessToken, port: E2E_CHANNEL.graphPort });
  model = await startFakeOpenAi();
  model.otherwise({ text: "Your next bill is due on Friday." });
});
test.afterAll(async () => {
  await graph.close();
  await model.close();
});

const at = (y: number) => ({ x: 0, y });
const billingFlow = {
  nodes: [
    { id: "start", type: "trigger", version: 1, label: "Billing", config: { match: "keywords", keywords: ["bill"] }, position: at(0) },
    { id: "assistant", type: "llm", version: 1, label: "Assistant", config: { system: "You answer billing questions for Acme.", prompt: "{{message.text}}" }, position: at(180) },
    { id: "more", type: "ask", version: 1, label: "Anything else", config: { question: "Anything else I can do?", variable: "more" }, position: at(360) },
  ],
  edges: [
    { id: "e1", from: "start", port: "next", to: "assistant" },
    { id: "e2", from: "assistant", port: "next", to: "more" },
  ],
};

/** Calls a tRPC procedure from the signed-in page, as the studio does (superjson envelope). */
async function trpc<T>(page: Page, path: string, input: unknown, kind: "query" | "mutation" = "mutation"): Promise<T> {
  return page.evaluate(
    async ({ path, input, kind }) => {
      const encoded = encodeURIComponent(JSON.stringify({ json: input }));
      const response = await fetch(kind === "query" ? `/api/trpc/${path}?input=${encoded}` : `/api/trpc/${path}`, {
        method: kind === "query" ? "GET" : "POST",
        headers: { "content-type": "application/json" },
        body: kind === "query" ? undefined : JSON.stringify({ json: input }),
      });
      const body = await response.json();
      if (!response.ok) throw new Error(`${path}: ${JSON.stringify(body)}`);
      return body.result.data.json;
    },
    { path, input, kind },
  ) as Promise<T>;
}

/** A text from one of the two customers, as Meta posts it. */
const webhook = (from: string, text: string) => signedPost(textWebhookBody(from, text, { name: from === CUSTOMER ? "Grace" : "Henry" }));

/** The open conversation's state (the list beside it shows states too). */
const conversationState = (page: Page) => page.getByRole("region", { name: "Conversation" }).getByTestId("conversation-state");

const CUSTOMER = "34688000001";
const UNLUCKY = "34688000002";
const textsTo = (waId: string) =>
  graph.requests.filter((r) => r.body.to === waId && r.body.type === "text").map((r) => String((r.body.text as { body: string }).body));

test("find a conversation, read the AI's prompt and answer, take over, hand back, retry a failed run", async ({ page, request }) => {
  await test.step("sign in, connect the model and publish a billing flow on the WhatsApp number", async () => {
    await signIn(page);
    await trpc(page, "models.saveProvider", { name: "Fake OpenAI", baseUrl: model.url, models: ["gpt-4o-mini"], apiKey: "sk-e2e" });
    const { id } = await trpc<{ id: string }>(page, "flows.import", { name: "Billing help", text: JSON.stringify(billingFlow) });
    const channels = await trpc<{ id: string; phoneNumberId: string }[]>(page, "channels.list", undefined, "query");
    const whatsapp = channels.find((channel) => channel.phoneNumberId === E2E_CHANNEL.phoneNumberId)!;
    await trpc(page, "flows.setChannels", { id, channelIds: [whatsapp.id] });
    await trpc(page, "flows.publish", { id });
  });

  await test.step("the customer asks about their bill; the AI answers and the bot asks a question", async () => {
    expect((await request.post("/api/webhooks/whatsapp", webhook(CUSTOMER, "When is my bill due?"))).status()).toBe(200);
    await expect.poll(() => textsTo(CUSTOMER)).toEqual(["Your next bill is due on Friday.", "Anything else I can do?"]);
  });

  await test.step("find the conversation by what the customer wrote", async () => {
    await page.getByRole("link", { name: "Inbox" }).click();
    await page.getByTestId("inbox-search").fill("my bill");
    await page.getByRole("button", { name: "Search" }).click();
    const found = page.getByTestId("inbox-conversation");
    await expect(found).toHaveCount(1);
    await expect(found).toContainText("Grace");
    await expect(found.getByTestId("inbox-match")).toContainText("When is my bill due?");
    await found.click();
    await expect(page.getByTestId("conversation-contact")).toContainText("Grace");
    await expect(page.getByTestId("inbox-message")).toHaveCount(3);
    await expect(conversationState(page)).toHaveText("Waiting for reply");
  });

  await test.step("open the run that answered and read the AI node's prompt and answer", async () => {
    await page.getByTestId("message-run-link").filter({ hasText: "assistant" }).click();
    await expect(page).toHaveURL(/\/runs\//);
    await expect(page.getByTestId("run-path")).toBeVisible();
    const trace = page.locator('[data-testid="trace-row"][data-node-id="assistant"]');
    await trace.getByRole("button").click();
    const calls = trace.getByTestId("model-calls");
    await expect(calls.getByTestId("model-call-summary")).toContainText("gpt-4o-mini");
    await calls.getByText("Prompt and answer").click();
    await expect(calls).toContainText("You answer billing questions for Acme.");
    await expect(calls).toContainText("When is my bill due?");
    await expect(calls).toContainText("answer: Your next bill is due on Friday.");
  });

  await test.step("take over and write to the customer by hand", async () => {
    await page.getByTestId("run-conversation-link").click();
    await page.getByTestId("take-over").click();
    await page.getByRole("button", { name: "Take over", exact: true }).last().click();
    await expect(page.getByTestId("handoff-banner")).toContainText("is answering");
    await expect(conversationState(page)).toHaveText("Handed off");
    await page.getByTestId("composer-text").fill("Hi Grace, a person here: I have moved it to Monday.");
    await page.getByTestId("composer-text").press("Enter");
    await expect.poll(() => textsTo(CUSTOMER).at(-1)).toBe("Hi Grace, a person here: I have moved it to Monday.");
    await expect(page.getByTestId("inbox-message").last()).toContainText("I have moved it to Monday.");
    await expect(page.getByTestId("inbox-message").last().getByTestId("delivery-status")).toHaveAttribute("data-status", "sent");
  });

  await test.step("a message from the customer reaches the inbox live, and the bot stays quiet", async () => {
    expect((await request.post("/api/webhooks/whatsapp", webhook(CUSTOMER, "Thanks a lot!"))).status()).toBe(200);
    await expect(page.getByTestId("inbox-message").last()).toContainText("Thanks a lot!");
    expect(textsTo(CUSTOMER)).toHaveLength(3);
  });

  await test.step("hand back to the bot at the question", async () => {
    await page.getByTestId("hand-back").click();
    await page.getByTestId("hand-back-continue").check();
    await page.getByTestId("hand-back-node").selectOption("more");
    await page.getByRole("button", { name: "Hand back", exact: true }).click();
    await expect(conversationState(page)).not.toHaveText("Handed off");
    await expect.poll(() => textsTo(CUSTOMER).at(-1)).toBe("Anything else I can do?");
    await expect(page.getByTestId("inbox-message").last()).toContainText("Anything else I can do?");
  });

  await test.step("a run whose answer WhatsApp refused is retried from the failed node", async () => {
    graph.refuseNext({ status: 400, code: 131026, message: "Message undeliverable" });
    expect((await request.post("/api/webhooks/whatsapp", webhook(UNLUCKY, "Is my bill paid?"))).status()).toBe(200);
    await page.getByRole("link", { name: "Runs" }).click();
    await page.getByTestId("runs-tab-failed").click();
    const failed = page.getByTestId("run-row").filter({ hasText: "Henry" });
    await expect(failed).toHaveCount(1);
    await failed.getByRole("link").click();
    await expect(page.getByTestId("delivery-error")).toContainText("131026");
    await page.getByTestId("run-retry").click();
    await page.getByRole("button", { name: "Retry", exact: true }).click();
    await expect(page.getByTestId("run-resumed-from")).toBeVisible();
    await expect.poll(() => textsTo(UNLUCKY)).toEqual(["Your next bill is due on Friday.", "Anything else I can do?"]);
    await expect(page.getByTestId("run-status")).toHaveText("waiting");
  });
});
