import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { db } from "@/server/db/client";
import { clearTranscript, customerMessageSchema, isSimulatorChannel, SEND_DRILLS, sendAsCustomer, sendDrill, setSendDrill, transcript, type SendDrill } from "@/server/simulator/phone";
import { procedureFor, router } from "../init";

const customerSchema = z.object({
  waId: z.string().regex(/^\d{6,15}$/, "a phone number in international format, digits only"),
  name: z.string().trim().min(1).max(60),
});

async function simulatorChannel(channelId: string, workspaceId: string) {
  const channel = await db().channel.findFirst({ where: { id: channelId, workspaceId } });
  if (!channel || !isSimulatorChannel(channel)) throw new TRPCError({ code: "NOT_FOUND", message: "No such simulator channel." });
  return channel;
}

export const simulatorRouter = router({
  channels: procedureFor("viewer").query(async ({ ctx }) => {
    const channels = await db().channel.findMany({ where: { workspaceId: ctx.viewer.workspaceId }, orderBy: { createdAt: "asc" } });
    return channels.filter(isSimulatorChannel).map((c) => ({ id: c.id, name: c.name, displayPhoneNumber: c.displayPhoneNumber }));
  }),

  transcript: procedureFor("viewer")
    .input(z.object({ channelId: z.string(), waId: customerSchema.shape.waId }))
    .query(async ({ ctx, input }) => {
      const channel = await simulatorChannel(input.channelId, ctx.viewer.workspaceId);
      return transcript({ phoneNumberId: channel.phoneNumberId, waId: input.waId });
    }),

  send: procedureFor("editor")
    .input(z.object({ channelId: z.string(), customer: customerSchema, message: customerMessageSchema }))
    .mutation(async ({ ctx, input }) => {
      try {
        return await sendAsCustomer({ ...input, workspaceId: ctx.viewer.workspaceId });
      } catch (error) {
        throw new TRPCError({ code: "BAD_REQUEST", message: (error as Error).message });
      }
    }),

  /** The failure the simulator will play on the number's next sends, if any. */
  drill: procedureFor("viewer")
    .input(z.object({ channelId: z.string() }))
    .query(async ({ ctx, input }) => {
      const channel = await simulatorChannel(input.channelId, ctx.viewer.workspaceId);
      return { current: sendDrill(channel.phoneNumberId), kinds: Object.entries(SEND_DRILLS).map(([kind, drill]) => ({ kind: kind as SendDrill, label: drill.label })) };
    }),

  setDrill: procedureFor("editor")
    .input(z.object({ channelId: z.string(), drill: z.object({ kind: z.enum(Object.keys(SEND_DRILLS) as [SendDrill, ...SendDrill[]]), count: z.number().int().min(1).max(20) }).nullable() }))
    .mutation(async ({ ctx, input }) => {
      const channel = await simulatorChannel(input.channelId, ctx.viewer.workspaceId);
      setSendDrill(channel.phoneNumberId, input.drill);
    }),

  clear: procedureFor("editor")
    .input(z.object({ channelId: z.string(), waId: customerSchema.shape.waId }))
    .mutation(async ({ ctx, input }) => {
      const channel = await simulatorChannel(input.channelId, ctx.viewer.workspaceId);
      await clearTranscript({ phoneNumberId: channel.phoneNumberId, waId: input.waId });
    }),
});
