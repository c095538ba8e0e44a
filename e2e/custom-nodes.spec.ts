// Node packages in the browser: the example package the e2e server loads
// (PARLEY_NODE_PACKAGES, e2e/env.ts) puts its node types in the palette beside the built-in
// ones, the inspector draws their forms and names the secret they need, and Settings → Node
// secrets stores it without ever showing it again.
import { expect, test } from "@playwright/test";
import { E2E_NODE_PACKAGES } from "./env";
import { signIn } from "./session";

const TOKEN = "shpat_e2e_token_9876";

test("the example package's nodes are in the palette, configurable, and their secret is stored in settings", async ({ page }) => {
  await signIn(page);

  await test.step("a blank flow's palette lists the package's node types", async () => {
    await page.getByRole("button", { name: "New flow" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Name", { exact: true }).fill("Order status from Shopify");
    await dialog.getByRole("button", { name: "Create and open" }).click();
    const palette = page.getByTestId("palette");
    await expect(palette.locator('[data-testid="palette-item"][data-node-type="shopify_order_status"]')).toContainText("Shopify order status");
    await expect(palette.locator('[data-testid="palette-item"][data-node-type="sheets_append"]')).toContainText("Google Sheets append");
    await expect(palette.locator('[data-testid="palette-item"][data-node-type="reply"]')).toBeVisible();
    await palette.getByLabel("Search node types").fill("shopify");
    await expect(palette.getByTestId("palette-item")).toHaveCount(1);
  });

  await test.step("added to the flow, its form comes from its config schema and it names its secret", async () => {
    await page.getByTestId("palette").locator('[data-node-type="shopify_order_status"]').click();
    const node = page.getByTestId("flow-node").filter({ hasText: "Shopify order status" });
    await expect(node).toBeVisible();
    await node.click();
    const inspector = page.getByTestId("inspector");
    await expect(inspector).toContainText(`from the node package ${E2E_NODE_PACKAGES}`);
    await expect(inspector.getByLabel("Shop", { exact: true })).toHaveValue("my-shop.myshopify.com");
    await expect(inspector.getByLabel("Order Number", { exact: true })).toHaveValue("{{vars.order_number}}");
    await expect(inspector.getByTestId("node-secrets-note")).toContainText("Shopify Admin API access token");
  });

  await test.step("Settings → Node secrets stores the token and shows only its last characters", async () => {
    await page.goto("/settings/node-secrets");
    const row = page.getByTestId("node-secret-row").filter({ hasText: "Shopify Admin API access token" });
    await expect(row.getByTestId("node-secret-status")).toContainText("not set");
    await expect(page.getByTestId("node-secret-row").filter({ hasText: "Google Sheets access token" })).toBeVisible();
    await row.getByLabel("Shopify Admin API access token").fill(TOKEN);
    await row.getByRole("button", { name: "Save" }).click();
    await expect(row.getByTestId("node-secret-status")).toContainText("stored (…9876)");
    await expect(row.getByRole("button", { name: "Replace" })).toBeVisible();
    await page.reload();
    await expect(page.getByTestId("node-secret-row").filter({ hasText: "Shopify Admin API access token" })).toContainText("stored (…9876)");
    await expect(page.locator("body")).not.toContainText(TOKEN);
  });
});
