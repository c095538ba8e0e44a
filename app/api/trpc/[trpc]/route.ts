import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createContext } from "@/server/trpc/init";
import { appRouter } from "@/server/trpc/root";
import { isSameOrigin } from "@/server/security/same-origin";
import { tracedRequest } from "@/server/observability/log";

export const dynamic = "force-dynamic";

function handler(request: Request): Promise<Response> {
  return tracedRequest(request, async () => {
    if (request.method !== "GET" && !isSameOrigin(request)) {
      return Response.json({ error: "Cross-site request refused." }, { status: 403 });
    }
    return fetchRequestHandler({ endpoint: "/api/trpc", req: request, router: appRouter, createContext });
  });
}

export { handler as GET, handler as POST };
