import { describe, expect, it } from 'vitest';
import type { Checkpoint, Message } from '../../src/index.js';
import { WINDOWS_PER_STREAM } from '../../src/read/pass.js';
import { applyMessages, collect, expectExact, startFake, truth } from './helpers.js';

describe('a region many times denser than the rest of its stream', () => {
  it('is cut into more windows than the slots as soon as a window has read a few pages of it, exactly', async () => {
    // Half of 30,000 charges in one day, the rest over the account's years: the day is a thousand times
    // denser. Subdivision alone cuts it into at most one share per free slot; the skew cut sets parts of
    // about ten pages each below the cursor of the window that entered it, beyond the slots.
    const { fake, source } = await startFake({
      seed: 5,
      records: { charges: 30_000 },
      createdDistribution: { skew: { shareInOneDay: 0.5, inOneSecond: 1 } },
      latencyMs: { median: 20, p99: 100 },
    });
    const messages: Message[] = await collect(source().read({ streams: ['charges'] }));
    expectExact(applyMessages(messages), truth(fake, ['charges']));
    const pendingCounts = messages
      .filter((m): m is Extract<Message, { type: 'checkpoint' }> => m.type === 'checkpoint')
      .map((m) => (m.checkpoint as Checkpoint).streams.charges?.partitions['']?.pending.length ?? 0);
    expect(Math.max(...pendingCounts)).toBeGreaterThan(WINDOWS_PER_STREAM + 1);
  });
});
