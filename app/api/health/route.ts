export const dynamic = "force-dynamic";

/** Liveness: the process answers. Readiness (database, executor) is /api/health/ready. */
export function GET(): Response {
  return Response.json({ status: "ok" });
}
