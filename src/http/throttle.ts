import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { StripeSourceError } from '../errors.js';
import { inFlightFloor, nextInFlightLimit, SAMPLE_MS } from './in-flight-limit.js';
import { levelOf, PriorityFifo, type Queued } from './priority-fifo.js';

export interface ThrottleOptions {
  /** Requests per second across all endpoints of the account. */
  globalPerSecond: number;
  /** Requests per second to one endpoint. */
  endpointPerSecond: number;
  /**
   * Requests sent and not answered yet, at most (`MAX_REQUESTS_IN_FLIGHT` by default; the in-process
   * throttle). Below it, the limit follows how busy the event loop is (see `in-flight-limit.ts`), down to
   * what the read's pace needs (`inFlightFloor`) and never below `minInFlight` (`MIN_REQUESTS_IN_FLIGHT`
   * by default; at least 1, at most `maxInFlight`).
   */
  maxInFlight?: number;
  minInFlight?: number;
}

/**
 * Requests of one throttle sent and not answered yet, at most. At Stripe's 100/s and a few hundred ms a
 * request about 35 are out; a rate alone lets requests pile up without end when the server slows down
 * (bench (d), whose fake answers ~600 requests a second, had 700 responses open at once and 480 MB of RSS).
 */
export const MAX_REQUESTS_IN_FLIGHT = 100;

/**
 * The fewest requests the limit keeps in flight however busy the loop is, also where the pace's own floor
 * (`inFlightFloor`) is lower: against a server that answers in milliseconds, bench (d) settled at 16-24
 * (a floor of 8 measured the same).
 */
export const MIN_REQUESTS_IN_FLIGHT = 16;

/**
 * The fewest pages `pageCap` leaves a read while it caps them. In bench (d)'s invoices and lines on a larger
 * account (227,304 records), a fixed budget of 8 pages promoted 18-20 MB where 64 promoted 171-175.
 */
export const MIN_PAGES_WHILE_LOOP_BUSY = 8;

/**
 * `pageCap` caps pages only while the least round trip seen is shorter than this: against a server that
 * answers in a few milliseconds (a local fake, a recording proxy) the loop, not the network, sets the
 * pace. Stripe's quickest list answers take about 100 ms; there pages out are what keep the pace, and a
 * host whose own work keeps the loop busy must keep them: half of what the pace needs slows the read, a
 * slower pace lowers the in-flight floor, and the cap with it, second after second.
 */
export const PAGE_CAP_MAX_ROUND_TRIP_MS = 20;

/** Samples of the loop (`SAMPLE_MS` each) whose pace of answers the in-flight floor looks back on: a second. */
const PACE_SAMPLES = 10;

/**
 * What the HTTP client needs of a throttle: the in-process `Throttle` below, or `RedisThrottle`
 * (redis-throttle.ts), whose buckets are shared by every process that reads the account.
 */
export interface RequestThrottle {
  /** Runs `task` once the endpoint's and the account's buckets allow one more request; settles as `task` does. */
  schedule<T>(endpoint: string, task: () => Promise<T>, options?: ScheduleOptions): Promise<T>;
  /** Stripe answered 429 for pace (`reason`: its Stripe-Rate-Limited-Reason header): slow the bucket it names down. */
  penalize(endpoint: string, reason: string | undefined, nowMs: number): void;
  /** Current rates (requests per second), for events and tests. */
  rates(endpoint: string): { global: number; endpoint: number };
  /** Requests of this process waiting for the endpoint's bucket (optional: readers then assume none). */
  waiting?(endpoint: string): number;
  /**
   * Pages a read should have out at once, as far as this throttle can tell (optional: readers then assume
   * no bound of its making). See `Throttle.pageCap`.
   */
  pageCap?(): number;
  /** Drops queued work and releases what the throttle holds. */
  stop(): Promise<void>;
}

