// A flow's figures over a period, per day and per published version, so a publish's effect
// shows: conversations started and completed, where customers stop answering, time to the
// first reply (median and p95), language model tokens and cost, failure rate. Aggregated in
// PostgreSQL; the studio's test runs (test-only versions) are left out.
import { z } from "zod";
import { db, Prisma } from "@/server/db/client";
import { flowGraphSchema } from "@/flows/schema";

export const analyticsInputSchema = z.object({
  flowId: z.string().min(1),
  days: z.number().int().min(1).max(365).default(30),
  /** The viewer's IANA time zone: days are counted in it. */
  timeZone: z
    .string()
    .max(64)
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat("en", { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, "an IANA time zone such as Europe/Madrid")
    .default("UTC"),
});
export type AnalyticsInput = z.input<typeof analyticsInputSchema>;

/** A run still waiting after this long counts as a customer who stopped answering. */
export const ABANDONED_AFTER_MS = 60 * 60 * 1000;

export class AnalyticsError extends Error {}

export async function flowAnalytics(workspaceId: string, raw: AnalyticsInput, now = new Date()) {
  const input = analyticsInputSchema.parse(raw);
  const flow = await db().flow.findFirst({ where: { id: input.flowId, workspaceId }, select: { id: true, name: true, publishedVersionId: true } });
  if (!flow) throw new AnalyticsError("No such flow in your workspace.");
  const from = new Date(now.getTime() - input.days * 86_400_000);
  const abandonedBefore = new Date(now.getTime() - ABANDONED_AFTER_MS);
  const zone = input.timeZone;
  const inRange = Prisma.sql`r."flowId" = ${flow.id} AND v."testOnly" = false AND r."startedAt" >= ${from}`;

  const [daily, versions, firstReply, models, stopped, timeouts] = await Promise.all([
    db().$queryRaw<{ day: string; version: number; started: number; completed: number; failed: number }[]>`
      SELECT to_char((r."startedAt" AT TIME ZONE 'UTC') AT TIME ZONE ${zone}, 'YYYY-MM-DD') AS day, v.number AS version,
        count(*)::int AS started,
        (count(*) FILTER (WHERE r.status = 'completed'))::int AS completed,
        (count(*) FILTER (WHERE r.status = 'failed'))::int AS failed
      FROM "FlowRun" r JOIN "FlowVersion" v ON v.id = r."flowVersionId"
      WHERE ${inRange}
      GROUP BY 1, 2 ORDER BY 1, 2`,
    db().$queryRaw<{ version: number; publishedAt: Date; note: string | null; runs: number; completed: number; failed: number; cancelled: number }[]>`
      SELECT v.number AS version, v."publishedAt", v.note,
        count(r.id)::int AS runs,
        (count(r.id) FILTER (WHERE r.status = 'completed'))::int AS completed,
        (count(r.id) FILTER (WHERE r.status = 'failed'))::int AS failed,
        (count(r.id) FILTER (WHERE r.status = 'cancelled'))::int AS cancelled
      FROM "FlowVersion" v LEFT JOIN "FlowRun" r ON r."flowVersionId" = v.id AND r."startedAt" >= ${from}
      WHERE v."flowId" = ${flow.id} AND v."testOnly" = false
      GROUP BY v.id ORDER BY v.number`,
    // From the message that started the run to the first message the run sent.
    db().$queryRaw<{ version: number; p50: number | null; p95: number | null; replied: number }[]>`
      WITH waits AS (
        SELECT v.number AS version, EXTRACT(EPOCH FROM (min(COALESCE(o."sentAt", o."createdAt")) - t."createdAt")) * 1000 AS ms
        FROM "FlowRun" r
        JOIN "FlowVersion" v ON v.id = r."flowVersionId"
        JOIN "Message" t ON t.id = r."triggerMessageId"
        JOIN "Message" o ON o."runId" = r.id AND o.direction = 'outbound' AND o.status <> 'failed'
        WHERE ${inRange}
        GROUP BY r.id, v.number, t."createdAt")
      SELECT version, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY ms) AS p95, count(*)::int AS replied
      FROM waits GROUP BY version ORDER BY version`,
    db().$queryRaw<{ version: number; calls: number; inputTokens: number; outputTokens: number; costUsd: number | null }[]>`
      SELECT v.number AS version, count(*)::int AS calls,
        COALESCE(sum((c->'result'->'usage'->>'inputTokens')::int), 0)::int AS "inputTokens",
        COALESCE(sum((c->'result'->'usage'->>'outputTokens')::int), 0)::int AS "outputTokens",
        sum((c->'result'->>'costUsd')::float8) AS "costUsd"
      FROM "StepTrace" s
      JOIN "FlowRun" r ON r.id = s."runId"
      JOIN "FlowVersion" v ON v.id = r."flowVersionId"
      CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(s."modelCalls") = 'array' THEN s."modelCalls" ELSE '[]'::jsonb END) c
      WHERE ${inRange}
      GROUP BY v.number ORDER BY v.number`,
    // Runs that ended without completing, or still wait an hour on: the node they stopped at.
    db().$queryRaw<{ nodeId: string | null; runs: number }[]>`
      SELECT COALESCE(r."waitingNodeId", last.node) AS "nodeId", count(*)::int AS runs
      FROM "FlowRun" r
      JOIN "FlowVersion" v ON v.id = r."flowVersionId"
      LEFT JOIN LATERAL (
        SELECT split_part(s."nodeId", '/', 1) AS node FROM "StepTrace" s WHERE s."runId" = r.id ORDER BY s."startedAt" DESC, s."endedAt" DESC LIMIT 1
      ) last ON true
      WHERE ${inRange} AND (r.status IN ('failed', 'cancelled') OR (r.status = 'waiting' AND r."startedAt" < ${abandonedBefore}))
      GROUP BY 1`,
    // Questions nobody answered in time (the ask's "no answer" output): the flow went on, the customer had gone.
    db().$queryRaw<{ nodeId: string; runs: number }[]>`
      SELECT split_part(s."nodeId", '/', 1) AS "nodeId", count(DISTINCT r.id)::int AS runs
      FROM "StepTrace" s
      JOIN "FlowRun" r ON r.id = s."runId"
      JOIN "FlowVersion" v ON v.id = r."flowVersionId"
      WHERE ${inRange} AND s.port = 'timeout'
      GROUP BY 1`,
  ]);

  const labels = await nodeLabels(flow.publishedVersionId);
  const dropOff = new Map<string, number>();
  for (const row of [...stopped, ...timeouts]) {
    if (row.nodeId) dropOff.set(row.nodeId, (dropOff.get(row.nodeId) ?? 0) + row.runs);
  }
  const byVersion = <T extends { version: number }>(rows: T[]) => new Map(rows.map((row) => [row.version, row]));
  const replies = byVersion(firstReply);
  const calls = byVersion(models);

  return {
    flow: { id: flow.id, name: flow.name },
    from,
    to: now,
    timeZone: zone,
    days: fillDays(daily, from, now, zone),
    versions: versions.map((version) => {
      const ended = version.completed + version.failed + version.cancelled;
      const reply = replies.get(version.version);
      const model = calls.get(version.version);
      return {
        version: version.version,
        publishedAt: version.publishedAt,
        note: version.note,
        runs: version.runs,
        completed: version.completed,
        completionRate: version.runs > 0 ? version.completed / version.runs : null,
        failureRate: ended > 0 ? version.failed / ended : null,
        firstReplyMs: reply ? { p50: reply.p50, p95: reply.p95, replied: reply.replied } : null,
        model: model ? { calls: model.calls, inputTokens: model.inputTokens, outputTokens: model.outputTokens, costUsd: model.costUsd } : null,
      };
    }),
    dropOff: [...dropOff]
      .map(([nodeId, runs]) => ({ nodeId, label: labels.get(nodeId) ?? nodeId, runs }))
      .sort((a, b) => b.runs - a.runs),
  };
}
export type FlowAnalytics = Awaited<ReturnType<typeof flowAnalytics>>;

async function nodeLabels(versionId: string | null): Promise<Map<string, string>> {
  if (!versionId) return new Map();
  const version = await db().flowVersion.findUnique({ where: { id: versionId }, select: { graph: true } });
  const graph = flowGraphSchema.safeParse(version?.graph);
  return new Map((graph.success ? graph.data.nodes : []).map((node) => [node.id, node.label?.trim() || node.id]));
}

/** Every day of the period, in the time zone, with each version's counts (zero when none). */
function fillDays(rows: { day: string; version: number; started: number; completed: number; failed: number }[], from: Date, to: Date, zone: string) {
  const dayOf = (date: Date) => new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
  const days: { day: string; started: number; completed: number; failed: number; byVersion: Record<string, { started: number; completed: number }> }[] = [];
  const index = new Map<string, (typeof days)[number]>();
  for (let at = from.getTime(); at <= to.getTime() + 86_400_000; at += 86_400_000) {
    const day = dayOf(new Date(at));
    if (index.has(day) || day > dayOf(to)) continue;
    const entry = { day, started: 0, completed: 0, failed: 0, byVersion: {} };
    index.set(day, entry);
    days.push(entry);
  }
  for (const row of rows) {
    const entry = index.get(row.day);
    if (!entry) continue;
    entry.started += row.started;
    entry.completed += row.completed;
    entry.failed += row.failed;
    entry.byVersion[`v${row.version}`] = { started: row.started, completed: row.completed };
  }
  return days;
}
