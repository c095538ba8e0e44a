// Analytics in the browser: after a conversation with the demo flow in the simulator, the
// flow's page counts it, charts it per day and lists its version with its figures.
import { expect, test } from "@playwright/test";
import { signIn } from "./session";

test("a conversation in the simulator shows up in the demo flow's analytics", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "Simulator" }).click();

  await page.getByLabel("Customer number").fill("15550004444");
  const input = page.getByTestId("chat-input");
  await input.fill("hi");
  await input.press("Enter");
  await expect(page.getByTestId("chat-message-business").filter({ hasText: "What should I call you?" })).toBeVisible({ timeout: 60_000 });

  await page.getByRole("link", { name: "Analytics" }).click();
  await page.getByTestId("analytics-flow").selectOption({ label: "Welcome (demo)" });
  const summary = page.getByTestId("analytics-summary");
  await expect(summary).toContainText("Conversations");
  await expect(summary.locator("dd").first()).not.toHaveText("0");
  await expect(page.getByTestId("analytics-per-day").locator(".recharts-bar-rectangle").first()).toBeVisible();
  const versions = page.getByTestId("analytics-version");
  await expect(versions.first()).toContainText(/^v\d+/);
  // The reply went out: the first-reply time is measured.
  await expect(versions.first()).toContainText(/\d+(\.\d)? m?s \//);

  await page.getByRole("radio", { name: "7 days" }).click();
  await expect(page.getByRole("radio", { name: "7 days" })).toHaveAttribute("aria-checked", "true");
  await expect(summary.locator("dd").first()).not.toHaveText("0");
});
