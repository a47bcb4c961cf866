import { getStream, type StreamDefinition, type StreamName } from '../catalog/streams.js';
import type { CheckpointWindow } from '../checkpoint/schema.js';
import { isResourceMissing, StripeApiError } from '../errors.js';
import type { PassPlan } from '../plan/passes.js';
import { criticalPathCuts, type CriticalPathOptions } from '../plan/critical-path.js';
import { awaitingDenseVerdict, denseRegionCuts, median, type DenseRegionOptions, type WindowDensity } from '../plan/dense-regions.js';
import { cutsBelowCursor, partitionParams, splitPoint, splitPoints, unreadSpan, windowQuery, type WindowProgress } from '../plan/windows.js';
import { AHEAD_PRIORITY, DEFAULT_PRIORITY, priorityByUnreadPages } from '../http/throttle.js';
import { embeddedChildren, readChildren } from './children.js';
import type { ReadContext } from './context.js';
import { takeListPage, type ListPage, type StripeObject } from './list-page.js';
import type { PageBudget, Permit } from './page-budget.js';

const PAGE_SIZE = 100;

/**
 * Windows read at once per stream. A window has one request in flight at a time (each page's cursor comes
 * from the page before), and Stripe allows 25 requests/s per endpoint at a few hundred ms per list page
 * with a long tail: about 10 windows keep one endpoint busy. Each window ends on a partial page, so more
 * than that only queue in the throttle and cost requests (bench (a): 8 windows ran at ~21/s; 16 kept 24/s
 * but ended ~90 windows on partial pages; 12 kept 24/s with ~60).
 */
export const WINDOWS_PER_STREAM = 12;

/** One page of a pass with everything that hangs off it, or a change to a window; delivered in order. */
export interface PageOutcome {
  readonly pass: PassPlan;
  readonly partition: string;
  /** The window's `lt` when the outcome was made: its identity in the checkpoint. */
  readonly windowLt: number;
  readonly progress: WindowProgress;
  /**
   * The page's records as the messages the read yields, in an array of the outcome's own: the consumer
   * yields this very array with the page's checkpoint pushed after the records, and empties it once handed
   * on (see `takeListPage`).
   */
  readonly records: PageRecord[];
  /** Parent objects on the page (for the `page` event). */
  readonly parentRecords: number;
  /**
   * The page's permit of the read's page budget: the consumer releases it once it has handed the
   * records on. Absent on outcomes that hold no page (a split, a lost cursor).
   */
  readonly permit?: Permit;
}

/** A record of a page, already in the shape of the message that yields it (the consumer adds none of its own). */
export interface PageRecord {
  readonly type: 'record';
  readonly stream: StreamName;
  readonly record: StripeObject;
}

type Deliver = (outcome: PageOutcome) => Promise<void>;

/**
 * A window as its reader and the scheduler see it: the checkpoint's view of it as of the last outcome
 * handed to `deliver`. Both change it only in the same synchronous step as they hand over the outcome
 * that says so, so the host's checkpoint and the readers never disagree.
 */
interface LiveWindow {
  gte: number;
  lt: number;
  after: { id: string; created: number } | undefined;
  /**
   * Objects per second just below the cursor: the median of the last `DENSITY_PAGES` pages' densities, so
   * one page of a burst (a hundred objects in one second) does not make a sparse window look huge; pages
   * inside their cursor's one second are not counted at all (see `pageDensity`).
   */
  density: number;
  /** Densities of the last pages, newest last (a cut's lower parts start with their parent's; the part below a deep second with none). */
  densities: readonly number[];
  /** Densities of the last pages it read itself (`densities` may come from the window it was cut from). */
  ownDensities: readonly number[];
  /**
   * Densities of its last own pages that spanned more than one second: a page inside one second (a burst)
   * says nothing of the objects around it, and the sparsest of these is what a window is judged long by.
   */
  spreadDensities: readonly number[];
  /** Seconds its last own pages took, from request (after the page budget's permit) to response. */
  pageSeconds: readonly number[];
  /**
   * The least priority its requests go with: a part of a dense-region cut keeps the region's place at the
   * endpoint, which its own few pages would lose to any larger sparse window (and a deep second found in
   * it would wait behind them all).
   */
  priority: number | undefined;
  /** Its last outcome (`finished`) is handed over: it must not be split any more. */
  done: boolean;
  /** Full pages in a row whose objects were all created in one second, the cursor's: how deep that second is. */
  pagesInOneSecond: number;
}

