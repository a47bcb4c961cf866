import { describe, expect, it } from 'vitest';
import type { Checkpoint, Message } from '../../src/index.js';
import { applyMessages, collect, expectExact, startFake, truth } from './helpers.js';

/** The second most objects share, and how many. */
function deepestSecond(objects: ReadonlyArray<{ created?: unknown }>): { second: number; count: number } {
  const counts = new Map<number, number>();
  for (const o of objects) counts.set(o.created as number, (counts.get(o.created as number) ?? 0) + 1);
  const [second, count] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
  return { second, count };
}

describe('a second that holds many pages', () => {
  it('is read as a chain of its own while the rest of its window is read beside it, exactly', async () => {
    const { fake, source } = await startFake({
      seed: 21,
      records: { charges: 3_000 },
      createdDistribution: { skew: { shareInOneDay: 0.5, inOneSecond: 1_200 } },
      latencyMs: { median: 2, p99: 10 },
    });
    const { second, count } = deepestSecond(fake.objects('charges'));
    expect(count).toBeGreaterThanOrEqual(1_200);
    const messages: Message[] = await collect(source().read({ streams: ['charges'] }));
    expectExact(applyMessages(messages), truth(fake, ['charges']));
    // After three full pages of that second its window is cut right at it: the second keeps the cursor,
    // everything older goes to a window that ends where the second begins. Halving cuts would land there
    // only by chance.
    const windows = messages
      .filter((m): m is Extract<Message, { type: 'checkpoint' }> => m.type === 'checkpoint')
      .flatMap((m) => (m.checkpoint as Checkpoint).streams.charges?.partitions['']?.pending ?? []);
    expect(windows.some((w) => w.lt === second)).toBe(true);
    expect(windows.some((w) => w.gte === second && w.after?.created === second)).toBe(true);
  });
});
