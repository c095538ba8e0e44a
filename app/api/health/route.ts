import { modelBreakers } from "@/server/ai/breaker";

export const dynamic = "force-dynamic";

/**
 * Liveness: the process answers. Readiness (database, executor) is /api/health/ready.
 * Also the state of the circuit breakers of the language model providers this process has
 * called (docs/models.md): an open one is being skipped until `retryAt`. This page is public,
 * so providers are not named here; which one, and why it failed, admins see in Settings → Models.
 */
export function GET(): Response {
  const modelProviders = modelBreakers()
    .snapshots(Date.now())
    .map(({ state, consecutiveFailures, retryAt }) => ({ state, consecutiveFailures, retryAt }));
  return Response.json({ status: "ok", modelProviders });
}
