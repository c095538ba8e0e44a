import { z } from "zod";
import { acceptInvitation, MemberError } from "@/server/auth/members";

export const dynamic = "force-dynamic";

const acceptSchema = z.object({
  token: z.string().min(10).max(200),
  name: z.string().trim().min(1, "Enter your name.").max(80),
  password: z.string().min(10, "Use at least 10 characters.").max(200),
});

/** POST /api/invitations/accept — the invitation link's form: creates the account and the membership. */
export async function POST(request: Request): Promise<Response> {
  const parsed = acceptSchema.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return Response.json({ error: parsed.error.issues[0]?.message ?? "Invalid form." }, { status: 400 });
  try {
    return Response.json(await acceptInvitation(parsed.data));
  } catch (error) {
    if (error instanceof MemberError) return Response.json({ error: error.message }, { status: 400 });
    throw error;
  }
}
