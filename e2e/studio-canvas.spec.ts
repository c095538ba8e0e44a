// The studio as a new user meets it: a flow from a template, an ask node added from the
// palette and connected, a diagnostic seen and fixed, the next step added from a port's
// "+", undo/redo, a sticky note, autosave; a chat with the draft in the test panel; publish
// with a note, a real signed webhook answered, a second version, the diff, and a roll back
// that brings the old behaviour back. Screenshots of the main screens are kept in the run's
// output folder. Run alone with `npx playwright test e2e/studio-canvas.spec.ts`.
import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { startFakeGraph, type FakeGraph } from "../tests/support/fake-graph";
import { E2E_CHANNEL } from "./env";
import { signIn } from "./session";
import { signedPost, textWebhookBody } from "./whatsapp";

let graph: FakeGraph;
test.beforeAll(async () => {
  graph = await startFakeGraph({ token: E2E_CHANNEL.accessToken, port: E2E_CHANNEL.graphPort });
});
test.afterAll(() => graph.close());

const shot = (page: Page, info: TestInfo, name: string) => page.screenshot({ path: info.outputPath(`${name}.png`) });
const node = (page: Page, id: string) => page.locator(`[data-testid="flow-node"][data-node-id="${id}"]`);

/**
 * Waits until the view has not moved for a while. React Flow queues a fit to a later render
 * and then animates it, so a handle can look still to hover() before its move begins.
 */
