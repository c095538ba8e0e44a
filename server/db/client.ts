import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client.ts";

export type Db = PrismaClient;
export { Prisma } from "./generated/client.ts";

export function createDb(connectionString: string): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString, max: 10 }) });
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
