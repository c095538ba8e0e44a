import { modelBreakers } from "@/server/ai/breaker";

export const dynamic = "force-dynamic";

/**
 * Liveness: the process answers. Readiness (database, executor) is /api/health/ready.
 * Also the circuit breakers of the language model providers this process has called
 * (docs/models.md): an open one is being skipped until `retryAt`. Why it failed is shown
 * to admins in Settings → Models, not on this public page.
 */
export function GET(): Response {
  const modelProviders = modelBreakers()
    .snapshots(Date.now())
    .map(({ providerId, provider, state, consecutiveFailures, retryAt }) => ({ providerId, provider, state, consecutiveFailures, retryAt }));
  return Response.json({ status: "ok", modelProviders });
}
