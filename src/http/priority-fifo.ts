/** Bottleneck's range of priorities, which the library's callers use: 0 goes first, 9 last. */
const LEVELS = 10;
const DEFAULT_LEVEL = 5;

/** An entry's place: its priority level, and its arrival among all entries for first come first served. */
export interface Queued {
  readonly priority: number;
  readonly seq: number;
}

/**
 * Waiting requests in the order bottleneck kept them: the lowest priority number first, first come first
 * served within one. One array per level with a moving head, so taking the next entry costs the same with
 * thousands waiting (a children fan-out queues one request per parent).
 */
export class PriorityFifo<T extends Queued> {
  private readonly levels: Array<{ items: Array<T | undefined>; head: number }> = Array.from({ length: LEVELS }, () => ({ items: [], head: 0 }));
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    this.levels[levelOf(item.priority)]!.items.push(item);
    this.count += 1;
  }

  peek(): T | undefined {
    for (const level of this.levels) if (level.head < level.items.length) return level.items[level.head];
    return undefined;
  }

  shift(): T | undefined {
    for (const level of this.levels) {
      if (level.head >= level.items.length) continue;
      const item = level.items[level.head]!;
      // A taken entry must not stay reachable from here: a request's entry holds its settled promise, and
      // with it the page it answered (a leak of up to 1,024 pages per level, found in bench (b)).
      level.items[level.head] = undefined;
      level.head += 1;
      // Drop the taken part once it outweighs what waits, so the array does not grow with every entry it ever had.
      if (level.head === level.items.length) {
        level.items.length = 0;
        level.head = 0;
      } else if (level.head > 1024 && level.head * 2 > level.items.length) {
        level.items.splice(0, level.head);
        level.head = 0;
      }
      this.count -= 1;
      return item;
    }
    return undefined;
  }

  /** Takes out every waiting entry that `matches` (the requests of an aborted read), in order. */
  extract(matches: (item: T) => boolean): T[] {
    const out: T[] = [];
    for (const level of this.levels) {
      const kept: Array<T | undefined> = [];
      for (let i = level.head; i < level.items.length; i++) {
        const item = level.items[i]!;
        if (matches(item)) out.push(item);
        else kept.push(item);
      }
      level.items = kept;
      level.head = 0;
    }
    this.count -= out.length;
    return out;
  }

  /** Every entry, in order, leaving the queue empty. */
  drain(): T[] {
    const all: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) all.push(item);
    return all;
  }
}

/** Bottleneck's rule: a whole number, held to 0-9; anything that is not a whole number is the default, 5. */
export function levelOf(priority: number): number {
  return Number.isInteger(priority) ? Math.min(LEVELS - 1, Math.max(0, priority)) : DEFAULT_LEVEL;
}
