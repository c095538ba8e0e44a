"use client";
// The typed tRPC hooks for client components: `const trpc = useTRPC()`, then
// `useQuery(trpc.flows.list.queryOptions())` and friends from @tanstack/react-query.
import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { AppRouter } from "@/server/trpc/root";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();