/**
 * A window with every field set, in one order: V8 then gives all windows one shape, and the per-page code
 * that reads them stays optimized (windows grown field by field, or with a field deleted, deoptimized it
 * and had it compiled again, the biggest single cost of V8's compiler in bench (d)).
 */
function liveWindow(bounds: { gte: number; lt: number; after: LiveWindow['after']; density: number; densities: readonly number[]; priority: number | undefined }): LiveWindow {
  return {
    gte: bounds.gte,
    lt: bounds.lt,
    after: bounds.after,
    density: bounds.density,
    densities: bounds.densities,
    ownDensities: [],
    spreadDensities: [],
    pageSeconds: [],
    priority: bounds.priority,
    done: false,
    pagesInOneSecond: 0,
  };
}

/**
 * A second that has filled this many pages in a row is read as a chain of its own (see `isolate`). Bursts
 * of a few hundred objects in one second are common (imports, batch jobs) and end within a page or two,
 * where a window of their own would only cost a request more; a second deeper than that (thousands of
 * objects) is a chain of many round trips that the rest of its window must not wait behind.
 */
const DEEP_SECOND_PAGES = 3;

/**
 * A window is cut only while fewer of its list's requests than this wait at the endpoint's bucket. A
 * cut earns nothing when the endpoint (or the account's rate) is already the limit, and costs a request.
 */
const SPLIT_WHILE_WAITING_BELOW = 2;

/** A window is cut only when what is left of it likely holds this many pages or more. */
const MIN_PAGES_TO_SPLIT = 3;

/**
 * Windows in a region this many times denser than the typical window of their list, page after page, are
 * cut beyond the slots (see `cutDenseRegions`).
 */
const DENSE_REGION: DenseRegionOptions = { pageSize: PAGE_SIZE, pagesInARow: 4, factor: 200, minPages: 100, piecePages: 10 };
/** Dense-region cuts stop when a partition has this many times its slots in windows. */
const DENSE_REGION_WINDOWS_PER_SLOT = 3;

/**
 * A window's first page goes with the largest windows' priority: until it is in, nothing is known of the
 * window (its estimate is nil), and by that estimate it waited behind every window with pages left. The
 * lowest part of a dense-region cut, which may hold the rest of the region and a deep second in it, waited
 * so 7 s in bench (b) while the region's parts kept the endpoint busy, and the read ended 15 s late.
 */
const FIRST_PAGE_PRIORITY = 1;

/** Pages whose densities make a window's estimate. */
const DENSITY_PAGES = 3;

/**
 * A window whose chain of pages would outlast the rest of its list is cut beyond the slots (see
 * `cutCriticalPaths`). Its length goes by the sparsest of its last `CRITICAL_PATH_PAGES` own pages that
 * spanned more than one second (a burst must not make a window look long) and the median time of its
 * last pages; the list's pace by the time its last `LIST_PACE_PAGES` pages took to arrive. One cut makes at
 * most `CRITICAL_PATH_MAX_PARTS` parts, each cut again once its own pages show it still too long: an
 * estimate gone wrong costs a few requests for empty parts, not dozens.
 */
const CRITICAL_PATH: Omit<CriticalPathOptions, 'pagesPerSecond' | 'pagesLeft'> = { slack: 1.25, minPartPages: 10 };
const CRITICAL_PATH_PAGES = 4;
const CRITICAL_PATH_MAX_PARTS = 3;
/**
 * Critical-path cuts stop when a partition has this many windows beyond its slots. Every window more
 * shares the endpoint with the rest, so each pages slower, and a dense region none has reached yet is
 * found later: with up to twice the slots, bench (b) (half the objects in one day, found only when a
 * cursor pages down to it) fell to 73-79% of the ceiling in single runs; the read's list looks shorter
 * than it is while such a region is hidden, so its chains look long and it was cut and cut again.
 */
export const CRITICAL_PATH_EXTRA_WINDOWS = 4;
const LIST_PACE_PAGES = 24;

/** Objects likely left unread in a window, judged by the density of its last pages. */
function estimatedUnread(w: LiveWindow): number {
  return w.after ? w.density * unreadSpan(w) : 0;
}

