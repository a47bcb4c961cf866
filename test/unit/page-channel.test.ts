import { describe, expect, it } from 'vitest';
import { PageChannel } from '../../src/read/page-channel.js';

describe('PageChannel', () => {
  it('keeps the order of pushes and blocks producers only while over capacity', async () => {
    const channel = new PageChannel<number>(2);
    const done: number[] = [];
    const pushes = [1, 2, 3, 4].map((n) => channel.push(n).then(() => done.push(n)));
    await new Promise((r) => setTimeout(r, 1));
    expect(done).toEqual([1, 2]);
    expect(await channel.next()).toBe(1);
    expect(await channel.next()).toBe(2);
    await Promise.all(pushes);
    expect(await channel.next()).toBe(3);
    expect(await channel.next()).toBe(4);
  });

  it('never leaves producers asleep behind an empty channel (slow consumer, some pushes not awaited)', async () => {
    const channel = new PageChannel<number>(3);
    const producers = Array.from({ length: 12 }, (_, p) =>
      (async () => {
        for (let i = 0; i < 20; i++) {
          // A window split is pushed without waiting; its wake-up must not be one a reader needed.
          if (i % 5 === 0) void channel.push(-1);
          await channel.push(p * 100 + i);
        }
      })(),
    );
    void Promise.all(producers).then(() => channel.close());
    const got: number[] = [];
    for (;;) {
      const item = await channel.next();
      if (item === undefined) break;
      if (item >= 0) got.push(item);
      if (got.length % 7 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    expect(got).toHaveLength(12 * 20);
  }, 5_000);

  it('a failure ends next() with the error, dropping queued items', async () => {
    const channel = new PageChannel<number>(4);
    await channel.push(1);
    channel.fail(new Error('boom'));
    await expect(channel.next()).rejects.toThrow('boom');
  });
});
