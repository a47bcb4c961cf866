/** Permits the limit grows by each time the consumer finds no page waiting for it. */
const WIDEN_STEP = 4;

/**
 * A cap on the pages of one read that are in flight: requested, being read (children included), or
 * waiting for the consumer. A reader takes a permit before it sends a page request and the permit goes
 * back once the consumer has been handed that page's records (or the page is dropped). So however many
 * streams, windows and prefetches a read runs, at most `capacity` pages are held in memory, and a slow
 * sink slows the requests down instead of filling memory.
 *
 * Hand-written rather than a bottleneck limiter: a permit is held across several steps (request,
 * children, delivery, the consumer's yields) and given back by another party (the consumer), which
 * bottleneck's job model (a permit per job, released when the job's promise settles) does not express
 * without a detached promise per page.
 *
 * How many permits may be out follows the consumer (`consumerTakes`): up to `capacity` while it waits
 * for pages (the readers are the bottleneck, and requests in flight are what it needs), down to
 * `slowConsumerCapacity` while pages queue up for it (a slow sink: more pages out would only lengthen the
 * queue, and each page queued is memory). Capping arrived pages alone did not bound memory: a dip below
 * that cap granted every free request place at once, and those requests all landed (up to 56 pages queued
 * in bench (e), with 16 meant).
 *
 * Deadlock rule for callers: never hold a permit while waiting for another one that only the consumer
 * can free. A window holding page N's permit may read N's children (they take none) and hand N over;
 * its prefetch of N+1 waits for a permit of its own, which the consumer frees by taking any page.
 */
export class PageBudget {
  /** Pages held at most, requested or arrived. */
  readonly capacity: number;
  /** No new permit while this many pages have arrived and wait for their children or the consumer. */
  readonly arrivedCapacity: number;
  /** Pages held at most while the consumer is the bottleneck. */
  readonly slowConsumerCapacity: number;
  private inUse = 0;
  private arrivedCount = 0;
  /** Permits that may be out now: between `slowConsumerCapacity` and `capacity`, as the consumer keeps up or not. */
  private limit: number;
  /** Waiters in order of arrival, urgent ones in a queue of their own that is served first. */
  private readonly waiters: Waiter[] = [];
  private readonly urgentWaiters: Waiter[] = [];
  private closed: { error: unknown } | undefined;

  /** `arrivedCapacity` and `slowConsumerCapacity` default to `capacity` (no cap beyond it). */
  constructor(options: { capacity: number; arrivedCapacity?: number; slowConsumerCapacity?: number }) {
    const { capacity, arrivedCapacity = capacity, slowConsumerCapacity = capacity } = options;
    for (const [name, value] of [['capacity', capacity], ['arrivedCapacity', arrivedCapacity], ['slowConsumerCapacity', slowConsumerCapacity]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`PageBudget ${name} must be a whole number of at least 1, not ${value}.`);
    }
    this.capacity = capacity;
    this.arrivedCapacity = arrivedCapacity;
    this.slowConsumerCapacity = Math.min(slowConsumerCapacity, capacity);
    this.limit = capacity;
  }

  /** Permits held now. */
  get held(): number {
    return this.inUse;
  }

  /** Permits whose page has arrived. */
  get arrived(): number {
    return this.arrivedCount;
  }

  /** Permits that may be out now (see `consumerTakes`). */
  get limitNow(): number {
    return this.limit;
  }

  /**
   * The consumer is about to take a page, with `queued` pages waiting for it. None: it waits for the
   * readers, so the limit grows back towards `capacity`, by several permits at once (a consumer kept
   * waiting is time lost). Half of `slowConsumerCapacity` or more: the consumer is the bottleneck, so the
   * limit shrinks by one, down to `slowConsumerCapacity`.
   */
  consumerTakes(queued: number): void {
    if (queued === 0) {
      this.limit = Math.min(this.capacity, this.limit + WIDEN_STEP);
      this.grantWaiters();
    } else if (queued >= this.slowConsumerCapacity / 2) {
      this.limit = Math.max(this.slowConsumerCapacity, this.limit - 1);
    }
  }

  /** Readers waiting for a permit. */
  get waiting(): number {
    return this.waiters.length + this.urgentWaiters.length;
  }

  /**
   * A permit, at once when one is free, else when one is released: first come, first served, except that
   * `urgent` requests (the pages whose children keep the read's busiest endpoint busy) go before the rest.
   */
  acquire(urgent = false): Promise<Permit> {
    if (this.closed) return Promise.reject(this.closed.error);
    if (this.waiting === 0 && this.free()) {
      this.inUse += 1;
      return Promise.resolve(this.permit());
    }
    return new Promise<Permit>((grant, fail) => (urgent ? this.urgentWaiters : this.waiters).push({ grant, fail }));
  }

  /** Fails every waiter and every later `acquire` with `error`: the read is over. Permits held may still be released. */
  close(error: unknown): void {
    if (!this.closed) this.closed = { error };
    for (const waiter of [...this.urgentWaiters.splice(0), ...this.waiters.splice(0)]) waiter.fail(this.closed.error);
  }

  private free(): boolean {
    return this.inUse < this.limit && this.arrivedCount < this.arrivedCapacity;
  }

  /** Hands free places to waiters, in order, in the same tick as the release: no newcomer overtakes them. */
  private grantWaiters(): void {
    while (!this.closed && this.free()) {
      const next = this.urgentWaiters.shift() ?? this.waiters.shift();
      if (!next) return;
      this.inUse += 1;
      next.grant(this.permit());
    }
  }

  private permit(): Permit {
    let released = false;
    let arrived = false;
    return {
      arrived: () => {
        if (released || arrived) return;
        arrived = true;
        this.arrivedCount += 1;
      },
      release: () => {
        // Idempotent: a page dropped on an error path may be released twice.
        if (released) return;
        released = true;
        this.inUse -= 1;
        if (arrived) this.arrivedCount -= 1;
        this.grantWaiters();
      },
    };
  }
}

interface Waiter {
  grant(permit: Permit): void;
  fail(error: unknown): void;
}

export interface Permit {
  /** The page's response is in: it now counts against `arrivedCapacity` too. A second call does nothing. */
  arrived(): void;
  /** Gives the permit back; a second call does nothing. */
  release(): void;
}