/** Reads every pending window of a pass, several at a time, handing each complete page to `deliver`. */
export async function runPass(ctx: ReadContext, pass: PassPlan, deliver: Deliver, budget: PageBudget): Promise<void> {
  const partitions = Object.entries(pass.state.partitions).filter(([, state]) => state.pending.length > 0);
  const perPartition = Math.max(1, Math.ceil(WINDOWS_PER_STREAM / Math.max(1, partitions.length)));
  const load: PassLoad = { childReads: 0 };
  await Promise.all(partitions.map(([partition, state]) => runPartition(ctx, pass, partition, state.pending, perPartition, deliver, budget, load)));
}

/** What a pass has outstanding, shared by its partitions' windows. */
interface PassLoad {
  /** Parents whose children are being read (those with children to request; the rest settle at once). */
  childReads: number;
}

/**
 * A pass whose parents' children wait this many child reads or more opens no further window: its child
 * endpoint (25 requests/s at Stripe) has two seconds of work queued, and more pages would only hold
 * places in the page budget, and memory, while their children wait.
 */
const CHILD_BACKLOG = 50;

/**
 * Keeps up to `slots` windows of one partition in flight. When slots are free and no planned window is
 * left, the window likely holding the most unread objects is cut into one part per free slot plus the one
 * it keeps (equal seconds each; two parts when one slot is free, as binary subdivision), so skewed data
 * (half the objects in one day) still keeps every slot busy. Only windows whose first page showed more to
 * come are cut: a window that fits in one page costs one request, not eight.
 */
