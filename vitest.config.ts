import path from "node:path";
import { defineConfig } from "vitest/config";
import { writeNodePackages } from "./scripts/node-packages.mjs";

// flows/registry.ts imports the node package list that `npm start` generates; tests need it too.
writeNodePackages({ onlyIfMissing: true });

const alias = { "@": path.resolve(import.meta.dirname) };

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["{flows,server,components,scripts,node-packages}/**/*.test.ts", "tests/deploy/**/*.test.ts"],
          exclude: ["**/*.integration.test.ts", "node_modules/**"],
          environment: "node",
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts", "tests/conformance/**/*.test.ts", "**/*.integration.test.ts"],
          exclude: ["node_modules/**"],
          environment: "node",
          globalSetup: ["tests/support/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
