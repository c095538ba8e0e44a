// End-to-end tests: `npm run test:e2e` (= `playwright test`). Starts Parley with `npm start`
// on port 3100 with a fresh DATA_DIR (.e2e-data, deleted first) and drives it with the
// Chromium from Debian's `chromium` package (`apt-get install -y chromium`).
import { defineConfig } from "@playwright/test";

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
      ADMIN_EMAIL: "admin@example.com",
      ADMIN_PASSWORD: "e2e-password-123",
      // Embedded defaults only: never a database or Inngest server from the environment.
      DATABASE_URL: "",
      INNGEST_BASE_URL: "",
      INNGEST_DEV: "",
      INNGEST_API_BASE_URL: "",
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
});