export interface ScheduleOptions {
  /**
   * Its place among the requests waiting for the same endpoint, bottleneck's way: 0 goes first, 5 (the
   * default) last, first come first served within one. 0 also goes ahead for the global bucket: a page
   * that only its cursor can reach (what is left of one second), whose chain of requests one after
   * another decides when the read ends. See `priorityByUnreadPages` for the rest.
   */
  readonly priority?: number;
  /**
   * The request reads what a page already parsed and held still needs (its parents' children): for the
   * account's slots it goes right after chains (`AHEAD_PRIORITY`) and ahead of list pages, which would only
   * start more pages to hold while this one waits.
   */
  readonly completesPage?: boolean;
  /** Takes the request out of the queue when aborted (the in-process throttle; the shared one lets it go and the task sees the abort). */
  readonly signal?: AbortSignal;
}

/** The priority of a request that goes ahead of every other waiting for its endpoint and the account. */
export const AHEAD_PRIORITY = 0;

/** Where a request that completes a held page (`ScheduleOptions.completesPage`) ranks for the account's slots: after chains. */
export const COMPLETES_PAGE_PRIORITY = 1;

/** Bottleneck's default priority: last, first come first served. */
export const DEFAULT_PRIORITY = 5;

/**
 * Where a waiting request ranks for the account's slots (0 goes first): a chain, then a held page's
 * children (`completesPage`), then `otherwise`. Both throttles rank by it.
 */
export function accountRank(request: { readonly priority: number; readonly completesPage: boolean }, otherwise: number): number {
  if (request.priority === AHEAD_PRIORITY) return AHEAD_PRIORITY;
  return request.completesPage ? COMPLETES_PAGE_PRIORITY : otherwise;
}

/**
 * Stripe limits requests per account (100/s live, 25/s test) and per endpoint (25/s). One global bucket and
 * one bucket per endpoint, shared by every stream of a source, keep a sync under both. Buckets space
 * requests evenly rather than letting a burst through at each second's start, because Stripe counts in a
 * sliding window and a burst is what earns 429s.
 *
 * Both spacings must hold at the moment a request leaves: chained limiters space requests as they pass the
 * first and let them bunch behind the second, which Stripe's sliding window answers with 429s. So one
 * dispatcher decides every send: when the global bucket is open, the waiting request that goes is the best
 * of the endpoints whose own bucket is open (priority, then arrival), and one timer wakes it for the next
 * opening. Two bottleneck limiters per request did the same at about 0.6 ms of CPU per job and a few
 * hundred jobs a second at most (bottleneck's in-process store yields a timer at every step); bench (d)
 * spent about 3 of its main thread's 7 s of CPU there. Bottleneck stays where it is the right tool: buckets
 * shared through Redis.
 */
export class Throttle implements RequestThrottle {
  private readonly global: AdaptiveBucket;
  private readonly endpoints = new Map<string, EndpointBucket>();
  /** Endpoints with requests waiting. */
  private readonly busy = new Set<EndpointBucket>();
  private arrivals = 0;
  /** Requests let go whose task has not settled yet. */
  private inFlight = 0;
  private readonly maxInFlight: number;
  private readonly minInFlight: number;
  /** Requests that may be in flight now: between the two, following the event loop's utilization. */
  private limit: number;
  /** The loop's utilization counters when the current sample began, and requests completed by then. */
  private loopSample: { at: number; elu: EventLoopUtilization; completed: number } | undefined;
  /** Requests answered (their task fulfilled), and the shortest time one took: the floor's pace and round trip. */
  private completed = 0;
  private minRoundTripMs = Infinity;
  /** Answers per second in the last samples, newest last: the floor goes by the fastest (answers come in bursts). */
  private paces: number[] = [];
  private pumpQueued = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private stopped = false;
  /** Signals of waiting requests, with how many wait and the listener (see `watch`). */
  private readonly watched = new Map<AbortSignal, { waiting: number; onAbort: () => void }>();

  constructor(private readonly options: ThrottleOptions) {
    this.global = new AdaptiveBucket(options.globalPerSecond);
    this.maxInFlight = options.maxInFlight ?? MAX_REQUESTS_IN_FLIGHT;
    // At least 1: with none in flight and a limit of 0, nothing would ever wake the dispatcher again.
    this.minInFlight = Math.max(1, Math.min(this.maxInFlight, options.minInFlight ?? MIN_REQUESTS_IN_FLIGHT));
    this.limit = this.maxInFlight;
  }

  /** Requests that may be in flight now (see `in-flight-limit.ts`), for tests. */
  get inFlightLimit(): number {
    return this.limit;
  }

