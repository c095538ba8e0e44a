import type { NextRequest } from "next/server";
import { serve } from "inngest/next";
import type { InngestFunction } from "inngest";
import { inngest, serveInProcess } from "@/server/inngest/client";
import { servedFunctions } from "@/server/inngest/functions";

export const dynamic = "force-dynamic";

// The serve handler is rebuilt only when the set of published flows changes.
let current: { functions: InngestFunction.Any[]; handler: ReturnType<typeof serve> } | undefined;

async function handle(request: Request, context: unknown): Promise<Response> {
  const functions = await servedFunctions();
  if (current?.functions !== functions) current = { functions, handler: serve({ client: inngest(), functions }) };
  // The SDK's Next adapter reads only what a standard Request has (url, headers, text()).
  return current.handler(request as NextRequest, context);
}

serveInProcess((request) => handle(request, undefined));

export { handle as GET, handle as POST, handle as PUT };
