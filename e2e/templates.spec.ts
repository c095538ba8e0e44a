// A flow made from a template in the browser, published and answered in the simulator,
// without a restart: "New flow" → "Numbered menu" → Publish → chat.
import { expect, test } from "@playwright/test";
import { signIn } from "./session";

test("create a flow from the menu template, publish it and use it in the simulator", async ({ page }) => {
  await signIn(page);

  await page.getByRole("button", { name: "New flow" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name", { exact: true }).fill("Opening hours menu");
  await dialog.getByText("Numbered menu").click();
  await dialog.getByRole("button", { name: "Create and open" }).click();

  await expect(page.getByTestId("flow-node")).toHaveCount(7);
  await expect(page.getByTestId("diagnostics")).toContainText("No problems found");
  await page.getByRole("button", { name: "Publish" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Publish" }).click();
  await expect(page.getByTestId("published-version")).toHaveText("published v1");

  await page.getByRole("link", { name: "Simulator" }).click();
  await page.getByLabel("Customer number").fill("15550003333");
  const input = page.getByTestId("chat-input");
  const bot = page.getByTestId("chat-message-business");
  await input.fill("menu");
  await input.press("Enter");
  await expect(bot.filter({ hasText: "Reply 1 for opening hours, 2 for our address." })).toBeVisible({ timeout: 60_000 });
  await input.fill("9");
  await input.press("Enter");
  await expect(bot.filter({ hasText: "Sorry, “9” is not on the menu." })).toBeVisible({ timeout: 60_000 });
  await input.fill("2");
  await input.press("Enter");
  await expect(bot.filter({ hasText: "Calle Mayor 1" })).toBeVisible({ timeout: 60_000 });
  await expect(bot).toHaveCount(4);
});

test("a flow exported from the canvas imports back as a new flow with the same nodes", async ({ page }) => {
  await signIn(page);

  await page.getByRole("button", { name: "New flow" }).click();
  let dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name", { exact: true }).fill("Evening reminders");
  await dialog.getByText("Appointment reminder (schedule)").click();
  await dialog.getByRole("button", { name: "Create and open" }).click();
  await expect(page.getByTestId("flow-node")).toHaveCount(6);
  await expect(page.getByTestId("flow-node").first()).toContainText("At 18:00 (Europe/Madrid)");

  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("evening-reminders.parley.json");

  await page.getByRole("navigation", { name: "Studio" }).getByRole("link", { name: "Flows" }).click();
  await page.getByRole("button", { name: "New flow" }).click();
  dialog = page.getByRole("dialog");
  await dialog.getByText("Import a flow file").click();
  await dialog.getByLabel("Flow file", { exact: true }).setInputFiles(await download.path());
  await dialog.getByRole("button", { name: "Import and open" }).click();
  await expect(page.getByTestId("flow-node")).toHaveCount(6);
  await expect(page.getByTestId("diagnostics")).toContainText("No problems found");
  await expect(page.getByRole("heading", { name: "Evening reminders" })).toBeVisible();
});