  /**
   * Pages a read should have out at once: half the in-flight limit, and at least
   * `MIN_PAGES_WHILE_LOOP_BUSY`, from the first busy sample of the loop until the limit is back at its
   * ceiling, against a server that answers in milliseconds (`PAGE_CAP_MAX_ROUND_TRIP_MS`); no bound
   * otherwise.
   *
   * Why: a page's permit is taken before its request goes out, so a read may have far more pages requested
   * than requests the loop lets out, and every one of them is parsed as it arrives and lives until its
   * children are in and the consumer has it. While the loop is the bottleneck those pages only wait, and
   * pages of large objects outgrow V8's young generation: in bench (d)'s invoices and lines on a larger
   * account (227,304 records), 64 pages out promoted 171-175 MB to the old generation and took 25-28 µs of
   * CPU per record; this cap, 32-36 MB at 21-24 µs. Half, because a page's children and the next page's
   * request share those requests. The cap is this throttle's, and each read sharing it (a connected
   * account's streams) takes it whole. While the loop waits for the network, as it does against Stripe,
   * pages out are what keep the read fast, and the page budget's own limits apply.
   */
  pageCap(): number {
    if (this.limit >= this.maxInFlight || !(this.minRoundTripMs < PAGE_CAP_MAX_ROUND_TRIP_MS)) return Infinity;
    return Math.max(MIN_PAGES_WHILE_LOOP_BUSY, Math.floor(this.limit / 2));
  }

