// bench:canvas — does a 500-node flow stay usable on the canvas? In headless Chromium:
// load-to-interactive of a 500-node flow, and frame times while panning the canvas and
// dragging a node, each beside the same figure for an almost empty flow (one trigger).
//
// It needs the app: by default it starts Parley itself (`npm start` on a free port with a
// fresh DATA_DIR; the first start builds the app, which takes minutes). BENCH_CANVAS_URL
// (with BENCH_CANVAS_EMAIL / BENCH_CANVAS_PASSWORD of an editor) uses a running one instead.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { chromium, type Page } from "@playwright/test";
import { exportFlow } from "@/flows/exchange";
import type { FlowGraph } from "@/flows/schema";
import { freePort } from "@/server/db/embedded";
import { fixed, percentile, report, type BenchRow } from "./support";

const NODES = 500;
const LOADS = 5;
const LOAD_TARGET_MS = 3_000;
const FRAME_TARGET_MS = 50;

/** A trigger and a chain of replies on a grid: valid, so the canvas shows no errors. */
function largeFlow(count: number): FlowGraph {
  const nodes: FlowGraph["nodes"] = [{ id: "start", type: "trigger", version: 1, config: { match: "any", keywords: [] }, position: { x: 0, y: 0 } }];
  for (let i = 1; i < count; i++) {
    nodes.push({ id: `reply_${i}`, type: "reply", version: 1, config: { text: `Step ${i}: hello {{contact.name}}` }, position: { x: (i % 25) * 300, y: Math.floor(i / 25) * 180 } });
  }
  const edges = nodes.slice(1).map((node, i) => ({ id: `e${i}`, from: nodes[i]!.id, port: "next", to: node.id }));
  return { nodes, edges };
}

