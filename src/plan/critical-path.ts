/**
 * Pure planning: which windows of a list would still be paging, one request after another, when the
 * list's other pages are all read (the read's tail), and into how many parts to cut them now. No I/O here.
 *
 * A window reads one page at a time, each cursor from the page before, so it cannot go faster than one
 * page per round trip however idle the endpoint is. A window holding far more than its share (the newest
 * weeks of a growing account hold five times the objects of older ones) becomes the read's critical path:
 * the other windows finish, the endpoint falls idle, and the lone cursor pages on for many seconds. Cutting
 * it when readers fall idle, as subdivision does, comes too late: by then the other windows are done.
 */

/** What the scheduler knows of a window's chain of pages. */
export interface WindowChain {
  /** Pages it likely holds still, by its sparsest recent page: a burst must not make it look long. */
  readonly unreadPages: number;
  /** Seconds one of its pages takes, from its request until its response (throttle wait included); undefined until measured. */
  readonly secondsPerPage: number | undefined;
}

export interface CriticalPathOptions {
  /** Pages per second the list is read at now, all its windows together (measured). */
  readonly pagesPerSecond: number;
  /** Pages the list likely has left, every window together. */
  readonly pagesLeft: number;
  /**
   * A window is cut when its chain would take this many times as long as the rest of the list at the
   * rate it is read: a little over 1, so that estimates a few percent off cut nothing.
   */
  readonly slack: number;
  /** Pages each part likely holds at least: every part ends on a partial page, which costs a request. */
  readonly minPartPages: number;
}

export interface CriticalPathCut {
  /** The window's index in the list given. */
  readonly index: number;
  /** Parts of equal seconds to cut its unread part into (2 or more); each chain then ends within the list's time. */
  readonly parts: number;
}

/**
 * The windows whose chain (pages left times seconds per page) outlasts the list's remaining time (pages
 * left over the rate the list is read at) by `slack`, each with the parts that bring every part's chain
 * within that time, as far as `minPartPages` allows.
 */
export function criticalPathCuts(windows: readonly WindowChain[], options: CriticalPathOptions): CriticalPathCut[] {
  const remainingSeconds = options.pagesLeft / options.pagesPerSecond;
  if (!(remainingSeconds > 0) || !Number.isFinite(remainingSeconds)) return [];
  const cuts: CriticalPathCut[] = [];
  windows.forEach((w, index) => {
    if (w.secondsPerPage === undefined || !(w.unreadPages > 0)) return;
    const chainSeconds = w.unreadPages * w.secondsPerPage;
    if (!(chainSeconds > options.slack * remainingSeconds)) return;
    const parts = Math.min(Math.ceil(chainSeconds / remainingSeconds), Math.floor(w.unreadPages / options.minPartPages));
    if (parts >= 2) cuts.push({ index, parts });
  });
  return cuts;
}
