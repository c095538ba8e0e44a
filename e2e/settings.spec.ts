// Settings as an admin uses them: invite a colleague who joins through the link with the
// role they were given, and create then revoke an API key (shown once, revoked after a
// confirmation).
import { expect, test } from "@playwright/test";
import { E2E_ADMIN as ADMIN } from "./env";
import { signIn } from "./session";

test("an admin invites an editor, who joins through the link", async ({ page, browser }) => {
  await signIn(page, ADMIN);
  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("link", { name: "Members" })).toHaveAttribute("aria-current", "page");
  await page.getByLabel("Invite by email").fill("eddie@example.com");
  await page.getByRole("combobox", { name: "Role", exact: true }).selectOption("editor");
  await page.getByRole("button", { name: "Create invitation link" }).click();
  const link = (await page.getByTestId("invitation-link").locator("code").textContent())!;
  expect(link).toMatch(/\/invite\/[\w-]+$/);
  await expect(page.getByTestId("invitation-row").filter({ hasText: "eddie@example.com" })).toBeVisible();

  const colleague = await (await browser.newContext()).newPage();
  await colleague.goto(link);
  await expect(colleague.getByRole("heading", { name: "Join Demo workspace" })).toBeVisible();
  await colleague.getByLabel("Your name").fill("Eddie");
  await colleague.getByLabel("Password", { exact: true }).fill("eddie-password-1");
  await colleague.getByLabel("Password again").fill("eddie-password-1");
  await colleague.getByRole("button", { name: "Join" }).click();
  await expect(colleague).toHaveURL(/\/flows$/);
  await expect(colleague.getByTestId("viewer-email")).toHaveText("eddie@example.com");
  await expect(colleague.getByText("editor", { exact: true })).toBeVisible();

  // The link works once.
  const again = await (await browser.newContext()).newPage();
  await again.goto(link);
  await expect(again.getByRole("heading", { name: "This invitation is no longer valid" })).toBeVisible();

  await page.reload();
  await expect(page.getByTestId("member-row").filter({ hasText: "eddie@example.com" })).toContainText("Eddie");
});

test("an admin creates an API key, sees it once, and revokes it", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto("/settings/api-keys");
  await expect(page.getByText("No API keys yet")).toBeVisible();
  await page.getByLabel("New key for").fill("Shop backend");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-api-key").locator("code").first().textContent())!;
  expect(key).toMatch(/^pk_[\w-]{40,}$/);
  const row = page.getByTestId("api-key-row").filter({ hasText: "Shop backend" });
  await expect(row).toContainText(key.slice(0, 10));
  await expect(row).not.toContainText(key.slice(12));

  await row.getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke key" }).click();
  await expect(row).toContainText("revoked");
  const refused = await page.request.post("/api/events", { headers: { authorization: `Bearer ${key}` }, data: { event: "order.shipped", to: "34600000001" } });
  expect(refused.status()).toBe(401);
});
