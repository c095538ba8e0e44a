// The executor's hot statements on plain pg (server/db/sql.ts) where they need nothing but
// raw SQL: taking events, claiming runs, saving and finishing turns. Its functions are
// written against Prisma's transaction client; rawOnly hands them a pg transaction in that
// shape, with only the raw statements there, and throws at once if a code path reaches
// for anything else (a sign that a caller's "raw only" check is wrong).
import type { Db, Prisma } from "@/server/db/client";
import { sqlTransaction, type RawSql } from "@/server/db/sql";

export function rawOnly(tx: RawSql): Prisma.TransactionClient {
  return new Proxy(tx, {
    get(target, property) {
      if (property === "$executeRaw" || property === "$queryRaw") return target[property];
      throw new Error(`The executor's raw SQL path has no ${String(property)}: a caller let through work that needs Prisma.`);
    },
  }) as unknown as Prisma.TransactionClient;
}

/** Runs `body` in a plain pg transaction on `db`'s pool, offered as a (raw only) Prisma transaction client. */
export function rawTransaction<T>(db: Db, body: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return sqlTransaction(db, (tx) => body(rawOnly(tx)));
}
