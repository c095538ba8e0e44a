import { servedFunctions } from "./functions";

/**
 * Registers the current function list with the executor (embedded or a real Inngest
 * server) by asking the app's own serve handler to sync, as Inngest's deploy hooks do.
 * Needed after a flow is published for the first time: it adds a function.
 */
export async function syncFunctions(): Promise<void> {
  await servedFunctions({ refresh: true });
  const base = process.env.PARLEY_INTERNAL_URL;
  if (!base) throw new Error("PARLEY_INTERNAL_URL is not set: `npm start` sets it to the app's own address.");
  const response = await fetch(new URL("/api/inngest", base), { method: "PUT", signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`Syncing functions failed: ${response.status} ${(await response.text()).slice(0, 200)}`);
}
