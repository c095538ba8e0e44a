// Signing in as the studio's users do, for the specs that start signed in.
import { expect, type Page } from "@playwright/test";
import { E2E_ADMIN } from "./env";

export async function signIn(page: Page, who: { email: string; password: string } = E2E_ADMIN): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/flows$/);
}
