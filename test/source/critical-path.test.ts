import { describe, expect, it } from 'vitest';
import type { Checkpoint, Message } from '../../src/index.js';
import { WINDOWS_PER_STREAM } from '../../src/read/pass.js';
import { applyMessages, collect, expectExact, NOW_MS, startFake, truth } from './helpers.js';

describe('a window that would page on alone after the rest of its list', () => {
  it('is cut while every slot is busy, beyond the slots, exactly', async () => {
    // Three years of charges, 15% of them in the last 30 days (a growing account): the newest of the twelve
    // first windows holds three times the share of the others. The endpoint, at 40 requests a second, is
    // what limits the read, so no window finishes early and subdivision (which cuts when slots fall idle
    // and the endpoint's queue runs short) would not cut it before the end; its pages, one round trip of
    // 250 ms after another, would take longer than the whole list at 40/s. The critical-path cut sets a
    // part of it beside the twelve windows. (The read starts where the data does: windows before the first
    // charge would finish at once and free slots.)
    const { fake, source } = await startFake({ seed: 7, records: { charges: 10_000 }, latencyMs: 250 });
    const read = source({ maxRequestsPerSecond: 40, maxRequestsPerSecondPerEndpoint: 40, startDate: new Date(NOW_MS - 3 * 365 * 86_400_000) });
    const messages: Message[] = await collect(read.read({ streams: ['charges'] }));
    expectExact(applyMessages(messages), truth(fake, ['charges']));
    const pendingCounts = messages
      .filter((m): m is Extract<Message, { type: 'checkpoint' }> => m.type === 'checkpoint')
      .map((m) => (m.checkpoint as Checkpoint).streams.charges?.partitions['']?.pending.length ?? 0);
    expect(Math.max(...pendingCounts)).toBeGreaterThan(WINDOWS_PER_STREAM);
  });
});
