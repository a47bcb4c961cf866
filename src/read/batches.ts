/**
 * Messages travel inside the library in batches (a page's records with the checkpoint after them, an
 * events slice's changes), and become one message per `next()` only here, at the public iterator.
 *
 * Why: every async generator a value passes through costs it a promise and a queue entry. The read used to
 * yield each record through three nested generators (the read, the catch-up cycle, the list reader); in
 * bench (d) that was about a quarter of everything allocated, and these one-message steps cost ~0.8 µs of
 * CPU per record. A batch crosses those layers once per page; here a message already in hand is returned
 * in a resolved promise, without a generator's machinery.
 */

/** A run of messages handed on together; never split by the library, only by the consumer's pace. */
export type Batch<T> = readonly T[];

/**
 * The messages of `batches` one by one, as an async generator would yield them: calls made before earlier
 * ones settle are answered in order; `return()` ends `batches` (its `finally` blocks run) and drops what
 * was not taken; `throw()` is passed on to `batches`; after an error or the end, every call is done.
 */
export function flattenBatches<T>(batches: AsyncGenerator<Batch<T>, unknown, undefined>): AsyncGenerator<T, void, undefined> {
  let batch: Batch<T> = [];
  let index = 0;
  let finished = false;
  /** The last call that had to wait for a batch: later calls queue behind it to keep their order. */
  let tail: Promise<unknown> | undefined;

  const done = (): IteratorResult<T, void> => ({ value: undefined, done: true });

  const take = async (): Promise<IteratorResult<T, void>> => {
    while (index >= batch.length) {
      if (finished) return done();
      // Taken: the records must not stay reachable from here while the next batch is awaited.
      batch = [];
      index = 0;
      let step: IteratorResult<Batch<T>, unknown>;
      try {
        step = await batches.next();
      } catch (error) {
        finished = true;
        throw error;
      }
      if (step.done) {
        finished = true;
        return done();
      }
      batch = step.value;
    }
    return { value: batch[index++]!, done: false };
  };

  /** Runs `call` after every call before it has settled, and keeps later calls behind it. */
  const queued = <R>(call: () => Promise<R>): Promise<R> => {
    const result = tail === undefined ? call() : tail.then(call, call);
    const settled: Promise<unknown> = result.then(
      () => undefined,
      () => undefined,
    );
    tail = settled;
    void settled.then(() => {
      if (tail === settled) tail = undefined;
    });
    return result;
  };

  const drop = (): void => {
    batch = [];
    index = 0;
    finished = true;
  };

  // Built on %AsyncIteratorPrototype%, as a generator object is: its `Symbol.asyncIterator`, and where the
  // runtime has them, explicit resource management (`await using`, which calls `return()`) and iterator helpers.
  const iterator = Object.assign(Object.create(ASYNC_ITERATOR_PROTOTYPE) as object, {
    next(): Promise<IteratorResult<T, void>> {
      // The common case, a message already in hand: no generator step, one resolved promise.
      if (tail === undefined && index < batch.length) return Promise.resolve({ value: batch[index++]!, done: false });
      return queued(take);
    },
    return(): Promise<IteratorResult<T, void>> {
      return queued(async () => {
        drop();
        await batches.return(undefined);
        return done();
      });
    },
    throw(error: unknown): Promise<IteratorResult<T, void>> {
      return queued(async () => {
        drop();
        await batches.throw(error);
        return done();
      });
    },
  }) as AsyncGenerator<T, void, undefined>;
  return iterator;
}

/** The prototype every async generator object inherits from (not reachable by name). */
const ASYNC_ITERATOR_PROTOTYPE: object = Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype) as object;