  /** Runs `task` once both the endpoint's and the global bucket allow one more request. */
  schedule<T>(endpoint: string, task: () => Promise<T>, options: ScheduleOptions = {}): Promise<T> {
    if (this.stopped) return Promise.reject(new StripeSourceError('The throttle was stopped.'));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const bucket = this.bucket(endpoint);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        // Held to bottleneck's 0-9 once, so the endpoint's queue and the global slot read it alike.
        priority: levelOf(options.priority ?? DEFAULT_PRIORITY),
        seq: this.arrivals++,
        run: () => {
          this.inFlight += 1;
          const startedAt = performance.now();
          let pending: Promise<T>;
          try {
            pending = Promise.resolve(task());
          } catch (error) {
            pending = Promise.reject(error);
          }
          pending.then((value) => {
            this.completed += 1;
            this.minRoundTripMs = Math.min(this.minRoundTripMs, performance.now() - startedAt);
            resolve(value);
          }, reject).finally(() => {
            this.inFlight -= 1;
            if (this.busy.size > 0) this.requestPump();
          });
        },
        completesPage: options.completesPage === true,
        fail: reject,
        signal,
      };
      if (signal) this.watch(signal);
      bucket.queue.push(waiter);
      this.busy.add(bucket);
      this.requestPump();
    });
  }

  /**
   * Stripe answered 429 for being over a rate: slow the bucket it names down (the global one when it names
   * none). Other sources of 429 (a locked object) say nothing about our pace and are left alone.
   */
  penalize(endpoint: string, reason: string | undefined, nowMs: number): void {
    const bucket = reason === 'endpoint-rate' || reason === 'endpoint-concurrency' ? this.bucket(endpoint) : this.global;
    bucket.penalize(nowMs);
  }

  /** Current rates, for events and tests. */
  rates(endpoint: string): { global: number; endpoint: number } {
    return { global: this.global.rate, endpoint: this.bucket(endpoint).rate };
  }

  /** Requests scheduled on the endpoint that its bucket has not let go yet, besides the one it lets go next. */
  waiting(endpoint: string): number {
    return Math.max(0, (this.endpoints.get(endpoint)?.queue.size ?? 0) - 1);
  }

  /** Quiet seconds since the last change let slowed buckets speed up again (the dispatcher does this for the buckets it sends through). */
  recover(nowMs: number): void {
    this.global.recover(nowMs);
    for (const bucket of this.endpoints.values()) bucket.recover(nowMs);
  }

  /** Drops queued work: after an abort nothing waiting may still go out. */
  async stop(): Promise<void> {
    this.stopped = true;
    const error = new StripeSourceError('The throttle was stopped.');
    for (const bucket of this.busy) {
      for (const waiter of bucket.queue.drain()) waiter.fail(error);
    }
    this.busy.clear();
    this.sleepIfIdle();
    for (const [signal, { onAbort }] of this.watched) signal.removeEventListener('abort', onAbort);
    this.watched.clear();
  }

  private bucket(endpoint: string): EndpointBucket {
    let bucket = this.endpoints.get(endpoint);
    if (!bucket) this.endpoints.set(endpoint, (bucket = new EndpointBucket(this.options.endpointPerSecond)));
    return bucket;
  }

  /**
   * An aborted read must not leave its requests to be let go one by one at the endpoint's pace: they leave
   * the queue at once and fail with the abort's reason. One listener per signal (every request of a read
   * shares its signal; a listener per request drew Node's MaxListenersExceededWarning).
   */
  private watch(signal: AbortSignal): void {
    const watched = this.watched.get(signal);
    if (watched) {
      watched.waiting += 1;
      return;
    }
    const onAbort = (): void => {
      this.watched.delete(signal);
      for (const bucket of [...this.busy]) {
        for (const waiter of bucket.queue.extract((w) => w.signal === signal)) waiter.fail(signal.reason);
        if (bucket.queue.size === 0) this.busy.delete(bucket);
      }
      this.sleepIfIdle();
    };
    this.watched.set(signal, { waiting: 1, onAbort });
    signal.addEventListener('abort', onAbort, { once: true });
  }

  /** A request left the queue to be sent: once none of its signal's wait, the listener goes (a host's signal may live long). */
  private unwatch(signal: AbortSignal | undefined): void {
    const watched = signal && this.watched.get(signal);
    if (!watched || --watched.waiting > 0) return;
    this.watched.delete(signal);
    signal.removeEventListener('abort', watched.onAbort);
  }

  /** Nothing waits: no timer may keep the process alive. */
  private sleepIfIdle(): void {
    if (this.busy.size > 0) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  /** Requests scheduled together (a fan-out's burst) are all queued before the first one is chosen. */
  private requestPump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    queueMicrotask(() => this.pump());
  }

  /** Lets go every request whose buckets are open, best first, then sleeps until the next opening. */
  private pump(): void {
    this.pumpQueued = false;
    for (;;) {
      const now = performance.now();
      this.followLoop(now);
      // A request that finishes calls again.
      if (this.inFlight >= this.limit) return;
      // Quiet seconds give a slowed bucket its rate back also while its queue drains (cheap when nothing changed).
      this.global.recover(now);
      let best: EndpointBucket | undefined;
      let bestPriority = Infinity;
      let bestSeq = Infinity;
      let nextOpening = Infinity;
      for (const bucket of this.busy) {
        bucket.recover(now);
        const opensAt = bucket.opensAt();
        if (opensAt > now) {
          nextOpening = Math.min(nextOpening, opensAt);
          continue;
        }
        const head = bucket.queue.peek()!;
        // Endpoints with deep queues (a children fan-out: one request per parent) go first for global
        // slots: the run lasts as long as its busiest endpoint, so that one must never wait its turn.
        // A page's children come next: their page is parsed and held until they are in.
        const priority = accountRank(head, globalPriority(bucket.queue.size - 1));
        if (priority < bestPriority || (priority === bestPriority && head.seq < bestSeq)) {
          best = bucket;
          bestPriority = priority;
          bestSeq = head.seq;
        }
      }
      const globalOpensAt = this.global.opensAt();
      if (!best || globalOpensAt > now) {
        if (this.busy.size === 0) this.sleepIfIdle();
        else this.wakeAt(best ? globalOpensAt : Math.max(nextOpening, globalOpensAt));
        return;
      }
      const waiter = best.queue.shift()!;
      if (best.queue.size === 0) this.busy.delete(best);
      this.unwatch(waiter.signal);
      // The send counts from the moment it goes, not from the loop's clock reading: a pause in between (a
      // collection, a busy machine) would otherwise date it early. A clean-clone CI run saw 21 sends of a
      // 20/s bucket within 1,009 ms (test/unit/throttle.test.ts).
      const sentAt = performance.now();
      this.global.recordSend(sentAt);
      best.recordSend(sentAt);
      waiter.run();
    }
  }

  /** Moves the in-flight limit once a sample of the loop's time is complete (checked where requests go, no timer of its own). */
  private followLoop(now: number): void {
    if (this.minInFlight === this.maxInFlight) return;
    if (!this.loopSample) {
      this.loopSample = { at: now, elu: performance.eventLoopUtilization(), completed: this.completed };
      return;
    }
    if (now - this.loopSample.at < SAMPLE_MS) return;
    const elu = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(elu, this.loopSample.elu);
    this.paces.push(((this.completed - this.loopSample.completed) * 1000) / (now - this.loopSample.at));
    if (this.paces.length > PACE_SAMPLES) this.paces.shift();
    this.loopSample = { at: now, elu, completed: this.completed };
    const floor = inFlightFloor({ completionsPerSecond: Math.max(...this.paces), minRoundTripMs: this.minRoundTripMs, floor: this.minInFlight, ceiling: this.maxInFlight });
    this.limit = nextInFlightLimit({ limit: this.limit, utilization, floor, ceiling: this.maxInFlight });
  }

  /**
   * One timer for the whole throttle, at the earliest time anything may go. A timer waits a millisecond at
   * least, so one throttle lets about 1,000 requests a second go at most: ten times Stripe's live limit.
   */
  private wakeAt(at: number): void {
    if (at === Infinity || this.stopped) return;
    if (this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    // libuv measures a timer from its loop's start and may fire a little early: pump checks the clock again.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.pump();
    }, Math.max(1, Math.ceil(at - performance.now())));
  }
}