function runPartition(ctx: ReadContext, pass: PassPlan, partition: string, planned: readonly CheckpointWindow[], slots: number, deliver: Deliver, budget: PageBudget, load: PassLoad): Promise<void> {
  // A planned window with a cursor was being read when the checkpoint was taken: assume it is dense.
  const waiting: LiveWindow[] = planned.map((w) => liveWindow({ gte: w.gte, lt: w.lt, after: w.after, density: w.after ? Infinity : 0, densities: [], priority: undefined }));
  const active = new Set<LiveWindow>();
  /** When this partition's last `LIST_PACE_PAGES` pages arrived (performance.now()), oldest first. */
  const arrivals: number[] = [];
  return new Promise<void>((resolve, reject) => {
    let failed = false;
    /** The windows a dense region may be judged in (being read, with a cursor), and what is known of their densities. */
    const denseViews = (): { candidates: LiveWindow[]; views: WindowDensity[] } => {
      const candidates = [...active].filter((w) => !w.done && w.after !== undefined);
      return { candidates, views: candidates.map((w) => ({ density: w.density, ownDensities: w.ownDensities, unreadSeconds: unreadSpan(w) })) };
    };
    /**
     * Cuts the window likely to hold the most unread objects into `pieces` parts of equal seconds (fewer
     * when it likely holds less than `MIN_PAGES_TO_SPLIT` pages per part; see `cutAt`).
     */
    const split = (pieces: number): LiveWindow[] => {
      // Requests of this list already queue at its endpoint: another window would add a request that
      // only waits, and one more partial page at its end. Cut again once the queue runs short.
      if (ctx.http.waiting(pass.driver.path) >= SPLIT_WHILE_WAITING_BELOW) return [];
      // A dense region's window short of its verdict stays whole (see `awaitingDenseVerdict`).
      const { candidates, views } = denseViews();
      const verdictDue = awaitingDenseVerdict(views, DENSE_REGION);
      const awaiting = new Set(candidates.filter((_, i) => verdictDue[i]));
      let largest: LiveWindow | undefined;
      for (const w of active) {
        if (w.done || awaiting.has(w) || splitPoint(w) === null || estimatedUnread(w) < MIN_PAGES_TO_SPLIT * PAGE_SIZE) continue;
        if (!largest || estimatedUnread(w) > estimatedUnread(largest)) largest = w;
      }
      if (!largest) return [];
      const parts = Math.max(2, Math.min(pieces, Math.floor(estimatedUnread(largest) / (MIN_PAGES_TO_SPLIT * PAGE_SIZE))));
      return cutAt(largest, splitPoints(largest, parts));
    };
    /**
     * Cuts `w` at every one of `mids` (ascending), top cut first, each handed over as a split of the window
     * that holds the rest at that moment, so the checkpoint follows step by step: `w` keeps the top part
     * and its cursor, the windows returned (top down) take the rest, starting with `w`'s densities (or
     * `densities`).
     */
    const cutAt = (w: LiveWindow, mids: readonly number[], densities: readonly number[] = w.densities): LiveWindow[] => {
      const lowers: LiveWindow[] = [];
      let rest = w;
      for (const mid of [...mids].reverse()) lowers.push((rest = cut(rest, mid, densities)));
      return lowers;
    };
    /** Cuts `w` at `mid` and hands the split over: `w` keeps `[mid, lt)`, the window returned takes `[gte, mid)`. */
    const cut = (w: LiveWindow, mid: number, densities: readonly number[]): LiveWindow => {
      void deliver({ pass, partition, windowLt: w.lt, progress: { kind: 'split', mid }, records: [], parentRecords: 0 });
      const lower = liveWindow({ gte: w.gte, lt: mid, after: undefined, density: median(densities), densities, priority: w.priority });
      w.gte = mid;
      return lower;
    };
    /**
     * The window's cursor is deep in one second (`DEEP_SECOND_PAGES` full pages of it so far), which only
     * its cursor can read, one page after another. What lies below that second goes to a window of its own
     * at once, beyond the slots, rather than waiting behind the chain (or for a cut that halves the rest
     * and leaves the chain still in the way); the chain's requests then go ahead of others at the endpoint.
     * Handed over after the page, so the host sees the page, then the cut. Neither the slots nor the
     * children backlog hold it back: the chain is one request at a time, and the lower part is work the
     * window had anyway. The lower part starts with no densities of its own: the window's are the deep
     * second's (a hundred objects a second), which would make a sparse remainder look huge.
     */
    const isolate = (w: LiveWindow, second: number): void => {
      if (failed || w.done || !(second > w.gte)) return;
      start(cut(w, second, []));
    };
    /**
     * A window in a region many times denser than the rest of its list (half of three years' objects in
     * one day) is the read's critical path: one cursor reads it at a few pages a second, long after the
     * rest, and a deep second inside it is found only when that cursor pages down to it. Subdivision cuts
     * it one share per free slot, late and few; so it is cut at once, beyond the slots (up to
     * `DENSE_REGION_WINDOWS_PER_SLOT` times them in all), into parts of about ten pages just below its
     * cursor, where its density is known, with the rest below them in one more part that is cut again once
     * its own pages show it dense. The window and its ten-page parts keep the region's priority at the
     * endpoint: by their own few pages they would wait behind every larger sparse window, and a deep second
     * in one of them with them. Windows waiting to start count against the room (a resumed read may have
     * more than its slots).
     */
    const cutDenseRegions = (): void => {
      const { candidates, views } = denseViews();
      for (const { index, pieceSeconds, pages } of denseRegionCuts(views, DENSE_REGION)) {
        const room = DENSE_REGION_WINDOWS_PER_SLOT * slots - active.size - waiting.length;
        if (room <= 0 || load.childReads >= CHILD_BACKLOG) return;
        const w = candidates[index]!;
        w.priority = Math.min(w.priority ?? DEFAULT_PRIORITY, priorityByUnreadPages(pages));
        const lowers = cutAt(w, cutsBelowCursor(w, { pieceSeconds, count: room }));
        // The lowest part holds whatever lies below the parts, often years of sparse objects: it goes by its
        // own estimate, and gets the region's place again only if its own pages show it dense.
        if (lowers.length > 0) lowers[lowers.length - 1]!.priority = undefined;
        for (const lower of lowers) start(lower);
      }
    };
    /**
     * A window whose chain of pages (pages left, one round trip each) would outlast the rest of its list
     * at the pace the list is read is cut now, beyond the slots, into parts whose chains end in time: it
     * would otherwise page on alone after every other window is done (bench (a): the newest weeks of a
     * growing account, read by one cursor from the second second to the forty-first). Its parts queue at
     * the endpoint with the rest, first those with the most pages left. Judged once the list has delivered
     * `LIST_PACE_PAGES` pages, so its pace is measured, not guessed.
     */
    const cutCriticalPaths = (): void => {
      const paceSeconds = (arrivals[arrivals.length - 1]! - arrivals[0]!) / 1000;
      if (arrivals.length < LIST_PACE_PAGES || !(paceSeconds > 0)) return;
      // A dense region being read (its parts carry its priority) is the critical path, and its cuts need
      // the room: equal-second parts of windows in or around it only competed with them (bench (b): 67-73%
      // of the ceiling with these cuts, 83-85% without).
      for (const w of active) if (w.priority !== undefined) return;
      const candidates = [...active].filter((w) => !w.done && w.after !== undefined && splitPoint(w) !== null && w.spreadDensities.length >= CRITICAL_PATH_PAGES);
      let pagesLeft = 0;
      for (const w of active) if (!w.done) pagesLeft += estimatedUnread(w) / PAGE_SIZE;
      const chains = candidates.map((w) => ({
        unreadPages: (Math.min(...w.spreadDensities) * unreadSpan(w)) / PAGE_SIZE,
        secondsPerPage: w.pageSeconds.length >= 2 ? median(w.pageSeconds) : undefined,
      }));
      const options = { ...CRITICAL_PATH, pagesPerSecond: (arrivals.length - 1) / paceSeconds, pagesLeft };
      for (const { index, parts } of criticalPathCuts(chains, options)) {
        const room = slots + CRITICAL_PATH_EXTRA_WINDOWS - active.size - waiting.length;
        if (room <= 0 || load.childReads >= CHILD_BACKLOG) return;
        const w = candidates[index]!;
        // The parts start with no densities of their own: the window's are those just below its cursor,
        // and a dense region there (half of three years in one day) would lend its estimate, and with it a
        // place ahead at the endpoint, to parts that hold weeks of sparse objects.
        for (const lower of cutAt(w, splitPoints(w, Math.min(parts, CRITICAL_PATH_MAX_PARTS, room + 1)), [])) start(lower);
      }
    };
    const onPage = (): void => {
      arrivals.push(performance.now());
      if (arrivals.length > LIST_PACE_PAGES) arrivals.shift();
      fill();
    };
    const start = (next: LiveWindow): void => {
      active.add(next);
      readWindow(ctx, pass, partition, next, deliver, budget, load, { onProgress: onPage, onDeepSecond: isolate }).then(
        () => {
          active.delete(next);
          fill();
        },
        (error: unknown) => {
          failed = true;
          reject(error);
        },
      );
    };
    const fill = (): void => {
      // A dense region's verdict comes before subdivision: the window's fourth page of its own also ends
      // its protection from `split` (see `awaitingDenseVerdict`), which would otherwise cut it first, into
      // as many equal parts as slots are free, and leave too little of it for the verdict.
      if (!failed) cutDenseRegions();
      while (!failed && active.size < slots && (active.size === 0 || load.childReads < CHILD_BACKLOG)) {
        const queued = waiting.shift();
        const next = queued ? [queued] : split(slots - active.size + 1);
        if (next.length === 0) break;
        for (const w of next) start(w);
      }
      if (!failed) cutCriticalPaths();
      if (!failed && active.size === 0 && waiting.length === 0) resolve();
    };
    fill();
  });
}

