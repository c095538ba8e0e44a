import { receiveGraphSend } from "@/server/simulator/phone";

export const dynamic = "force-dynamic";

export async function POST(request: Request, context: { params: Promise<{ phoneNumberId: string }> }): Promise<Response> {
  const { phoneNumberId } = await context.params;
  const body: unknown = await request.json().catch(() => null);
  const answer = await receiveGraphSend(phoneNumberId, request.headers.get("authorization"), body);
  return Response.json(answer.body, { status: answer.status });
}