interface Waiter extends Queued {
  readonly run: () => void;
  readonly completesPage: boolean;
  readonly fail: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
}

/**
 * Sleeps until `target` (performance.now() time) has passed. One timer is not enough: libuv measures a
 * timer from the time its loop iteration started, so under load a timer fires up to a tick early.
 */
export async function waitUntil(target: number): Promise<void> {
  for (let left = target - performance.now(); left > 0; left = target - performance.now()) {
    await new Promise((done) => setTimeout(done, Math.max(1, left)));
  }
}

/**
 * The priority of an endpoint's next request for a slot of the global bucket (bottleneck's: 0 goes first,
 * 5 is the default), by how many more requests wait behind it at that endpoint. Each endpoint sends one
 * request at a time at its own rate, so with a dozen endpoints sharing the account's 100/s in turn, each
 * would get about 8/s; the one with hundreds of requests queued (a children fan-out such as
 * `/v1/setup_attempts`, one request per parent) is the one that decides when the run ends, so it takes
 * its slots first and runs at its full rate while the others share what is left. Short queues keep the
 * default and their first-come order.
 */
export function globalPriority(backlog: number): number {
  return priorityByHalvings(backlog, 64);
}

/**
 * The priority of a list page at its endpoint by how many pages its window likely has left: the windows
 * with the most left go first, so the read does not end waiting for one window that was served like the
 * rest (a dense day found late in a window holds ten times what its neighbours do). 1 at 128 pages or
 * more, then one step per halving, 5 (the default) under 16; 0 is for chains (`AHEAD_PRIORITY`).
 */
export function priorityByUnreadPages(pages: number): number {
  return priorityByHalvings(pages, 128);
}

/** 1 at `top` or more, one step down per halving, 5 (bottleneck's default) under `top / 8`. */
function priorityByHalvings(value: number, top: number): number {
  for (let priority = 1, at = top; priority < 5; priority++, at /= 2) if (value >= at) return priority;
  return DEFAULT_PRIORITY;
}

/** The endpoint a path counts against: ids replaced, so `/v1/invoices/in_1/lines` and `/v1/invoices/in_2/lines` share one. */
export function endpointOf(path: string): string {
  const isId = (segment: string): boolean => /^[a-z]+_[A-Za-z0-9_]+$/.test(segment) && !/^[a-z_]+$/.test(segment);
  return path.split('?')[0]!.split('/').map((segment) => (isId(segment) ? '{id}' : segment)).join('/');
}

/** A 429 at this share of the configured rate or more is taken for a near miss. */
const NEAR_MISS_SHARE = 0.9;

