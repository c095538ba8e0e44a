// Broadcasts in the browser, on the simulator number: tag a contact in the inbox, write a
// broadcast of an approved template to that tag, see who will receive it, confirm, watch it
// deliver, and find it filled in on the simulated phone with its quick reply button.
import { expect, test } from "@playwright/test";
import { signIn } from "./session";

const CUSTOMER = "15550007777";

test("tag a contact, broadcast a template to the tag, and see it delivered on the phone", async ({ page }) => {
  await test.step("a customer writes in the simulator", async () => {
    await signIn(page);
    await page.getByRole("link", { name: "Simulator" }).click();
    await page.getByLabel("Customer name").fill("Iris");
    await page.getByLabel("Customer number").fill(CUSTOMER);
    const input = page.getByTestId("chat-input");
    await input.fill("hi");
    await input.press("Enter");
    await expect(page.getByTestId("chat-message-business").filter({ hasText: "What should I call you?" })).toBeVisible({ timeout: 60_000 });
  });

  await test.step("tag the contact in the inbox", async () => {
    await page.getByRole("link", { name: "Inbox" }).click();
    await page.getByTestId("inbox-search").fill(CUSTOMER);
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByTestId("inbox-conversation").filter({ hasText: "Iris" }).first().click();
    const tags = page.getByTestId("contact-tags");
    await tags.getByLabel("Add a tag").fill("Spring promo");
    await tags.getByLabel("Add a tag").press("Enter");
    await expect(tags).toContainText("spring promo");
  });

  await test.step("write the broadcast: the preview counts the contact, the sample shows the filled template", async () => {
    await page.getByRole("link", { name: "Broadcasts" }).click();
    await page.getByRole("link", { name: "New broadcast" }).click();
    await page.getByLabel("Name").fill("Spring promo");
    await page.getByLabel("Template").selectOption({ label: "spring_offer (en_US)" });
    await page.getByLabel("Parameter 1").fill("{{contact.name|there}}");
    await page.getByLabel("Parameter 2").fill("15%");
    await page.getByRole("button", { name: /^spring promo/ }).click();
    await expect(page.getByTestId("broadcast-reachable")).toHaveText("1");
    await expect(page.getByTestId("broadcast-sample")).toHaveText("Hello Ana! This week only: 15% off everything. Reply to ask us anything.");
    await page.getByRole("button", { name: "Send to 1 contact…" }).click();
    await page.getByRole("button", { name: "Send now" }).click();
  });

  await test.step("watch it go out and be delivered", async () => {
    await expect(page).toHaveURL(/\/broadcasts\/(?!new$)[^/]+$/);
    await expect(page.getByTestId("broadcast-status")).toHaveText("completed", { timeout: 30_000 });
    await expect(page.getByTestId("broadcast-count-delivered")).toContainText("1", { timeout: 30_000 });
    await expect(page.getByTestId("broadcast-recipient")).toContainText("Iris");
  });

  await test.step("the simulated phone shows the template filled in, with its quick reply", async () => {
    await page.getByRole("link", { name: "Simulator" }).click();
    await page.getByLabel("Customer number").fill(CUSTOMER);
    const offer = page.getByTestId("chat-message-business").filter({ hasText: "This week only" });
    await expect(offer).toContainText("Hello Iris! This week only: 15% off everything.", { timeout: 30_000 });
    await expect(offer.getByTestId("chat-button")).toHaveText("Tell me more");
  });
});
