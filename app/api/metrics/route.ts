import { timingSafeEqual } from "node:crypto";
import { metricsContentType, metricsText } from "@/server/observability/metrics";

export const dynamic = "force-dynamic";

/**
 * With METRICS_TOKEN set, scrapers must send `Authorization: Bearer <token>`. Without it the
 * metrics are open only outside production (a laptop, tests); production refuses to serve them.
 */
function authorized(request: Request): boolean {
  const token = process.env.METRICS_TOKEN;
  if (!token) return process.env.NODE_ENV !== "production";
  const given = Buffer.from(request.headers.get("authorization") ?? "");
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function GET(request: Request): Promise<Response> {
  if (!authorized(request)) {
    const reason = process.env.METRICS_TOKEN ? "Send Authorization: Bearer <METRICS_TOKEN>." : "Set METRICS_TOKEN to scrape the metrics in production.";
    return Response.json({ error: reason }, { status: 401 });
  }
  return new Response(await metricsText(), { headers: { "content-type": metricsContentType() } });
}
