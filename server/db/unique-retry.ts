import { Prisma } from "@/server/db/client";

/** Whether `error` is a unique-key violation, whether Prisma's query (P2002) or a plain `pg` statement (SQLSTATE 23505) hit it. */
export function isUniqueViolation(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError) return error.code === "P2002";
  return error instanceof Error && (error as Error & { code?: unknown }).code === "23505";
}

/** Two deliveries of one webhook (or two starts of one run) can race to create the same row: the loser runs again and reads the winner's. */
export async function withUniqueRetry<T>(body: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await body();
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 2) throw error;
    }
  }
}
