import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { currentViewer, type Viewer } from "@/server/auth/session";
import { overLimit, RATE_LIMITS } from "@/server/security/rate-limits";
import type { Role } from "@/server/db/generated/enums";

export async function createContext(): Promise<{ viewer: Viewer | null }> {
  return { viewer: await currentViewer() };
}

const t = initTRPC.context<Awaited<ReturnType<typeof createContext>>>().create({ transformer: superjson });

export const router = t.router;

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2, owner: 3 };

/** A procedure for signed-in members holding at least `role` in their workspace. */
export function procedureFor(role: Role) {
  return t.procedure.use(async ({ ctx, next }) => {
    if (!ctx.viewer) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." });
    if (RANK[ctx.viewer.role] < RANK[role]) {
      throw new TRPCError({ code: "FORBIDDEN", message: `This needs the ${role} role; you are ${ctx.viewer.role}.` });
    }
    const wait = await overLimit(RATE_LIMITS.api, ctx.viewer.userId);
    if (wait !== null) throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: `Too many requests: try again in ${wait} s.` });
    return next({ ctx: { viewer: ctx.viewer } });
  });
}

/** A domain's error class whose instances are refusals to tell the user (not bugs): their `code`, if any, is the tRPC one. */
type RefusalClass = abstract new (...args: never[]) => Error & { code?: TRPCError["code"] };

/**
 * Runs `work`, turning the domain's refusals (instances of `refusal`) into tRPC errors that
 * carry their message to the user, with their own code or BAD_REQUEST; anything else stays a 500.
 */
export async function withRefusals<T>(refusal: RefusalClass, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof refusal) throw new TRPCError({ code: error.code ?? "BAD_REQUEST", message: error.message });
    throw error;
  }
}
