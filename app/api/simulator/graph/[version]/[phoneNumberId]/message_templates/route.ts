import { listGraphTemplates } from "@/server/simulator/phone";

export const dynamic = "force-dynamic";

/** GET /{version}/{waba_id}/message_templates: the path segment holds a WABA id here, as on Meta's Graph API. */
export async function GET(request: Request, context: { params: Promise<{ phoneNumberId: string }> }): Promise<Response> {
  const { phoneNumberId: wabaId } = await context.params;
  const answer = await listGraphTemplates(wabaId, request.headers.get("authorization"));
  return Response.json(answer.body, { status: answer.status });
}
