// A photo a contact sends, in the browser: Parley downloads it from the (fake) Graph API
// with the number's token and the inbox shows it from Parley's own copy, opened with the
// admin's session; without a session the same address is refused.
import { expect, test } from "@playwright/test";
import { startFakeGraph, type FakeGraph } from "../tests/support/fake-graph";
import { E2E_CHANNEL } from "./env";
import { signIn } from "./session";
import { messageWebhookBody, signedPost } from "./whatsapp";

// A real 1×1 PNG, so the browser decodes it.
const PIXEL = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

let graph: FakeGraph;
test.beforeAll(async () => {
  graph = await startFakeGraph({ token: E2E_CHANNEL.accessToken, port: E2E_CHANNEL.graphPort });
  graph.media.set("E2E-PHOTO-1", { bytes: PIXEL, mimeType: "image/png" });
});
test.afterAll(async () => {
  await graph.close();
});

test("a photo from a contact shows in the inbox, and its address needs a session", async ({ page, request, browser }) => {
  const body = messageWebhookBody("34677100001", { type: "image", image: { id: "E2E-PHOTO-1", mime_type: "image/png", caption: "the broken part" } }, { name: "Pia" });
  expect((await request.post("/api/webhooks/whatsapp", signedPost(body))).status()).toBe(200);

  await signIn(page);
  await page.getByRole("link", { name: "Inbox" }).click();
  await page.getByTestId("inbox-search").fill("the broken part");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByTestId("inbox-conversation").filter({ hasText: "Pia" }).click();

  const photo = page.getByTestId("inbox-media-image");
  await expect(photo).toBeVisible();
  await expect.poll(() => photo.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth), { timeout: 20_000 }).toBe(1);
  await expect(page.getByTestId("inbox-message").filter({ has: photo })).toContainText("the broken part");

  const address = await photo.getAttribute("src");
  const anonymous = await browser.newContext();
  const refused = await anonymous.request.get(new URL(address!, page.url()).toString());
  expect(refused.status()).toBe(401);
  await anonymous.close();
});

test("a photo attached on the simulated phone shows in the inbox", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "Simulator" }).click();
  await page.getByLabel("Customer name").fill("Quim");
  await page.getByLabel("Customer number").fill("15550008888");
  await page.getByTestId("chat-input").fill("my meter reading");
  await page.getByTestId("chat-attach").setInputFiles({ name: "meter.png", mimeType: "image/png", buffer: PIXEL });
  await expect(page.getByTestId("chat-message-customer").filter({ hasText: "my meter reading" })).toContainText("🖼 Image");

  await page.getByRole("link", { name: "Inbox" }).click();
  await page.getByTestId("inbox-search").fill("my meter reading");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByTestId("inbox-conversation").filter({ hasText: "Quim" }).click();
  const photo = page.getByTestId("inbox-media-image");
  await expect.poll(() => photo.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth), { timeout: 20_000 }).toBe(1);
});
