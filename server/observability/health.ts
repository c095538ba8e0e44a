import { db } from "@/server/db/client";

export interface ReadinessCheck {
  name: "database" | "executor";
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
  ]);
}
