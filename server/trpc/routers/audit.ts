import { z } from "zod";
import { db } from "@/server/db/client";
import { procedureFor, router } from "../init";

const PAGE = 50;

export const auditRouter = router({
  /** Admin actions, newest first; `cursor` pages back (the time of the last row shown). */
  list: procedureFor("admin")
    .input(z.object({ action: z.string().max(60).optional(), cursor: z.date().optional() }).default({}))
    .query(async ({ ctx, input }) => {
      const rows = await db().auditLog.findMany({
        where: {
          workspaceId: ctx.viewer.workspaceId,
          ...(input.action ? { action: { startsWith: input.action } } : {}),
          ...(input.cursor ? { createdAt: { lt: input.cursor } } : {}),
        },
        include: { user: { select: { email: true } } },
        orderBy: { createdAt: "desc" },
        take: PAGE + 1,
      });
      return {
        entries: rows.slice(0, PAGE).map((row) => ({
          id: row.id,
          at: row.createdAt,
          who: row.user?.email ?? "Parley",
          action: row.action,
          target: row.target,
          details: row.details,
        })),
        more: rows.length > PAGE,
      };
    }),

  /** Every entry of the workspace, oldest first, for an auditor's spreadsheet. */
  exportCsv: procedureFor("admin").mutation(async ({ ctx }) => {
    const rows = await db().auditLog.findMany({
      where: { workspaceId: ctx.viewer.workspaceId },
      include: { user: { select: { email: true } } },
      orderBy: { createdAt: "asc" },
    });
    await db().auditLog.create({ data: { workspaceId: ctx.viewer.workspaceId, userId: ctx.viewer.userId, action: "audit.export", details: { rows: rows.length } } });
    const lines = [["time", "who", "action", "target", "details"], ...rows.map((row) => [row.createdAt.toISOString(), row.user?.email ?? "Parley", row.action, row.target ?? "", JSON.stringify(row.details ?? {})])];
    return lines.map((cells) => cells.map(csvCell).join(",")).join("\r\n");
  }),
});

/** RFC 4180 quoting; a leading = + - @ is neutralised so a spreadsheet never runs it as a formula. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
