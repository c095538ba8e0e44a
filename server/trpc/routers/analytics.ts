import { TRPCError } from "@trpc/server";
import { AnalyticsError, analyticsInputSchema, flowAnalytics } from "@/server/analytics/flow-analytics";
import { procedureFor, router } from "../init";

export const analyticsRouter = router({
  /** A flow's figures per day and per version over the last `days`. */
  flow: procedureFor("viewer")
    .input(analyticsInputSchema)
    .query(({ ctx, input }) =>
      flowAnalytics(ctx.viewer.workspaceId, input).catch((error: unknown) => {
        if (error instanceof AnalyticsError) throw new TRPCError({ code: "NOT_FOUND", message: error.message });
        throw error;
      }),
    ),
});
