import Bottleneck from 'bottleneck';

export interface ThrottleOptions {
  /** Requests per second across all endpoints of the account. */
  globalPerSecond: number;
  /** Requests per second to one endpoint. */
  endpointPerSecond: number;
}

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
}

/** The priority of a request that goes ahead of every other waiting for its endpoint and the account. */
export const AHEAD_PRIORITY = 0;

/** Bottleneck's default priority: last, first come first served. */
export const DEFAULT_PRIORITY = 5;

/**
 * Stripe limits requests per account (100/s live, 25/s test) and per endpoint (25/s). One global bucket and
 * one bucket per endpoint, shared by every stream of a source, keep a sync under both. Buckets space
 * requests evenly rather than letting a burst through at each second's start, because Stripe counts in a
 * sliding window and a burst is what earns 429s.
 */
export class Throttle implements RequestThrottle {
  private readonly global: AdaptiveBucket;
  private readonly endpoints = new Map<string, AdaptiveBucket>();

  constructor(private readonly options: ThrottleOptions) {
    this.global = new AdaptiveBucket(options.globalPerSecond, 'spacing');
  }

  /**
   * Runs `task` once both the endpoint's and the global bucket allow one more request. Both spacings must
   * hold at the moment the request leaves: chaining two limiters spaces requests when they pass the first
   * and lets them bunch behind the second, which Stripe's sliding window answers with 429s. So each
   * endpoint admits one request at a time (`maxConcurrent: 1`), waits until its spacing since its last
   * send is over, then takes a slot of the global bucket and sends. Waiting from the last send (rather
   * than holding the endpoint after it) lets the limiters' own scheduling delays overlap the spacing.
   */
  schedule<T>(endpoint: string, task: () => Promise<T>, options: ScheduleOptions = {}): Promise<T> {
    const bucket = this.bucket(endpoint);
    const global = this.global;
    const now = performance.now();
    global.recover(now);
    bucket.recover(now);
    bucket.waiting += 1;
    return new Promise<T>((resolve, reject) => {
      bucket.limiter
        .schedule({ priority: options.priority ?? DEFAULT_PRIORITY }, async () => {
          bucket.waiting -= 1;
          const target = bucket.lastSend + 1000 / bucket.rate;
          // Timers and the limiters' own hops make a request leave a few ms after it was let go; aim
          // that much early so the endpoint runs at its rate, not 10% under it.
          const wait = target - bucket.lag - performance.now();
          if (wait > 0) await new Promise((done) => setTimeout(done, wait));
          // Endpoints with deep queues (a children fan-out: one request per parent) go first for global
          // slots: the run lasts as long as its busiest endpoint, so that one must never wait its turn.
          await global.limiter.schedule({ priority: options.priority === AHEAD_PRIORITY ? AHEAD_PRIORITY : globalPriority(bucket.waiting) }, async () => {
            // Aiming early must never send early: under load a timer that fires on time after a late one
            // would squeeze two requests together. A gap under 97% of either spacing (the endpoint's, or the
            // account's since its last send of any endpoint) waits out the rest. The global limiter runs one
            // job at a time, so a request waiting here cannot be overtaken by the next one.
            await waitUntil(Math.max(
              bucket.lastSend + (FLOOR * 1000) / bucket.rate,
              global.lastSend + (FLOOR * 1000) / global.rate,
              bucket.secondOpensAt(),
              global.secondOpensAt(),
            ));
            const sent = performance.now();
            global.recordSend(sent);
            bucket.recordSend(sent);
            if (wait > 0) bucket.lag = Math.min(1000 / bucket.rate / 2, Math.max(0, bucket.lag + 0.2 * (sent - target)));
            task().then(resolve, reject);
          });
        })
        .catch(reject);
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

  /** Requests scheduled on the endpoint that its bucket has not let go yet. */
  waiting(endpoint: string): number {
    return this.endpoints.get(endpoint)?.waiting ?? 0;
  }

  /** Quiet seconds since the last change let slowed buckets speed up again (schedule() does this for the buckets it uses). */
  recover(nowMs: number): void {
    this.global.recover(nowMs);
    for (const bucket of this.endpoints.values()) bucket.recover(nowMs);
  }

  private bucket(endpoint: string): AdaptiveBucket {
    let bucket = this.endpoints.get(endpoint);
    if (!bucket) this.endpoints.set(endpoint, (bucket = new AdaptiveBucket(this.options.endpointPerSecond, 'holder')));
    return bucket;
  }

  /** Drops queued work: after an abort nothing waiting may still go out. */
  async stop(): Promise<void> {
    await Promise.all([this.global, ...this.endpoints.values()].map((b) => b.limiter.stop({ dropWaitingJobs: true }).catch(() => undefined)));
  }
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
  readonly limiter: Bottleneck;
  rate: number;
  /** When this bucket last let a request out (performance.now()), for callers that space by hand. */
  lastSend = -Infinity;
  /** Its last `floor(ceiling)` sends, a ring whose next slot holds the oldest. */
  private readonly sends: Float64Array;
  private oldest = 0;
  /** How late a request leaves after its endpoint let it go (ms, moving average), aimed ahead of. */
  lag = 0;
  /** Requests scheduled on this bucket that it has not let go yet (endpoints only). */
  waiting = 0;
  private changedAt = 0;

  /** `spacing`: the limiter spaces launches itself (global); `holder`: one at a time, spaced by the caller (endpoints). */
  constructor(private readonly ceiling: number, private readonly kind: 'spacing' | 'holder') {
    this.rate = ceiling;
    this.sends = new Float64Array(Math.max(1, Math.floor(ceiling))).fill(-Infinity);
    // The global bucket also admits one job at a time: its job may wait out the floor, and the next request
    // must not leave meanwhile.
    this.limiter = new Bottleneck(kind === 'spacing' ? { minTime: 1000 / ceiling, maxConcurrent: 1 } : { maxConcurrent: 1 });
  }

  /** The earliest time a send keeps this bucket's configured number of sends within any sliding second. */
  secondOpensAt(): number {
    return this.sends[this.oldest]! + SLIDING_SECOND_MS;
  }

  recordSend(at: number): void {
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
    this.rate = rate;
    this.changedAt = nowMs;
    if (this.kind === 'spacing') this.limiter.updateSettings({ minTime: 1000 / rate });
  }
}
