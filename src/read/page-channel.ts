/**
 * A bounded hand-over between concurrent readers and the one consumer that yields messages. Readers wait
 * when it is full, so a slow sink slows the reading down instead of filling memory.
 */
export class PageChannel<T> {
  private readonly items: T[] = [];
  private readonly spaceWaiters: Array<() => void> = [];
  private itemWaiter: (() => void) | undefined;
  private failure: { error: unknown } | undefined;
  private closed = false;

  constructor(private readonly capacity: number) {}

  /** Items queued for the consumer. */
  get size(): number {
    return this.items.length;
  }

  /**
   * Queues `item` at once, so items keep the order of the calls (a window's split must reach the consumer
   * before the pages read under it), then waits while the channel is over capacity.
   */
  async push(item: T): Promise<void> {
    if (this.failure || this.closed) return;
    this.items.push(item);
    this.wakeConsumer();
    while (this.items.length > this.capacity && !this.failure && !this.closed) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
  }

  /** The next item, `undefined` once closed and drained; throws the failure that ended the channel. */
  async next(): Promise<T | undefined> {
    for (;;) {
      if (this.failure) throw this.failure.error;
      const item = this.items.shift();
      if (item !== undefined) {
        // Every waiter looks again: items are queued before their producer waits, so waking one per item
        // taken could leave producers asleep behind an empty channel (a deadlock seen with a slow sink).
        if (this.items.length <= this.capacity) for (const waiter of this.spaceWaiters.splice(0)) waiter();
        return item;
      }
      if (this.closed) return undefined;
      await new Promise<void>((resolve) => (this.itemWaiter = resolve));
    }
  }

  close(): void {
    this.closed = true;
    this.wakeAll();
  }

  fail(error: unknown): void {
    if (!this.failure) this.failure = { error };
    this.wakeAll();
  }

  private wakeConsumer(): void {
    const waiter = this.itemWaiter;
    this.itemWaiter = undefined;
    waiter?.();
  }

  private wakeAll(): void {
    this.wakeConsumer();
    for (const waiter of this.spaceWaiters.splice(0)) waiter();
  }
}
