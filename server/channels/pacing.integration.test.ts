// Pacing through PostgreSQL: the "next send due" rows are shared by every caller, so
// concurrent senders (other processes) are spaced too. Time comes from fake clocks.
import { expect, test } from "vitest";
import { db } from "@/server/db/client";
import { fakeClock } from "../../tests/support/fake-clock";
import { useChannelDatabase } from "../../tests/support/channel-database";
import { paceSend } from "./pacing";

const channels = useChannelDatabase();

test("to one contact the 46th message in a burst waits for the pair rate; the first 45 do not", async () => {
  const { conversationId } = await channels.conversation("34600000101", new Date());
  const clock = fakeClock();
  const start = clock.now();
  const goesAt: number[] = [];
  for (let i = 0; i < 46; i++) {
    await paceSend({ channelId: channels.channelId, conversationId, messagesPerSecond: 1000 }, clock);
    goesAt.push(clock.now() - start);
  }
  expect(goesAt[44]).toBeLessThan(1_000);
  expect(goesAt[45]).toBeGreaterThanOrEqual(6_000);
});

test("concurrent senders through one number each get their own slot, spaced by its messages per second", async () => {
  await db().channel.update({ where: { id: channels.channelId }, data: { messagesPerSecond: 10 } });
  const start = Date.UTC(2026, 5, 1);
  const senders = await Promise.all(
    Array.from({ length: 8 }, async (_, i) => {
      const { conversationId } = await channels.conversation(`3460000020${i}`, new Date());
      // Each sender has its own clock, as separate processes would; only the database is shared.
      const clock = fakeClock(start);
      await paceSend({ channelId: channels.channelId, conversationId, messagesPerSecond: 10 }, clock);
      return clock.now() - start;
    }),
  );
  const sorted = [...senders].sort((a, b) => a - b);
  expect(sorted[0]).toBe(0);
  for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(100);
});
