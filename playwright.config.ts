// End-to-end tests: `npm run test:e2e` (= `playwright test`). Starts Parley with `npm start`
// on port 3100 with a fresh DATA_DIR (.e2e-data, deleted first) and drives it with the
// Chromium from Debian's `chromium` package (`apt-get install -y chromium`).
import { defineConfig } from "@playwright/test";
import { E2E_ADMIN, E2E_CHANNEL, E2E_NODE_PACKAGES } from "./e2e/env";

const PORT = 3100;
const DATA_DIR = ".e2e-data";

export default defineConfig({
  testDir: "e2e",
  outputDir: `${DATA_DIR}/results`,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 20_000 },
  reporter: [["list"]],
  use: {
    baseURL: `http://localhost:${PORT}`,
    viewport: { width: 1400, height: 900 },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
    },
  },
  webServer: {
    // A fresh database every run; the first start also builds the app.
    command: `rm -rf ${DATA_DIR} && npm start`,
    url: `http://localhost:${PORT}/api/health/ready`,
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(PORT),
      DATA_DIR,
      ADMIN_EMAIL: E2E_ADMIN.email,
      ADMIN_PASSWORD: E2E_ADMIN.password,
      // A real-number channel whose Graph API is the fake one e2e/webhook.spec.ts starts.
      WHATSAPP_PHONE_NUMBER_ID: E2E_CHANNEL.phoneNumberId,
      WHATSAPP_ACCESS_TOKEN: E2E_CHANNEL.accessToken,
      WHATSAPP_APP_SECRET: E2E_CHANNEL.appSecret,
      WHATSAPP_VERIFY_TOKEN: E2E_CHANNEL.verifyToken,
      WHATSAPP_GRAPH_URL: `http://127.0.0.1:${E2E_CHANNEL.graphPort}`,
      // The example node package: npm start lists it in flows/packages.generated.ts before building.
      PARLEY_NODE_PACKAGES: E2E_NODE_PACKAGES,
      // Embedded defaults only: never a database or Inngest server from the environment.
      DATABASE_URL: "",
      INNGEST_BASE_URL: "",
      INNGEST_DEV: "",
      INNGEST_API_BASE_URL: "",
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
});