async function startApp(): Promise<{ url: string; email: string; password: string; stop(): Promise<void> }> {
  if (process.env.BENCH_CANVAS_URL) {
    const email = process.env.BENCH_CANVAS_EMAIL;
    const password = process.env.BENCH_CANVAS_PASSWORD;
    if (!email || !password) throw new Error("BENCH_CANVAS_URL needs BENCH_CANVAS_EMAIL and BENCH_CANVAS_PASSWORD (an editor's sign-in).");
    return { url: process.env.BENCH_CANVAS_URL, email, password, stop: async () => {} };
  }
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "parley-bench-canvas-"));
  const credentials = { email: "bench@example.com", password: "bench-canvas-password" };
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "..", "scripts", "start.ts")], {
    cwd: path.join(import.meta.dirname, ".."),
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      ADMIN_EMAIL: credentials.email,
      ADMIN_PASSWORD: credentials.password,
      DATABASE_URL: "",
      INNGEST_BASE_URL: "",
      INNGEST_DEV: "",
      NEXT_TELEMETRY_DISABLED: "1",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const url = `http://localhost:${port}`;
  const deadline = Date.now() + 600_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
    const ready = await fetch(`${url}/api/health/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) throw new Error("Parley did not become ready in 10 minutes");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  return {
    url,
    ...credentials,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Imports a flow file through the studio's own tRPC endpoint, as "New flow → Import" does. */
async function importFlow(page: Page, name: string, graph: FlowGraph): Promise<string> {
  const text = JSON.stringify(exportFlow(name, graph));
  const id = await page.evaluate(async ({ name, text }) => {
    const response = await fetch("/api/trpc/flows.import", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ json: { name, text } }) });
    const body = (await response.json()) as { result?: { data: { json: { id: string } } }; error?: unknown };
    if (!body.result) throw new Error(`import failed: ${JSON.stringify(body.error)}`);
    return body.result.data.json.id;
  }, { name, text });
  return id;
}

/** Milliseconds from navigation to the canvas showing nodes with the editor ready (saved state shown). */
async function loadToInteractive(page: Page, flowId: string): Promise<number> {
  await page.goto("about:blank");
  const started = performance.now();
  await page.goto(`/flows/${flowId}`);
  await page.locator('[data-testid="flow-node"]').first().waitFor();
  await page.locator('[data-testid="save-state"][data-state="saved"]').waitFor();
  return performance.now() - started;
}

// Page scripts as text: tsx compiles functions with helpers (__name) that do not exist in the page.
const START_FRAMES = `(() => {
  window.frames_ = [];
  window.stopFrames_ = false;
  let last = performance.now();
  const tick = (now) => {
    window.frames_.push(now - last);
    last = now;
    if (!window.stopFrames_) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`;
const STOP_FRAMES = `(() => {
  window.stopFrames_ = true;
  return window.frames_.slice(1);
})()`;

const BUSY_METRICS = ["ScriptDuration", "RecalcStyleDuration", "LayoutDuration", "TaskDuration"] as const;

/**
 * Frame intervals (ms) in the page while `gesture` runs (what "no visible lag" means), and
 * where the main thread's time went (Chromium's own counters, in ms).
 */
async function frameTimes(page: Page, gesture: () => Promise<void>): Promise<{ frames: number[]; busy: Record<string, number> }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const read = async () => Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
  const before = await read();
  await page.evaluate(START_FRAMES);
  await gesture();
  const frames = await page.evaluate<number[]>(STOP_FRAMES);
  const after = await read();
  await cdp.detach();
  return { frames, busy: Object.fromEntries(BUSY_METRICS.map((name) => [name, ((after[name] ?? 0) - (before[name] ?? 0)) * 1000])) };
}

async function pan(page: Page) {
  // From the top middle, clear of the controls, the minimap and the attribution link.
  const box = (await page.locator(".react-flow__pane").boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + 30;
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let step = 1; step <= 40; step++) await page.mouse.move(x - step * 8, y + step * 6);
  await page.mouse.up();
}

async function drag(page: Page) {
  const node = page.locator('[data-testid="flow-node"]').first();
  const box = (await node.boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + 16;
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let step = 1; step <= 40; step++) await page.mouse.move(x + step * 5, y + step * 3);
  await page.mouse.up();
}

const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 0.5);
const p95 = (values: number[]) => percentile([...values].sort((a, b) => a - b), 0.95);

async function main() {
  const app = await startApp();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
  try {
    const context = await browser.newContext({ baseURL: app.url, viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.goto("/login");
    await page.getByLabel("Email").fill(app.email);
    await page.getByLabel("Password").fill(app.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/flows/);

    const large = await importFlow(page, `Bench ${NODES} nodes`, largeFlow(NODES));
    const empty = await importFlow(page, "Bench empty", largeFlow(1));
    // One load of each first: the app's code is compiled and cached, as for a returning user.
    await loadToInteractive(page, empty);
    await loadToInteractive(page, large);
    const loads = { large: [] as number[], empty: [] as number[] };
    for (let i = 0; i < LOADS; i++) {
      loads.empty.push(await loadToInteractive(page, empty));
      loads.large.push(await loadToInteractive(page, large));
    }
    type Gesture = Awaited<ReturnType<typeof frameTimes>>;
    const none: Gesture = { frames: [], busy: {} };
    const panFrames = { empty: none, large: none };
    const dragFrames = { empty: none, large: none };
    for (const [flow, id] of [["empty", empty], ["large", large]] as const) {
      await loadToInteractive(page, id);
      panFrames[flow] = await frameTimes(page, () => pan(page));
      await loadToInteractive(page, id);
      dragFrames[flow] = await frameTimes(page, () => drag(page));
    }

    const rows: BenchRow[] = [];
    const load = median(loads.large);
    const loadBase = median(loads.empty);
    rows.push({
      part: "canvas",
      what: `open a ${NODES}-node flow: load to interactive (median of ${LOADS})`,
      measure: `${fixed(load, 0)} ms`,
      baseline: `${fixed(loadBase, 0)} ms (one node)`,
      ratio: `${fixed(load / loadBase, 2)}×`,
      target: `< ${LOAD_TARGET_MS} ms`,
      met: load < LOAD_TARGET_MS,
    });
    const notes: string[] = [];
    for (const [what, frames] of [
      ["pan the canvas", panFrames],
      ["drag a node", dragFrames],
    ] as const) {
      const measure = p95(frames.large.frames);
      const baseline = p95(frames.empty.frames);
      const busy = (gesture: Gesture) => BUSY_METRICS.map((name) => `${name.replace("Duration", "")} ${fixed(gesture.busy[name] ?? 0, 0)}`).join(", ");
      notes.push(`canvas: ${what}, main thread ms (${NODES} nodes): ${busy(frames.large)}; (one node): ${busy(frames.empty)}.`);
      rows.push({
        part: "canvas",
        what: `${what} in a ${NODES}-node flow: p95 frame time`,
        measure: `${fixed(measure, 1)} ms`,
        baseline: `${fixed(baseline, 1)} ms (one node)`,
        ratio: `${fixed(measure / baseline, 2)}×`,
        target: `< ${FRAME_TARGET_MS} ms`,
        met: measure < FRAME_TARGET_MS,
      });
    }
    await report(rows, [`canvas: headless Chromium ${browser.version()} without GPU; nodes outside the view are not drawn above 150 elements.`, ...notes]);
  } finally {
    await browser.close();
    await app.stop();
  }
}

await main();
