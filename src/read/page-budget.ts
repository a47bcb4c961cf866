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
 * Deadlock rule for callers: never hold a permit while waiting for another one that only the consumer
 * can free. A window holding page N's permit may read N's children (they take none) and hand N over;
 * its prefetch of N+1 waits for a permit of its own, which the consumer frees by taking any page.
 */
export class PageBudget {
  private inUse = 0;
  private arrivedCount = 0;
  /** Waiters in order of arrival, urgent ones in a queue of their own that is served first. */
  private readonly waiters: Waiter[] = [];
  private readonly urgentWaiters: Waiter[] = [];
  private closed: { error: unknown } | undefined;

  /**
   * `capacity`: pages held at most, requested or arrived. `arrivedCapacity`: no new permit while this many
   * pages have arrived and wait for children or the consumer. With a fast consumer pages hardly wait, so
   * only `capacity` (requests in flight) matters; with a slow one, new requests go out only as the consumer
   * takes pages, and memory holds about `arrivedCapacity` pages.
   */
  constructor(readonly capacity: number, readonly arrivedCapacity: number = capacity) {
    for (const [name, value] of [['capacity', capacity], ['arrivedCapacity', arrivedCapacity]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`PageBudget ${name} must be a whole number of at least 1, not ${value}.`);
    }
  }

  /** Permits held now. */
  get held(): number {
    return this.inUse;
  }

  /** Permits whose page has arrived. */
  get arrived(): number {
    return this.arrivedCount;
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
    return this.inUse < this.capacity && this.arrivedCount < this.arrivedCapacity;
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