async function viewAtRest(page: Page) {
  await page.waitForFunction(
    () =>
      new Promise<boolean>((resolve) => {
        const viewport = document.querySelector<HTMLElement>(".react-flow__viewport");
        let last = viewport?.style.transform;
        let stillSince = performance.now();
        const check = () => {
          const now = viewport?.style.transform;
          if (now !== last) [last, stillSince] = [now, performance.now()];
          if (performance.now() - stillSince > 500) resolve(true);
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      }),
  );
}

/** React Flow connects on pointer down/move/up between handles, not on HTML5 drag and drop. */
async function connect(page: Page, from: string, to: string) {
  await viewAtRest(page);
  await node(page, from).locator(".react-flow__handle.source").first().hover();
  await page.mouse.down();
  const target = node(page, to).locator(".react-flow__handle.target");
  const box = (await target.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y - 30, { steps: 8 });
  await target.hover();
  await page.mouse.up();
}

/** Creates a flow from the studio's "New flow" dialog, from `template` when given, and opens it. */
async function newFlow(page: Page, name: string, template?: string) {
  await page.getByRole("button", { name: "New flow" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name", { exact: true }).fill(name);
  if (template) await dialog.getByText(template, { exact: true }).click();
  await dialog.getByRole("button", { name: "Create and open" }).click();
}

/** A text message to the live number, as Meta posts it. */
async function webhook(page: Page, from: string, text: string) {
  const response = await page.request.post("/api/webhooks/whatsapp", signedPost(textWebhookBody(from, text)));
  expect(response.status()).toBe(200);
}

const textsTo = (to: string) => graph.requests.filter((r) => r.body.to === to && r.body.type === "text").map((r) => String((r.body.text as { body: string }).body));

async function setChannels(page: Page, flowName: string, channels: Record<string, boolean>) {
  const row = page.getByTestId("flow-row").filter({ hasText: flowName });
  await row.getByTestId("edit-channels").click();
  const dialog = page.getByRole("dialog");
  for (const [name, on] of Object.entries(channels)) await dialog.getByLabel(name).setChecked(on);
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
}

async function publish(page: Page, note: string, expected: string) {
  await page.getByRole("button", { name: "Publish", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByTestId("publish-note").fill(note);
  await dialog.getByRole("button", { name: /publish$/i }).click();
  await expect(page.getByTestId("published-version")).toHaveText(expected);
}

test("build a flow on the canvas, chat with the draft, publish, answer a real webhook, compare versions and roll back", async ({ page }, info) => {
  await signIn(page);

  await test.step("create a flow from the Welcome template", async () => {
    await newFlow(page, "Studio tour", "Welcome");
    await expect(page.getByTestId("flow-node")).toHaveCount(4);
    await expect(page.getByTestId("diagnostics")).toContainText("No problems found");
    await shot(page, info, "canvas-template");
  });

  await test.step("add an ask node from the palette and connect it", async () => {
    await page.getByLabel("Search node types").fill("ask");
    await expect(page.locator('[data-testid="palette-item"][data-node-type="reply"]')).toHaveCount(0);
    await page.locator('[data-testid="palette-item"][data-node-type="ask"]').click();
    await page.getByLabel("Search node types").fill("");
    await expect(node(page, "ask_1")).toBeVisible();
    await expect(page.getByTestId("diagnostic").filter({ hasText: "Nothing leads to this node" })).toHaveCount(1);
    await page.getByRole("button", { name: "Fit", exact: true }).click();
    await connect(page, "thanks", "ask_1");
    await expect(page.getByTestId("diagnostic").filter({ hasText: "Nothing leads to this node" })).toHaveCount(0);
  });

  await test.step("see a diagnostic and fix it in the inspector", async () => {
    await node(page, "ask_1").click();
    const inspector = page.getByTestId("inspector");
    await inspector.getByRole("textbox", { name: /^Question/ }).fill("Which city are you in?");
    await inspector.getByRole("textbox", { name: /^Variable/ }).fill("");
    await expect(node(page, "ask_1").getByTestId("node-issue-badge")).toBeVisible();
    await expect(page.getByTestId("diagnostic").filter({ hasText: "variable" })).not.toHaveCount(0);
    await expect(page.getByRole("button", { name: "Publish", exact: true })).toBeDisabled();
    await inspector.getByRole("textbox", { name: /^Variable/ }).fill("city");
    await expect(node(page, "ask_1").getByTestId("node-issue-badge")).toHaveCount(0);
  });

  await test.step("add the next step from the ask node's + and undo, redo", async () => {
    await node(page, "ask_1").locator('[data-testid="port-add"][data-port-id="next"]').click();
    await page.getByTestId("port-picker").getByLabel("Search node types").fill("send a message");
    await page.locator('[data-testid="port-picker-item"][data-node-type="reply"]').click();
    await expect(page.getByTestId("flow-node")).toHaveCount(6);
    await page.locator(".react-flow__pane").click({ position: { x: 20, y: 20 } });
    await page.keyboard.press("ControlOrMeta+z");
    await expect(page.getByTestId("flow-node")).toHaveCount(5);
    await page.keyboard.press("ControlOrMeta+Shift+z");
    await expect(page.getByTestId("flow-node")).toHaveCount(6);
    await node(page, "reply_1").click();
    await page.getByTestId("inspector").getByLabel("Text", { exact: true }).fill("Thanks! {{vars.city}} is lovely.");
    await expect(page.getByTestId("diagnostics")).not.toContainText("Nothing leads");
  });

  await test.step("a sticky note, the shortcuts, and autosave", async () => {
    await page.locator(".react-flow__pane").click({ position: { x: 20, y: 20 } });
    await page.keyboard.press("n");
    await page.getByTestId("note-text").fill("Ask marketing about the greeting");
    await page.getByRole("button", { name: "Keyboard shortcuts" }).click();
    await expect(page.getByTestId("shortcuts-help")).toContainText("Undo");
    await page.keyboard.press("Escape");
    await expect(page.getByTestId("shortcuts-help")).toBeHidden();
    // Nobody pressed Save: the draft saves itself.
    await expect(page.getByTestId("save-state")).toHaveText("✓ saved");
    await page.reload();
    await expect(page.getByTestId("note-text")).toHaveValue("Ask marketing about the greeting");
    await expect(page.getByTestId("flow-node")).toHaveCount(6);
    await shot(page, info, "canvas-edited");
  });

  await test.step("chat with the draft in the test panel", async () => {
    await page.getByTestId("tab-test").click();
    await page.getByTestId("test-start").click();
    const input = page.getByTestId("test-input");
    const bot = page.getByTestId("chat-message-business");
    await input.fill("hi");
    await input.press("Enter");
    await expect(bot.filter({ hasText: "I'm Parley's demo bot" })).toBeVisible({ timeout: 60_000 });
    await expect(bot.filter({ hasText: "What should I call you?" })).toBeVisible();
    await expect(node(page, "ask_name")).toHaveAttribute("data-run-state", "current");
    await expect(node(page, "greet")).toHaveAttribute("data-run-state", "visited");
    await input.fill("Marisol");
    await input.press("Enter");
    await expect(bot.filter({ hasText: "Nice to meet you, Marisol" })).toBeVisible({ timeout: 60_000 });
    await expect(bot.filter({ hasText: "Which city are you in?" })).toBeVisible();
    await expect(node(page, "ask_1")).toHaveAttribute("data-run-state", "current");
    await expect(page.getByTestId("test-vars")).toContainText("Marisol");
    await input.fill("Lisbon");
    await input.press("Enter");
    await expect(bot.filter({ hasText: "Thanks! Lisbon is lovely." })).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId("test-run-status")).toHaveText("Finished");
    await shot(page, info, "test-panel");
    await page.getByTestId("test-restart").click();
    await expect(page.getByTestId("test-empty")).toBeVisible();
    await expect(bot).toHaveCount(0);
  });

  await test.step("publish v1 with a note; the flow answers on the live number", async () => {
    await publish(page, "First version", "published v1");
    await page.getByRole("navigation", { name: "Studio" }).getByRole("link", { name: "Flows" }).click();
    await setChannels(page, "Welcome (demo)", { [`WhatsApp ${E2E_CHANNEL.phoneNumberId}`]: false });
    await setChannels(page, "Studio tour", { [`WhatsApp ${E2E_CHANNEL.phoneNumberId}`]: true });
    const row = page.getByTestId("flow-row").filter({ hasText: "Studio tour" });
    await expect(row.getByTestId("flow-status")).toHaveText("published v1");
    await expect(row).toContainText(`WhatsApp ${E2E_CHANNEL.phoneNumberId}`);
    await shot(page, info, "flows-list");

    await webhook(page, "34699000201", "hi");
    await expect.poll(() => textsTo("34699000201"), { timeout: 30_000 }).toContain("Hi Eve! I'm Parley's demo bot.");
    await row.getByRole("link", { name: "Studio tour" }).click();
  });

  await test.step("change the greeting and publish v2", async () => {
    await node(page, "greet").click();
    await page.getByTestId("inspector").getByLabel("Text", { exact: true }).fill("Welcome, {{contact.name}}! This is version two.");
    await expect(page.getByTestId("save-state")).toHaveText("✓ saved");
    await publish(page, "Second greeting", "published v2");
    await webhook(page, "34699000202", "hi");
    await expect.poll(() => textsTo("34699000202"), { timeout: 30_000 }).toContain("Welcome, Eve! This is version two.");
  });

  await test.step("version history and the diff between v1 and v2", async () => {
    await page.getByTestId("tab-versions").click();
    const rows = page.getByTestId("version-row");
    await expect(rows).toHaveCount(2);
    await expect(rows.nth(0)).toContainText("Second greeting");
    await expect(rows.nth(0)).toContainText("live");
    await expect(rows.nth(1)).toContainText("First version");
    await rows.nth(0).getByRole("button", { name: "Changes since v1" }).click();
    const viewer = page.getByTestId("version-viewer");
    await expect(viewer.getByTestId("diff-changed")).toContainText("greet changed: text");
    await expect(viewer.locator('[data-testid="flow-node"][data-node-id="greet"]')).toHaveAttribute("data-diff", "changed");
    await shot(page, info, "version-diff");
    await viewer.getByRole("button", { name: "Close" }).click();
  });

  await test.step("roll back to v1: the old greeting answers again", async () => {
    await page.getByTestId("version-row").nth(1).getByRole("button", { name: "Roll back…" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Roll back" }).click();
    await expect(page.getByTestId("published-version")).toHaveText("published v3");
    await webhook(page, "34699000203", "hi");
    await expect.poll(() => textsTo("34699000203"), { timeout: 30_000 }).toContain("Hi Eve! I'm Parley's demo bot.");
    await page.getByTestId("tab-versions").click();
    await expect(page.getByTestId("version-row").first()).toContainText("Rolled back to version 1.");
  });
});

test("two windows on one flow: the second save is warned, names who changed it, and can overwrite", async ({ browser }) => {
  const context = await browser.newContext();
  const first = await context.newPage();
  await signIn(first);
  await newFlow(first, "Shared flow");
  await expect(first.getByTestId("flow-node")).toHaveCount(1);
  const second = await context.newPage();
  await second.goto(first.url());
  await expect(second.getByTestId("flow-node")).toHaveCount(1);

  await first.locator('[data-testid="palette-item"][data-node-type="reply"]').click();
  await expect(first.getByTestId("save-state")).toHaveText("✓ saved");
  await second.locator('[data-testid="palette-item"][data-node-type="ask"]').click();
  const banner = second.getByTestId("conflict-banner");
  await expect(banner).toContainText("You (in another window)");
  await expect(banner).toContainText("changed this flow");
  await expect(second.getByTestId("save-state")).toHaveAttribute("data-state", "conflict");
  await banner.getByRole("button", { name: "Overwrite" }).click();
  await expect(second.getByTestId("save-state")).toHaveText("✓ saved");
  await first.reload();
  await expect(first.locator('[data-testid="flow-node"][data-node-id="ask_1"]')).toBeVisible();
  await context.close();
});

test("zoomed far out the nodes are blocks coloured by kind that still show the selection and errors; zooming in brings the cards back", async ({ page }, info) => {
  await signIn(page);
  await newFlow(page, "Seen from afar", "Welcome");
  await expect(page.getByTestId("flow-node")).toHaveCount(4);
  await expect(node(page, "start")).toHaveAttribute("data-detail", "full");

  // The greeting with an error, the last node selected.
  await node(page, "greet").click();
  await page.getByTestId("inspector").getByLabel("Text", { exact: true }).fill("");
  await expect(node(page, "greet").getByTestId("node-issue-badge")).toBeVisible();
  await node(page, "thanks").click();

  const zoomOut = page.getByRole("button", { name: "Zoom Out" });
  await expect(async () => {
    await zoomOut.click();
    await expect(node(page, "start")).toHaveAttribute("data-detail", "block", { timeout: 1_000 });
  }).toPass();
  for (const id of ["start", "greet", "ask_name", "thanks"]) await expect(node(page, id)).toHaveAttribute("data-detail", "block");
  await expect(page.getByTestId("flow-node-title").filter({ visible: true })).toHaveCount(0);
  await expect(page.locator(".react-flow__edge")).toHaveCount(3);
  await expect(node(page, "thanks")).toHaveAttribute("title", "Thanks");
  await shot(page, info, "canvas-zoomed-out");

  const style = (id: string, property: "backgroundColor" | "outlineStyle") => node(page, id).evaluate((element, property) => getComputedStyle(element)[property], property);
  // A trigger and a message differ; a message with an error differs from one without.
  expect(await style("start", "backgroundColor")).not.toBe(await style("ask_name", "backgroundColor"));
  expect(await style("greet", "backgroundColor")).not.toBe(await style("ask_name", "backgroundColor"));
  expect(await style("thanks", "outlineStyle")).not.toBe("none");
  expect(await style("ask_name", "outlineStyle")).toBe("none");

  // A block is still a node: clicking it selects it.
  await node(page, "ask_name").click();
  await expect(page.getByTestId("inspector").getByRole("textbox", { name: /^Question/ })).toHaveValue("What should I call you?");
  await expect.poll(() => style("ask_name", "outlineStyle")).not.toBe("none");
  expect(await style("thanks", "outlineStyle")).toBe("none");

  await page.getByRole("button", { name: "Fit", exact: true }).click();
  await expect(node(page, "start")).toHaveAttribute("data-detail", "full");
  await expect(node(page, "thanks").getByTestId("flow-node-title")).toBeVisible();
  await expect(node(page, "greet").getByTestId("node-issue-badge")).toBeVisible();
  await expect(node(page, "thanks")).not.toHaveAttribute("title");
});
