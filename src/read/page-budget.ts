import { median } from '../plan/dense-regions.js';

/** Permits the limit grows by each time the consumer finds no page waiting for it. */
const WIDEN_STEP = 4;
/** Round trips (permit to page) and the consumer's takes remembered for the typical round trip and pace. */
const SAMPLES = 16;

/**
 * A cap on the pages of one read that are in flight: requested, being read (children included), or
 * waiting for the consumer. A reader takes a permit before it sends a page request and the permit goes
 * back once the consumer has taken that page's records and the checkpoint after them (or the page is
 * dropped). So however many
 * streams, windows and prefetches a read runs, at most `capacity` pages are held in memory, and a slow
 * sink slows the requests down instead of filling memory.
 *
 * Hand-written rather than a bottleneck limiter: a permit is held across several steps (request,
 * children, delivery, the consumer's yields) and given back by another party (the consumer), which
 * bottleneck's job model (a permit per job, released when the job's promise settles) does not express
 * without a detached promise per page.
 *
 * How many permits may be out follows the consumer (`consumerTakes`): up to `capacity` while it waits for
 * pages (the readers are the bottleneck, and requests in flight are what it needs), down to what it takes
 * in a round trip, and at least `slowConsumerCapacity`, while pages queue up for it (a slow sink: more
 * pages out would only lengthen the queue, and each page queued is memory). Capping arrived pages alone
 * did not bound memory: a dip below that cap granted every free request place at once, and those requests
 * all landed (up to 56 pages queued in bench (e), with 16 meant).
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
  /** The fewest pages the budget lets out while the consumer is the bottleneck. */
  readonly slowConsumerCapacity: number;
  private inUse = 0;
  private arrivedCount = 0;
  /** Permits that may be out now: between `slowConsumerCapacity` and `capacity`, as the consumer keeps up or not. */
  private limit: number;
  private readonly now: () => number;
  /** The last pages' times from permit to arrival (ms), waits in the throttle included. */
  private readonly roundTrips: number[] = [];
  /** When the consumer took its last pages (ms). */
  private readonly takes: number[] = [];
  /** Waiters in order of arrival, urgent ones in a queue of their own that is served first. */
  private readonly waiters: Waiter[] = [];
  private readonly urgentWaiters: Waiter[] = [];
  private closed: { error: unknown } | undefined;
  /** A bound from outside on permits out, asked at every grant (see `Throttle.pageCap`). */
  private readonly cap: () => number;

  /**
   * `arrivedCapacity` and `slowConsumerCapacity` default to `capacity` (no cap beyond it); `now` (ms) to
   * `performance.now`; `cap` to none. A `cap` that rises lets waiters go at the next release or take.
   */
  constructor(options: { capacity: number; arrivedCapacity?: number; slowConsumerCapacity?: number; now?: () => number; cap?: () => number }) {
    const { capacity, arrivedCapacity = capacity, slowConsumerCapacity = capacity, now = () => performance.now(), cap = () => Infinity } = options;
    this.cap = cap;
    for (const [name, value] of [['capacity', capacity], ['arrivedCapacity', arrivedCapacity], ['slowConsumerCapacity', slowConsumerCapacity]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`PageBudget ${name} must be a whole number of at least 1, not ${value}.`);
    }
    this.capacity = capacity;
    this.arrivedCapacity = arrivedCapacity;
    this.slowConsumerCapacity = Math.min(slowConsumerCapacity, capacity);
    this.limit = capacity;
    this.now = now;
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
   * limit shrinks by one per page taken, down to what keeps it busy (Little's law: its pace times the
   * typical time from permit to page) but never below `slowConsumerCapacity`. Without that measure the
   * limit fell to 8 within a second also where round trips are Stripe's 250 ms, and a slow sink waited for
   * pages (6% slower than with 64 pages out). Twice the round trip kept more pages than needed when the
   * machine was busy (its round trips grow too): (e-small) 194 MB against 180 MB, at the same speed.
   */
  consumerTakes(queued: number): void {
    const now = this.now();
    this.takes.push(now);
    if (this.takes.length > SAMPLES) this.takes.shift();
    if (queued === 0) {
      this.limit = Math.min(this.capacity, this.limit + WIDEN_STEP);
      this.grantWaiters();
      return;
    }
    if (queued < this.slowConsumerCapacity / 2) return;
    if (this.limit > Math.max(this.slowConsumerCapacity, this.pagesToCoverRoundTrip())) this.limit -= 1;
  }

  /** Pages the consumer takes during a typical round trip (the median of the last ones), at its recent pace. */
  private pagesToCoverRoundTrip(): number {
    const elapsed = this.takes[this.takes.length - 1]! - this.takes[0]!;
    if (!(elapsed > 0)) return 0;
    return Math.ceil(((this.takes.length - 1) / elapsed) * median(this.roundTrips));
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
    // At least one permit, whatever the cap says (NaN included): a read with none out would never take another.
    const cap = this.cap();
    return this.inUse < Math.min(this.limit, cap >= 1 ? cap : 1) && this.arrivedCount < this.arrivedCapacity;
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
    const grantedAt = this.now();
    return {
      arrived: () => {
        if (released || arrived) return;
        arrived = true;
        this.arrivedCount += 1;
        this.roundTrips.push(this.now() - grantedAt);
        if (this.roundTrips.length > SAMPLES) this.roundTrips.shift();
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
