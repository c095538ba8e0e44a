import { readiness } from "@/server/observability/health";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const checks = await readiness();
  const ready = checks.every((check) => check.ok);
  return Response.json({ status: ready ? "ready" : "not ready", checks }, { status: ready ? 200 : 503 });
}