interface WindowHooks {
  /** A page was handed over: the scheduler may use freed capacity. */
  onProgress(): void;
  /** `DEEP_SECOND_PAGES` full pages in a row of objects all created in `second`, with more to come. */
  onDeepSecond(w: LiveWindow, second: number): void;
}

/** Reads one window page by page until it is done. */
async function readWindow(ctx: ReadContext, pass: PassPlan, partition: string, w: LiveWindow, deliver: Deliver, budget: PageBudget, load: PassLoad, hooks: WindowHooks): Promise<void> {
  const def = pass.driver;
  const children = pass.members.filter((m) => m !== def.name).map((m) => getStream(m));
  const deliversDriver = pass.members.includes(def.name as StreamName);
  // A pass whose children cost a request per parent (setup attempts) keeps the busiest endpoint of the
  // read busy only while its pages come in: its page requests go first for the budget's permits.
  const urgent = children.some((child) => child.parent?.embedded === undefined);
  // Every page request takes a permit of the read's budget first; the page keeps it until the consumer
  // has its records. The window's bounds are read when the request goes out, after the wait. A page's
  // children are asked for as soon as it arrives, under its permit (they never wait for one), so the
  // children of a prefetched page queue behind those of the page before it instead of after its delivery.
  // `pagesLeft`: the window's estimate as of the page just in, whose cursor `after` is: a prefetch is asked
  // for before the window takes that page in (its estimate would be the page before's, and none at all
  // after its first page: a fresh part's second page went last at the endpoint and waited 8 s in bench (b)).
  const fetchPage = (after: LiveWindow['after'], pagesLeft?: number): Promise<FetchedPage> => {
    // A window down to its cursor's one second can only be read with its cursor, one page after another
    // (a deep second cut off by `isolate`, or the last second of any window): every page of such a chain
    // that waits behind others' requests makes the read end later. (The first page after a cut is asked
    // for before the cut is made, so it goes by its pages left instead.)
    const chain = after !== undefined && unreadSpan(w) <= 1;
    const priority = chain ? AHEAD_PRIORITY : after === undefined ? FIRST_PAGE_PRIORITY : Math.min(w.priority ?? DEFAULT_PRIORITY, priorityByUnreadPages(pagesLeft ?? estimatedUnread(w) / PAGE_SIZE));
    const request = budget.acquire(urgent || chain).then(async (permit): Promise<FetchedPage> => {
      let page: PageOrLost;
      try {
        const sentAt = performance.now();
        page = await readWindowPage(ctx, def, partition, { gte: w.gte, lt: w.lt, ...(after ? { after } : {}) }, priority);
        w.pageSeconds = [...w.pageSeconds, (performance.now() - sentAt) / 1000].slice(-DENSITY_PAGES);
        permit.arrived();
      } catch (error) {
        permit.release();
        throw error;
      }
      if (page === 'cursor_lost' || children.length === 0) return { page, permit, childLists: Promise.resolve(new Map()) };
      // Parents a split has already moved below the window's floor are not worth their children's requests.
      const childLists = readAllChildren(ctx, children, parentsFrom(def, page.data, w.gte), load);
      childLists.catch(() => undefined); // surfaced when awaited; a prefetch given up on must stay quiet
      return { page, permit, childLists };
    });
    request.catch(() => undefined); // a prefetch given up on must not surface as an unhandled rejection
    return request;
  };
  let next = fetchPage(w.after);
  /**
   * Takes the page asked for last and hands it over; true once the window is finished. A call of its own
   * per page, so that the page and its records die with the call: as locals of the loop they stayed
   * reachable from the suspended loop while it waited for the next page (its permit long given back), which
   * kept a page per window alive beyond the page budget.
   */
  const handleNext = async (): Promise<boolean> => {
    const { page, permit, childLists: childListsPending } = await next;
    if (page === 'cursor_lost') {
      permit.release();
      await resumeAfterLostCursor(ctx, { pass, partition, w, deliver });
      next = fetchPage(undefined);
      return false;
    }
    // Ask for the next page now, while this one's children are read and it is delivered: the window's
    // next round trip overlaps that work instead of following it.
    const tail = page.data[page.data.length - 1];
    const prefetched = page.hasMore && tail !== undefined;
    if (prefetched) {
      const cursor = { id: tail.id, created: createdOf(def, tail) };
      const densities = withPage(w.densities, pageDensity(w, page.data.length, cursor.created));
      next = fetchPage(cursor, (median(densities) * unreadSpan({ gte: w.gte, lt: w.lt, after: cursor })) / PAGE_SIZE);
    }
    let childLists: ChildLists;
    try {
      childLists = await childListsPending;
    } catch (error) {
      permit.release();
      if (prefetched) releaseWhenSettled(next);
      throw error;
    }
    const outcome = takePage({ pass, partition, w, page, childLists, children, deliversDriver, permit });
    const { progress } = outcome;
    // A page that crossed the floor ends the window: its prefetch, already asked for, is not wanted.
    if (progress.kind === 'finished' && prefetched) releaseWhenSettled(next);
    const delivered = deliver(outcome);
    if (progress.kind === 'advanced' && w.pagesInOneSecond >= DEEP_SECOND_PAGES) hooks.onDeepSecond(w, progress.after.created);
    hooks.onProgress();
    await delivered;
    return progress.kind === 'finished';
  };
  for (;;) {
    ctx.signal.throwIfAborted();
    if (await handleNext()) return;
  }
}

