// Plain SQL for the hot paths (a webhook stored, an event taken by the executor), on the
// pool the Prisma client uses. Prisma 6 costs ~0.25–0.45 ms of CPU per query here, raw ones
// included, against ~0.05 ms for the same query through pg (bench/README.md): on a path run
// for every message, that is most of the time. Statements are written as Prisma.sql
// templates, so they read and are parameterised exactly as $queryRaw ones.
import { createHash } from "node:crypto";
import pg from "pg";
import { db as defaultDb, poolOf, Prisma, type Db } from "./client";

/** What raw statements need of a client or a transaction: Prisma's tagged $executeRaw and $queryRaw. */
export interface RawSql {
  $executeRaw(strings: TemplateStringsArray, ...values: unknown[]): Promise<number>;
  $queryRaw<T = unknown>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T[]>;
}

const TIMESTAMP_OID = 1114;
/** `timestamp(3)` columns hold UTC, as Prisma writes them. */
const parseUtcTimestamp = (text: string) => new Date(`${text.replace(" ", "T")}Z`);
const typeParsers = {
  getTypeParser: (oid: number, format?: "text" | "binary") => (oid === TIMESTAMP_OID ? parseUtcTimestamp : pg.types.getTypeParser(oid, format)),
} as pg.CustomTypesConfig;

/** Values as Prisma sends them: instants in UTC (the offset-free columns store them as given), big integers as text. */
function parameter(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return value.toString();
  return value;
}

/**
 * Hot statements are prepared once per connection and then only bound and executed:
 * PostgreSQL parses and plans an unnamed statement anew each time, which for the CTEs of
 * the message path cost more of the server's CPU than running them. Named by their text;
 * the first PREPARED_LIMIT distinct texts only, so statements built with a varying shape
 * cannot grow every connection's cache without bound.
 */
const PREPARED_LIMIT = 500;
const preparedNames = new Map<string, string>();

/**
 * Put first in a statement that must be planned with its values on every call, never
 * prepared. For statements over arrays (`unnest`, `= ANY`): a prepared statement's generic
 * plan guesses ten elements, and PostgreSQL keeps the plan it made while a table was small
 * as the table grows. Measured on the executor's batched updates, a kept plan scanned the
 * whole run table (~170 pages) to update one row; planned with its values it probes the key.
 */
export const PLAN_EACH_CALL = Prisma.raw("/* plan each call */ ");

function preparedName(text: string): string | undefined {
  if (text.trimStart().startsWith(PLAN_EACH_CALL.text)) return undefined;
  let name = preparedNames.get(text);
  if (name === undefined && preparedNames.size < PREPARED_LIMIT) {
    // Named by a hash of the text, not a counter: under Next each route bundle has its own
    // copy of this module, all sharing one pool, and a name must mean one text on every connection.
    name = `parley_${createHash("sha256").update(text).digest("base64url").slice(0, 24)}`;
    preparedNames.set(text, name);
  }
  return name;
}

function on(client: pg.Pool | pg.PoolClient): RawSql {
  const run = async (strings: TemplateStringsArray, values: unknown[]) => {
    const statement = Prisma.sql(strings, ...values);
    return client.query({ name: preparedName(statement.text), text: statement.text, values: statement.values.map(parameter), types: typeParsers });
  };
  return {
    $executeRaw: async (strings, ...values) => (await run(strings, values)).rowCount ?? 0,
    $queryRaw: async <T>(strings: TemplateStringsArray, ...values: unknown[]) => (await run(strings, values)).rows as T[],
  };
}

/** Statements outside a transaction (each commits on its own), on `db`'s pool. */
export function sql(db: Db = defaultDb()): RawSql {
  return on(poolOf(db));
}

/** Runs `body` in one transaction on a connection of `db`'s pool: committed when it returns, rolled back when it throws. */
export async function sqlTransaction<T>(db: Db, body: (tx: RawSql) => Promise<T>): Promise<T> {
  const client = await poolOf(db).connect();
  try {
    await client.query("BEGIN");
    const result = await body(on(client));
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