/**
 * Additive increase, multiplicative decrease: each quiet second gives back 5% of the configured rate, never
 * above it; a 429 for pace cuts the rate, never below a tenth of it. By 10% when it comes at 90% of the
 * configured rate or more: the in-process buckets keep Stripe's sliding second with only 10 ms to spare (the
 * Redis-shared ones keep 4% by default), so a 429 at about full speed is a near miss (a request held up on
 * its way), and a 30% cut for it cost a second of a 45-second read. By 30% when the rate is down further: the 429s go on, so something else (another client
 * of the account) uses the allowance.
 */
export function nextRate(options: { current: number; ceiling: number; signal: 'rate_limited' | 'quiet' }): number {
  const { current, ceiling, signal } = options;
  if (signal === 'quiet') return Math.min(ceiling, current + ceiling * 0.05);
  return Math.max(ceiling * 0.1, current * (current >= ceiling * NEAR_MISS_SHARE ? 0.9 : 0.7));
}

const QUIET_MS = 1000;
/** The shortest gap allowed between two sends of one bucket, as a share of its spacing. */
const FLOOR = 0.97;

/**
 * Stripe counts requests in a sliding second: the n+1th request within any 1,000 ms is refused. Spacing
 * alone does not rule that out (a gap may be 3% short after a late timer, see FLOOR), so a bucket also
 * keeps its last sends and lets none leave while its configured rate's worth of sends (the configured rate
 * rounded down; AIMD's cuts slow the spacing, not this count) already lies within the last second and this
 * margin. The margin covers what happens between our send and Stripe's count (the
 * request's own trip, a busy event loop on either side); a send a few ms late costs far less than a 429
 * and the cut in rate that follows.
 */
export const SLIDING_SECOND_MS = 1010;

class AdaptiveBucket {
  rate: number;
  /** The earliest time of this bucket's next send (performance.now()). */
  private due = -Infinity;
  private lastSend = -Infinity;
  /** Its last `floor(ceiling)` sends, a ring whose next slot holds the oldest. */
  private readonly sends: Float64Array;
  private oldest = 0;
  private changedAt = 0;

  constructor(private readonly ceiling: number) {
    this.rate = ceiling;
    this.sends = new Float64Array(Math.max(1, Math.floor(ceiling))).fill(-Infinity);
  }

  /** When the next send may leave: its spacing over, and the configured number of sends within any sliding second kept. */
  opensAt(): number {
    return Math.max(this.due, this.lastSend + (FLOOR * 1000) / this.rate, this.sends[this.oldest]! + SLIDING_SECOND_MS);
  }

  recordSend(at: number): void {
    const spacing = 1000 / this.rate;
    // A send on time keeps the schedule; a late one (a timer fires a ms or so late) is caught up on the next
    // sends, so the bucket runs at its rate rather than under it, but never closer than FLOOR of the spacing.
    // After a quiet spell the schedule starts afresh from this send.
    this.due = at - this.due > spacing ? at + spacing : Math.max(this.due + spacing, at + FLOOR * spacing);
    this.lastSend = at;
    this.sends[this.oldest] = at;
    this.oldest = (this.oldest + 1) % this.sends.length;
  }

  penalize(nowMs: number): void {
    // Several requests in flight meet the same overload: one cut per quiet period, not one per 429.
    if (nowMs - this.changedAt < QUIET_MS / 2 && this.rate < this.ceiling) return;
    this.set(nextRate({ current: this.rate, ceiling: this.ceiling, signal: 'rate_limited' }), nowMs);
  }

  /** One step back up per quiet second since the last change, however long the bucket sat unused. */
  recover(nowMs: number): void {
    const quietSeconds = Math.floor((nowMs - this.changedAt) / QUIET_MS);
    if (this.rate >= this.ceiling || quietSeconds < 1) return;
    let rate = this.rate;
    for (let i = 0; i < quietSeconds && rate < this.ceiling; i++) rate = nextRate({ current: rate, ceiling: this.ceiling, signal: 'quiet' });
    this.set(rate, nowMs);
  }

  private set(rate: number, nowMs: number): void {
    // A cut applies to the very next send: its schedule was made at the old, shorter spacing.
    if (rate < this.rate) this.due = Math.max(this.due, this.lastSend + 1000 / rate);
    this.rate = rate;
    this.changedAt = nowMs;
  }
}

/** An endpoint's bucket, with the requests waiting for it. */
class EndpointBucket extends AdaptiveBucket {
  readonly queue = new PriorityFifo<Waiter>();
}
