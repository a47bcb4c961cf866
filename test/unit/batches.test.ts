import { describe, expect, it } from 'vitest';
import { flattenBatches, type Batch } from '../../src/read/batches.js';

/** A source of batches that records what happened to it. */
function source(batches: ReadonlyArray<Batch<number>>, options: { failAfter?: Error } = {}) {
  const log: string[] = [];
  async function* generate(): AsyncGenerator<Batch<number>, void, undefined> {
    try {
      for (const batch of batches) {
        await new Promise((resolve) => setImmediate(resolve)); // each batch arrives in a later turn
        log.push(`yield ${batch.join(',')}`);
        yield batch;
      }
      if (options.failAfter) throw options.failAfter;
    } finally {
      log.push('finally');
    }
  }
  return { log, batches: generate() };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

describe('flattenBatches', () => {
  it('yields every message of every batch in order, empty batches included, then ends', async () => {
    const { batches, log } = source([[1, 2, 3], [], [4], [5, 6]]);
    const messages = flattenBatches(batches);
    expect(await collect(messages)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(log.at(-1)).toBe('finally');
    expect(await messages.next()).toEqual({ value: undefined, done: true });
  });

  it('asks for the next batch only once the one in hand is taken', async () => {
    const { batches, log } = source([[1, 2], [3]]);
    const messages = flattenBatches(batches);
    expect(await messages.next()).toEqual({ value: 1, done: false });
    expect(await messages.next()).toEqual({ value: 2, done: false });
    expect(log).toEqual(['yield 1,2']);
    expect(await messages.next()).toEqual({ value: 3, done: false });
    expect(log).toEqual(['yield 1,2', 'yield 3']);
  });

  it('answers calls made before earlier ones settle in the order they were made', async () => {
    const { batches } = source([[1], [2, 3], [], [4]]);
    const messages = flattenBatches(batches);
    const results = await Promise.all(Array.from({ length: 6 }, () => messages.next()));
    expect(results).toEqual([
      { value: 1, done: false },
      { value: 2, done: false },
      { value: 3, done: false },
      { value: 4, done: false },
      { value: undefined, done: true },
      { value: undefined, done: true },
    ]);
  });

  it('return() mid-batch ends the source (its finally runs) and drops what was not taken', async () => {
    const { batches, log } = source([[1, 2, 3], [4]]);
    const messages = flattenBatches(batches);
    expect(await messages.next()).toEqual({ value: 1, done: false });
    expect(await messages.return()).toEqual({ value: undefined, done: true });
    expect(log).toEqual(['yield 1,2,3', 'finally']);
    expect(await messages.next()).toEqual({ value: undefined, done: true });
  });

  it('a break out of for await ends the source', async () => {
    const { batches, log } = source([[1, 2], [3, 4]]);
    const seen: number[] = [];
    for await (const value of flattenBatches(batches)) {
      seen.push(value);
      if (value === 3) break;
    }
    expect(seen).toEqual([1, 2, 3]);
    expect(log).toEqual(['yield 1,2', 'yield 3,4', 'finally']);
  });

  it("hands on the source's error after the messages before it, and is done after", async () => {
    const failure = new Error('stripe went away');
    const { batches } = source([[1, 2]], { failAfter: failure });
    const messages = flattenBatches(batches);
    expect(await messages.next()).toEqual({ value: 1, done: false });
    expect(await messages.next()).toEqual({ value: 2, done: false });
    await expect(messages.next()).rejects.toBe(failure);
    expect(await messages.next()).toEqual({ value: undefined, done: true });
  });

  it('is an async iterator as a generator object is (same prototype chain, itself as its iterator)', () => {
    const messages = flattenBatches(source([[1]]).batches);
    const generatorPrototype = Object.getPrototypeOf(Object.getPrototypeOf((async function* () {})()));
    expect(Object.getPrototypeOf(messages)).toBe(Object.getPrototypeOf(generatorPrototype));
    expect(messages[Symbol.asyncIterator]()).toBe(messages);
  });

  it('throw() is passed on to the source, whose finally runs', async () => {
    const { batches, log } = source([[1, 2], [3]]);
    const messages = flattenBatches(batches);
    expect(await messages.next()).toEqual({ value: 1, done: false });
    const stop = new Error('host gave up');
    await expect(messages.throw(stop)).rejects.toBe(stop);
    expect(log).toEqual(['yield 1,2', 'finally']);
    expect(await messages.next()).toEqual({ value: undefined, done: true });
  });
});
