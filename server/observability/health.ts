import { db } from "@/server/db/client";

export interface ReadinessCheck {
  name: "database" | "executor" | "webhooks";
  ok: boolean;
  detail: string;
}

async function timed(name: ReadinessCheck["name"], probe: () => Promise<string>): Promise<ReadinessCheck> {
  const started = performance.now();
  try {
    const detail = await probe();
    return { name, ok: true, detail: `${detail} (${Math.round(performance.now() - started)} ms)` };
  } catch (error) {
    return { name, ok: false, detail: (error as Error).message };
  }
}

/** The executor the SDK is pointed at: the embedded one, or a real Inngest server. */
function executorUrl(): string | undefined {
  return process.env.INNGEST_BASE_URL ?? process.env.INNGEST_API_BASE_URL;
}

export async function readiness(): Promise<ReadinessCheck[]> {
  return Promise.all([
    timed("database", async () => {
      await db().$queryRaw`SELECT 1`;
      return "reachable";
    }),
    timed("executor", async () => {
      const base = executorUrl();
      if (!base) {
        if (process.env.INNGEST_DEV) return "Inngest dev server configured";
        throw new Error("No executor configured: set INNGEST_BASE_URL or start Parley with `npm start`.");
      }
      const response = await fetch(new URL("/health", base), { signal: AbortSignal.timeout(2_000) });
      // Any answer below 500 means the executor is up (a real Inngest server may not route /health).
      if (response.status >= 500) throw new Error(`executor answered ${response.status}`);
      return "reachable";
    }),
    // Informational: a quiet hour is not a failure, but "no message for days" answers "why doesn't my bot answer?".
    timed("webhooks", async () => {
      const last = await db().message.findFirst({ where: { direction: "inbound" }, orderBy: { seq: "desc" }, select: { createdAt: true } });
      return last ? `last message received ${describeAge(Date.now() - last.createdAt.getTime())} ago` : "no message received yet";
    }),
  ]);
}

function describeAge(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return `${Math.max(0, Math.round(ms / 1000))} s`;
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} days`;
}
