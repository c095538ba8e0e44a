/**
 * PostgreSQL takes at most 65,535 bound values in one statement (and Prisma fewer in some
 * paths): lists that can grow with a workspace (a broadcast's numbers, its recipients) are
 * read and written in slices of this many.
 */
export const SLICE = 5_000;

export function slices<T>(items: readonly T[], size = SLICE): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}