/**
 * The cursor a window resumed after was deleted: its second is read again from its top, and the outcome
 * says so (the checkpoint then holds the window without a cursor).
 */
async function resumeAfterLostCursor(ctx: ReadContext, options: { pass: PassPlan; partition: string; w: LiveWindow; deliver: Deliver }): Promise<void> {
  const { pass, partition, w } = options;
  const name = pass.driver.name;
  ctx.events.emit('warning', {
    stream: name,
    code: 'cursor_lost',
    message: `The object ${w.after?.id} that ${name} was resuming after no longer exists; re-reading its second (${w.after?.created}) so nothing is skipped. A few records may come twice.`,
  });
  const outcome: PageOutcome = { pass, partition, windowLt: w.lt, progress: { kind: 'cursor_lost' }, records: [], parentRecords: 0 };
  if (w.after) w.lt = w.after.created + 1;
  w.after = undefined;
  await options.deliver(outcome);
}

/**
 * A page and its children as one outcome, and the window moved past it. Synchronous and apart from the
 * reader's async steps: the loops over records make this hot, and V8 optimizes a plain function of this
 * size cheaply, where it compiled the async reader around it (four times, as its shapes settled) at more
 * cost than all of the read's own code took to run.
 */
function takePage(options: {
  pass: PassPlan;
  partition: string;
  w: LiveWindow;
  page: ListPage;
  childLists: ChildLists;
  children: readonly StreamDefinition[];
  deliversDriver: boolean;
  permit: Permit;
}): PageOutcome {
  const { pass, partition, w, page, childLists, children } = options;
  const def = pass.driver;
  // A split may have raised the window's floor while this page was in flight: what lies below it now
  // belongs to the new lower window and is read there, so it is dropped here rather than sent twice.
  const parents = parentsFrom(def, page.data, w.gte);
  const crossedFloor = parents.length < page.data.length;
  const records = pageRecords({ def, deliversDriver: options.deliversDriver, children, parents, childLists });
  // The records are in `records` now. Settled promises may still reach this page and its child lists
  // (see `takeListPage`): emptied, they keep nothing alive.
  page.data.length = 0;
  for (const byParent of childLists.values()) for (const list of byParent.values()) list.length = 0;
  const last = parents[parents.length - 1];
  const progress: WindowProgress = page.hasMore && !crossedFloor && last
    ? { kind: 'advanced', after: { id: last.id, created: createdOf(def, last) } }
    : { kind: 'finished' };
  const outcome: PageOutcome = { pass, partition, windowLt: w.lt, progress, records, parentRecords: parents.length, permit: options.permit };
  if (progress.kind === 'advanced') advanceWindow(w, { def, parents, after: progress.after });
  else w.done = true;
  return outcome;
}

