// The studio's main path, end to end on embedded defaults: sign in, edit and publish the
// demo flow on the canvas, talk to it in the simulator, then read the run's trace.
// Run with `npm run test:e2e`.
import { expect, test, type Page } from "@playwright/test";
import { E2E_ADMIN as ADMIN } from "./env";
const GREETING = "Hello {{contact.name}}, welcome to the e2e demo!";

async function signIn(page: Page, password = ADMIN.password) {
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** React Flow moves nodes on pointer down/move/up, not on HTML5 drag and drop. */
async function dragBy(page: Page, selector: string, dx: number, dy: number) {
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`no box for ${selector}`);
  const x = box.x + box.width / 2;
  const y = box.y + 20;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx / 2, y + dy / 2, { steps: 5 });
  await page.mouse.move(x + dx, y + dy, { steps: 5 });
  await page.mouse.up();
}

test("sign in, edit and publish the demo flow, chat with it, read the run", async ({ page }) => {
  await test.step("sign in (a wrong password is refused first)", async () => {
    await page.goto("/flows");
    await expect(page).toHaveURL(/\/login/);
    await signIn(page, "not-the-password");
    await expect(page.getByText("Wrong email or password.")).toBeVisible();
    await signIn(page);
    await expect(page).toHaveURL(/\/flows$/);
    await expect(page.getByTestId("viewer-email")).toHaveText(ADMIN.email);
  });

  await test.step("the flows list shows the demo flow", async () => {
    const row = page.getByTestId("flow-row").filter({ hasText: "Welcome (demo)" });
    await expect(row).toBeVisible();
    await expect(row).toContainText("v1");
    await expect(row).toContainText("Simulator");
    await row.getByRole("link", { name: "Welcome (demo)" }).click();
  });

  await test.step("the canvas shows the demo flow's nodes", async () => {
    await expect(page.getByTestId("flow-node")).toHaveCount(4);
    for (const title of ["Any message", "Greeting", "Ask the name", "Thanks"]) {
      await expect(page.getByTestId("flow-node-title").filter({ hasText: title })).toBeVisible();
    }
    await expect(page.getByTestId("save-state")).toHaveText(/saved/);
    await expect(page.getByTestId("diagnostics")).toContainText("No problems found");
  });

  await test.step("edit the greeting in the inspector, move a node, save", async () => {
    await page.locator('[data-testid="flow-node"][data-node-id="greet"]').click();
    const inspector = page.getByTestId("inspector");
    await expect(inspector.getByLabel("Label")).toHaveValue("Greeting");
    const text = inspector.getByLabel("Text", { exact: true });
    await text.fill("");
    await expect(inspector.getByTestId("field-error")).toContainText("write the message to send");
    await expect(page.locator('[data-node-id="greet"] [data-testid="node-issue-badge"]')).toBeVisible();
    await text.fill(GREETING);
    await expect(inspector.getByTestId("field-error")).toHaveCount(0);
    await expect(page.locator('[data-node-id="greet"]')).toContainText("welcome to the e2e demo");

    await dragBy(page, '[data-testid="flow-node"][data-node-id="thanks"]', 160, 40);
    await expect(page.getByTestId("save-state")).toHaveText(/unsaved/);

    await page.keyboard.press("ControlOrMeta+s");
    await expect(page.getByTestId("save-state")).toHaveText(/✓ saved/);
  });

  await test.step("the saved draft survives a reload", async () => {
    await page.reload();
    await expect(page.locator('[data-node-id="greet"]')).toContainText("welcome to the e2e demo");
    await expect(page.getByTestId("save-state")).toHaveText(/saved/);
  });

  await test.step("publish version 2", async () => {
    await page.getByRole("button", { name: "Publish" }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText("Publish");
    await dialog.getByRole("button", { name: "Publish" }).click();
    await expect(page.getByTestId("editor-notice")).toContainText("Published version 2");
    await expect(page.getByTestId("published-version")).toHaveText("published v2");
  });

  await test.step("chat with the flow in the simulator", async () => {
    await page.getByRole("link", { name: "Simulator" }).click();
    await expect(page.getByTestId("chat-empty")).toContainText("Say hi to start the demo flow");
    const input = page.getByTestId("chat-input");
    await input.fill("hi");
    await input.press("Enter");
    await expect(page.getByTestId("chat-message-customer").filter({ hasText: "hi" })).toBeVisible();
    const bot = page.getByTestId("chat-message-business");
    await expect(bot.filter({ hasText: "Hello Ana, welcome to the e2e demo!" })).toBeVisible({ timeout: 60_000 });
    await expect(bot.filter({ hasText: "What should I call you?" })).toBeVisible({ timeout: 60_000 });

    await input.fill("Marisol");
    await page.getByTestId("chat-send").click();
    await expect(bot.filter({ hasText: "Nice to meet you, Marisol" })).toBeVisible({ timeout: 60_000 });
    await expect(bot).toHaveCount(3);
  });

  await test.step("the run shows a trace row for each executed node", async () => {
    await page.getByRole("link", { name: "Runs" }).click();
    const row = page.getByTestId("run-row").first();
    await expect(row).toContainText("Welcome (demo)");
    await expect(row).toContainText("v2");
    await expect(row.getByTestId("run-status")).toHaveText("completed", { timeout: 60_000 });
    await row.getByRole("link").click();

    await expect(page.getByRole("heading", { level: 1 })).toContainText("Welcome (demo)");
    const traces = page.getByTestId("trace-row");
    await expect(traces).toHaveCount(4);
    for (const [index, nodeId] of ["start", "greet", "ask_name", "thanks"].entries()) {
      await expect(traces.nth(index)).toHaveAttribute("data-node-id", nodeId);
    }
    await traces.nth(2).getByRole("button").click();
    await expect(traces.nth(2)).toContainText("Marisol");
    await expect(page.getByTestId("run-message")).toHaveCount(5);
  });
});
