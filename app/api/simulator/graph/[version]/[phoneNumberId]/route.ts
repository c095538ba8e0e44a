import { answerGraphGet } from "@/server/simulator/phone";

export const dynamic = "force-dynamic";

/** GET /{version}/{id}: the segment holds a phone number id or a media id here, as on Meta's Graph API. */
export async function GET(request: Request, context: { params: Promise<{ phoneNumberId: string }> }): Promise<Response> {
  const { phoneNumberId: id } = await context.params;
  const answer = await answerGraphGet(id, request.headers.get("authorization"), new URL(request.url).searchParams.get("download") === "1");
  if ("bytes" in answer) return new Response(new Uint8Array(answer.bytes), { headers: { "content-type": answer.mimeType, "content-length": String(answer.bytes.length) } });
  return Response.json(answer.body, { status: answer.status });
}