type ChildLists = Map<string, Map<string, StripeObject[]>>;

interface FetchedPage {
  readonly page: PageOrLost;
  readonly permit: Permit;
  /** Every child list of the page's parents (as of the floor when the page arrived), by child stream and parent id. */
  readonly childLists: Promise<ChildLists>;
}

/**
 * The children of `parents`, one child stream after another, every parent of a stream at once: what each
 * parent carries itself at once, and a read of its own only for the parents with more to list.
 */
async function readAllChildren(ctx: ReadContext, children: readonly StreamDefinition[], parents: readonly StripeObject[], load: PassLoad): Promise<ChildLists> {
  const childLists: ChildLists = new Map();
  for (const child of children) {
    const byParent = new Map<string, StripeObject[]>();
    const reads: Array<Promise<void>> = [];
    for (const parent of parents) {
      const start = embeddedChildren(child, parent);
      if (!start.hasMore) {
        byParent.set(parent.id, start.items);
        continue;
      }
      load.childReads += 1;
      reads.push(readChildren(ctx, child, parent, start).then((list) => void byParent.set(parent.id, list ?? [])).finally(() => (load.childReads -= 1)));
    }
    await Promise.all(reads);
    childLists.set(child.name, byParent);
  }
  return childLists;
}

/** Gives back the permit of a page nobody will read, once its children (if any are being read) are done. */
function releaseWhenSettled(request: Promise<FetchedPage>): void {
  request.then(({ permit, childLists }) => childLists.finally(() => permit.release()).catch(() => undefined), () => undefined);
}

/**
 * Objects per second of a page of `count` objects read below `w`'s cursor down to `lastCreated`, and whether
 * it spread over more than one second: a page inside its cursor's one second (a burst) says nothing of the
 * objects below it, and estimates that counted it cut sparse remainders into parts of a few seconds each,
 * most of them empty.
 */
function pageDensity(w: LiveWindow, count: number, lastCreated: number): { density: number; spread: boolean } {
  // From the top of what was unread (the cursor's second, or the window's end) down to the page's last object.
  const span = w.gte + unreadSpan(w) - lastCreated;
  return { density: count / Math.max(1, span), spread: span > 1 };
}

/** A window's estimate densities with a page's added: only a page that spread over more than one second counts. */
function withPage(densities: readonly number[], page: { density: number; spread: boolean }): readonly number[] {
  return page.spread ? [...densities, page.density].slice(-DENSITY_PAGES) : densities;
}

