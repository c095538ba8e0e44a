import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { log } from "@/server/observability/log";
import { PrismaClient } from "./generated/client.ts";

export type Db = PrismaClient;
export { Prisma } from "./generated/client.ts";

/**
 * Where a client keeps its pool: a global symbol, because Next's route bundles load their
 * own copy of this module and must find the pool of the client `npm start` made.
 */
const POOL = Symbol.for("parley.db.pool");

/** A client and, shared with it, the connection pool the hot paths query directly (./sql.ts). */
export function createDb(connectionString: string): Db {
  const pool = new pg.Pool({ connectionString, max: 10 });
  // An idle connection the server drops (a restart, a terminated backend) is an event on the
  // pool; unheard, Node would end the process. The pool replaces the connection by itself.
  // Only what happened: pg's error carries its client, whose connection parameters hold the password.
  pool.on("error", (error: Error & { code?: string }) =>
    log().warn({ reason: error.message, code: error.code }, "PostgreSQL dropped an idle connection"),
  );
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  Object.defineProperty(db, POOL, { value: pool });
  return db;
}

/** The connection pool under a client made by createDb. */
export function poolOf(db: Db): pg.Pool {
  const pool = (db as Db & { [POOL]?: pg.Pool })[POOL];
  if (!pool) throw new Error("This database client was not made by createDb: it has no pool to share.");
  return pool;
}

const holder = globalThis as unknown as { parleyDb?: Db };

/**
 * The process-wide client, built on first use from DATABASE_URL (set by `npm start` to the
 * embedded server when no URL is configured). Kept on globalThis so Next's module reloading
 * and the custom server share one pool.
 */
export function db(): Db {
  if (!holder.parleyDb) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: start Parley with `npm start`, which provides one.");
    holder.parleyDb = createDb(url);
  }
  return holder.parleyDb;
}
