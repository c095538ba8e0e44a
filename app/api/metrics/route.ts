import { timingSafeEqual } from "node:crypto";
import { metricsText } from "@/server/observability/metrics";

export const dynamic = "force-dynamic";

/** With METRICS_TOKEN set, scrapers must send `Authorization: Bearer <token>`. */
function authorized(request: Request): boolean {
  const token = process.env.METRICS_TOKEN;
  if (!token) return true;
  const given = Buffer.from(request.headers.get("authorization") ?? "");
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function GET(request: Request): Promise<Response> {
  if (!authorized(request)) return Response.json({ error: "Send Authorization: Bearer <METRICS_TOKEN>." }, { status: 401 });
  return new Response(await metricsText(), { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" } });
}
