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
  /** Waiters in order of arrival, urgent ones in a queue of their own that is served first. */
  private readonly waiters: Waiter[] = [];
  private readonly urgentWaiters: Waiter[] = [];
  private closed: { error: unknown } | undefined;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`PageBudget capacity must be a whole number of at least 1, not ${capacity}.`);
  }

  /** Permits held now. */
  get held(): number {
    return this.inUse;
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
    if (this.inUse < this.capacity && this.waiting === 0) {
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

  private permit(): Permit {
    let released = false;
    return {
      release: () => {
        // Idempotent: a page dropped on an error path may be released twice.
        if (released) return;
        released = true;
        const next = this.closed ? undefined : (this.urgentWaiters.shift() ?? this.waiters.shift());
        // Handed straight to the next waiter: the count stays, so no newcomer can overtake it.
        if (next) next.grant(this.permit());
        else this.inUse -= 1;
      },
    };
  }
}

interface Waiter {
  grant(permit: Permit): void;
  fail(error: unknown): void;
}

export interface Permit {
  /** Gives the permit back; a second call does nothing. */
  release(): void;
}