/** A page's records in order: the parents (when the pass delivers them), then each child stream's, parent by parent. */
function pageRecords(options: { def: StreamDefinition; deliversDriver: boolean; children: readonly StreamDefinition[]; parents: readonly StripeObject[]; childLists: ChildLists }): PageRecord[] {
  const { parents } = options;
  const records: PageRecord[] = [];
  if (options.deliversDriver) {
    const stream = options.def.name as StreamName;
    for (let i = 0; i < parents.length; i++) records.push({ type: 'record', stream, record: parents[i]! });
  }
  for (const child of options.children) {
    const byParent = options.childLists.get(child.name);
    if (!byParent) continue;
    const stream = child.name as StreamName;
    for (let i = 0; i < parents.length; i++) {
      const list = byParent.get(parents[i]!.id);
      if (list) for (let j = 0; j < list.length; j++) records.push({ type: 'record', stream, record: list[j]! });
    }
  }
  return records;
}

/** Moves a window past a page that advanced it: its cursor, its densities, and how deep its cursor's second runs. */
function advanceWindow(w: LiveWindow, page: { def: StreamDefinition; parents: readonly StripeObject[]; after: { id: string; created: number } }): void {
  const { parents, after } = page;
  const measured = pageDensity(w, parents.length, after.created);
  w.ownDensities = [...w.ownDensities, measured.density].slice(-DENSE_REGION.pagesInARow);
  w.densities = withPage(w.densities, measured);
  w.density = median(w.densities);
  if (measured.spread) w.spreadDensities = [...w.spreadDensities, measured.density].slice(-CRITICAL_PATH_PAGES);
  const oneSecond = parents.length === PAGE_SIZE && createdOf(page.def, parents[0]!) === after.created;
  w.pagesInOneSecond = !oneSecond ? 0 : w.after?.created === after.created ? w.pagesInOneSecond + 1 : 1;
  w.after = after;
}

/** The objects of a page created at `floor` or later. */
function parentsFrom(def: StreamDefinition, data: readonly StripeObject[], floor: number): StripeObject[] {
  const parents: StripeObject[] = [];
  for (let i = 0; i < data.length; i++) if (createdOf(def, data[i]!) >= floor) parents.push(data[i]!);
  return parents;
}

function createdOf(def: StreamDefinition, record: StripeObject): number {
  const value = record[def.createdField];
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new StripeApiError(
      `Stripe returned ${def.name} object ${record.id} without an integer "${def.createdField}"; it cannot be placed in time, so the sync stopped. Check that baseUrl points at Stripe and that no proxy rewrites list responses; resume from the last checkpoint once it does.`,
      { stream: def.name },
    );
  }
  return value;
}

type PageOrLost = ListPage | 'cursor_lost';

async function readWindowPage(ctx: ReadContext, def: StreamDefinition, partition: string, window: CheckpointWindow, priority: number): Promise<PageOrLost> {
  const query = { limit: PAGE_SIZE, ...def.params, ...partitionParams(partition), ...windowQuery(window) };
  let result;
  try {
    result = await ctx.http.get({ stream: def.name, path: def.path, query, signal: ctx.signal, priority });
  } catch (error) {
    // Stripe rejects a `starting_after` whose object was deleted since (404 resource_missing).
    if (window.after && isResourceMissing(error)) {
      return 'cursor_lost';
    }
    throw error;
  }
  const page = takeListPage(result, { stream: def.name, path: def.path, objectType: def.objectType });
  checkInWindow(def, page.data, window, result.requestId);
  return page;
}

/** Every object of a page lies in the window asked for: a list filter ignored on the way must stop the read, not skew it. */
function checkInWindow(def: StreamDefinition, data: readonly StripeObject[], window: CheckpointWindow, requestId: string | undefined): void {
  for (const record of data) {
    const created = createdOf(def, record);
    if (created < window.gte || created >= window.lt) {
      throw new StripeApiError(
        `Stripe returned ${def.name} object ${record.id} created at ${created}, outside the requested range [${window.gte}, ${window.lt}); the list filter was ignored, so the sync stopped rather than guess. Check that baseUrl points at Stripe and that no proxy drops query parameters, then resume from the last checkpoint; report it to Stripe with the request id if it persists.${requestId ? ` [Stripe request id: ${requestId}]` : ''}`,
        { stream: def.name, requestId },
      );
    }
  }
}
