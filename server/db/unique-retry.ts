import { Prisma } from "@/server/db/client";

/** Two deliveries of one webhook (or two starts of one run) can race to create the same row: the loser runs again and reads the winner's. */
export async function withUniqueRetry<T>(body: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await body();
    } catch (error) {
      const unique = error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
      if (!unique || attempt >= 2) throw error;
    }
  }
}
