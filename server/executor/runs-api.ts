// The part of Inngest's REST API that reads and cancels runs (GET /v1/events/:id/runs,
// GET /v1/runs/:id, DELETE /v1/runs/:id), answering in Inngest's shapes so the same client
// code — Parley's run review, the conformance tests — works against either executor.
import type { Db } from "@/server/db/client";
import type { Json } from "./schemas";

/** A run as Inngest's REST API describes it (cqrs.FunctionRun). */
export interface ApiRun {
  run_id: string;
  run_started_at: string;
  function_id: string;
  event_id: string;
  status: "Running" | "Completed" | "Failed" | "Cancelled";
  ended_at: string | null;
  output?: Json;
}

interface RunRow {
  id: string;
  functionId: string;
  eventId: string;
  status: string;
  output: Json | null;
  error: Json | null;
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
}

const STATUS: Record<string, ApiRun["status"]> = { completed: "Completed", failed: "Failed", cancelled: "Cancelled" };

function toApiRun(row: RunRow): ApiRun {
  const status = STATUS[row.status] ?? "Running";
  const output = status === "Completed" ? row.output : status === "Running" ? undefined : row.error;
  return {
    run_id: row.id,
    run_started_at: (row.startedAt ?? row.createdAt).toISOString(),
    function_id: row.functionId,
    event_id: row.eventId,
    status,
    ended_at: row.endedAt?.toISOString() ?? null,
    ...(output !== undefined ? { output } : {}),
  };
}

/** Runs an event started, by the id `send` returned (the event's own id, or the internal one). */
export async function runsOfEvent(db: Db, eventId: string): Promise<ApiRun[]> {
  const rows = await db.$queryRaw<RunRow[]>`
    SELECT id, "functionId", "eventId", status::text AS status, output, error, "createdAt", "startedAt", "endedAt"
    FROM "ExecutorRun"
    WHERE "eventId" = ${eventId} OR "eventId" IN (SELECT "internalId" FROM "ExecutorEvent" WHERE id = ${eventId})
    ORDER BY seq`;
  return rows.map(toApiRun);
}

export async function runById(db: Db, runId: string): Promise<ApiRun | null> {
  const rows = await db.$queryRaw<RunRow[]>`
    SELECT id, "functionId", "eventId", status::text AS status, output, error, "createdAt", "startedAt", "endedAt"
    FROM "ExecutorRun" WHERE id = ${runId}`;
  return rows[0] ? toApiRun(rows[0]) : null;
}
