import { mediaResponse } from "@/server/media/route";

export const dynamic = "force-dynamic";

export async function GET(request: Request, context: { params: Promise<{ messageId: string }> }): Promise<Response> {
  const { messageId } = await context.params;
  return mediaResponse(request, messageId);
}
