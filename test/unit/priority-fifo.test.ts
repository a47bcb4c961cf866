import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { PriorityFifo } from '../../src/http/priority-fifo.js';

const entry = (priority: number, seq: number) => ({ priority, seq });

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('PriorityFifo', () => {
  it('hands out the lowest priority number first, first come first served within one', () => {
    const queue = new PriorityFifo<{ priority: number; seq: number }>();
    [entry(5, 0), entry(1, 1), entry(5, 2), entry(0, 3), entry(1, 4)].forEach((e) => queue.push(e));
    expect(queue.size).toBe(5);
    expect(queue.peek()).toEqual(entry(0, 3));
    expect(queue.drain().map((e) => e.seq)).toEqual([3, 1, 4, 0, 2]);
    expect(queue.size).toBe(0);
    expect(queue.shift()).toBeUndefined();
  });

  it("reads priorities bottleneck's way: held to 0-9, anything but a whole number is the default 5", () => {
    const queue = new PriorityFifo<{ priority: number; seq: number }>();
    [entry(5, 0), entry(-3, 1), entry(42, 2), entry(2.5, 3), entry(Number.NaN, 4), entry(9, 5)].forEach((e) => queue.push(e));
    // -3 counts as 0 and 42 as 9 (it came before the 9, so it goes first of the two); 2.5 and NaN as 5.
    expect(queue.drain().map((e) => e.seq)).toEqual([1, 0, 3, 4, 2, 5]);
  });

  it('takes out every waiting entry that matches, at any level, keeping the order of the rest', () => {
    const queue = new PriorityFifo<{ priority: number; seq: number; read: string }>();
    const entries = [
      { priority: 5, seq: 0, read: 'a' }, { priority: 5, seq: 1, read: 'b' }, { priority: 3, seq: 2, read: 'b' },
      { priority: 5, seq: 3, read: 'a' }, { priority: 0, seq: 4, read: 'a' },
    ];
    entries.forEach((e) => queue.push(e));
    expect(queue.shift()).toBe(entries[4]); // taken already: not extracted again
    expect(queue.extract((e) => e.read === 'b').map((e) => e.seq)).toEqual([2, 1]);
    expect(queue.size).toBe(2);
    expect(queue.extract(() => false)).toEqual([]);
    expect(queue.drain().map((e) => e.seq)).toEqual([0, 3]);
  });

  it('keeps the order through thousands of entries taken while more arrive (a fan-out)', () => {
    const queue = new PriorityFifo<{ priority: number; seq: number }>();
    const taken: number[] = [];
    let seq = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 100; i++) queue.push(entry(5, seq++));
      for (let i = 0; i < 60; i++) taken.push(queue.shift()!.seq);
    }
    taken.push(...queue.drain().map((e) => e.seq));
    expect(taken).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });

  it('lets go of an entry once it is taken, though others still wait at its level', async () => {
    // A request's entry holds its settled promise and with it the page it answered: kept by the queue, a
    // read held up to a thousand pages it had long delivered.
    const queue = new PriorityFifo<{ priority: number; seq: number; page?: unknown }>();
    let taken: WeakRef<object> | undefined;
    (() => {
      const page = { data: new Array(1000).fill('x') };
      queue.push({ priority: 5, seq: 0, page });
      queue.push(entry(5, 1));
      queue.shift();
      taken = new WeakRef(page);
    })();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(taken!.deref()).toBeUndefined();
    expect(queue.size).toBe(1);
  });
});
