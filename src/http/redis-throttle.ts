import { createHash } from 'node:crypto';
import Bottleneck from 'bottleneck';
import type { Redis } from 'ioredis';
import { StripeSourceError } from '../errors.js';
import { redactSecrets } from '../redact.js';
import { accountRank, DEFAULT_PRIORITY, nextRate, waitUntil, type RequestThrottle, type ScheduleOptions, type ThrottleOptions } from './throttle.js';

export interface RedisThrottleOptions extends ThrottleOptions {
  /** An ioredis client (duplicated, never used or closed itself) or a `redis://` / `rediss://` URL. */
  readonly redis: unknown;
  /** Names the shared budget: every process with the same key draws on the same buckets. */
  readonly key: string;
  /** Release the Redis connections after this long without a request, so the process may exit; default 1,000 ms. */
  readonly idleMs?: number;
}

/** The default budget name: a hash of the key and mode, so that the key itself never reaches Redis. */
export function defaultBudgetKey(apiKey: string, mode: string): string {
  return `stripe-source:${createHash('sha256').update(`${mode}:${apiKey}`).digest('hex').slice(0, 16)}`;
}

/**
 * Bottleneck polls Redis this often for expired holds and missed wake-ups. Its default (5 s) leaves a
 * shared bucket idle for seconds whenever a notification is missed; 100 ms was seen to share it correctly.
 */
const HEARTBEAT_MS = 100;
/**
 * A process that dies while holding a bucket frees it after this long. Generous: an endpoint's bucket is
 * held while its request waits for the account's bucket, which a busy account may keep for a few seconds.
 */
const HOLD_EXPIRY_MS = 30_000;
/**
 * Each bucket is held for this share of its spacing after a send, so no two sends of it, in any
 * process, come closer. Bottleneck's `minTime` (kept in Redis) paces the sends at the full spacing from
 * one reservation to the next; the hold is only the floor under timer jitter. A hold of the full spacing
 * would add Redis's hand-over time to every gap (measured: 22 instead of 24 per second).
 */
const HOLD_SHARE = 0.9;

/**
 * The throttle of `Throttle` with its buckets in Redis, through bottleneck's clustering: every process
 * (and every `StripeSource`) that uses the same Redis and key draws on one global and one per-endpoint
 * budget. Each bucket is a clustered limiter admitting one request at a time (`maxConcurrent: 1`) at the
 * bucket's spacing (`minTime`); a request takes its endpoint's bucket, then the account's, is sent, and the
 * buckets are held a little longer so that timer jitter in one process cannot squeeze two sends together.
 * A 429 for pace slows the bucket for every process (`updateSettings` writes the new spacing to Redis);
 * the process that saw it gives the pace back step by step as the in-process throttle does.
 */
export class RedisThrottle implements RequestThrottle {
  private session: Session | undefined;
  private readonly rateState = new Map<string, RateState>();
  /** Requests scheduled and not yet through their holds. */
  private active = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: RedisThrottleOptions) {}

  schedule<T>(endpoint: string, task: () => Promise<T>, options: ScheduleOptions = {}): Promise<T> {
    if (this.stopped) return Promise.reject(new StripeSourceError('The throttle was stopped.'));
    this.active += 1;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const now = performance.now();
    this.recoverBucket('global', now);
    this.recoverBucket(endpoint, now);
    const session = (this.session ??= new Session(this.options));
    const holdGlobal = (HOLD_SHARE * 1000) / this.options.globalPerSecond;
    const holdEndpoint = (HOLD_SHARE * 1000) / this.options.endpointPerSecond;
    return new Promise<T>((resolve, reject) => {
      let sent = false;
      const run = async (): Promise<void> => {
        const [endpointLimiter, globalLimiter] = await Promise.all([session.limiter(`endpoint:${endpoint}`, this.minTime(endpoint)), session.limiter('global', this.minTime('global'))]);
        // Priorities order this process's own queue; other processes' requests keep their turns. Only a
        // chain (AHEAD_PRIORITY), then a held page's children, also go first for the account's global
        // slots, as in `Throttle`.
        const priority = options.priority ?? DEFAULT_PRIORITY;
        const slotPriority = accountRank({ priority, completesPage: options.completesPage === true }, DEFAULT_PRIORITY);
        const hold = endpointLimiter.schedule({ expiration: HOLD_EXPIRY_MS, priority }, async () => {
          let sentAt = 0;
          await globalLimiter.schedule({ expiration: HOLD_EXPIRY_MS, priority: slotPriority }, async () => {
            sentAt = performance.now();
            sent = true;
            // The request runs outside both buckets: they pace sends, not responses.
            task().then(resolve, reject);
            await waitUntil(sentAt + holdGlobal);
          });
          // The endpoint's hold runs from the same send as the global one.
          await waitUntil(sentAt + holdEndpoint);
        });
        // A script that fails in Redis leaves bottleneck's job waiting for ever: fail with the session instead.
        await Promise.race([hold, session.failure]);
      };
      run()
        .catch((error: unknown) => {
          if (session.failed) this.dropSession(session);
          if (!sent) reject(storeError(error));
        })
        .finally(() => this.release());
    });
  }

  penalize(endpoint: string, reason: string | undefined, nowMs: number): void {
    const name = reason === 'endpoint-rate' || reason === 'endpoint-concurrency' ? endpoint : 'global';
    const state = this.state(name);
    // Several requests in flight meet the same overload: one cut per half second, not one per 429.
    if (nowMs - state.changedAt < QUIET_MS / 2 && state.rate < state.ceiling) return;
    this.setRate(name, nextRate({ current: state.rate, ceiling: state.ceiling, signal: 'rate_limited' }), nowMs);
  }

  rates(endpoint: string): { global: number; endpoint: number } {
    return { global: this.state('global').rate, endpoint: this.state(endpoint).rate };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const session = this.session;
    this.session = undefined;
    await session?.close({ dropWaiting: true });
  }

  private dropSession(session: Session): void {
    if (this.session === session) this.session = undefined;
    void session.close({ dropWaiting: true });
  }

  private release(): void {
    this.active -= 1;
    if (this.active > 0 || this.stopped) return;
    // Connections held open would keep the host's process alive after its last read.
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.active > 0) return;
      const session = this.session;
      this.session = undefined;
      void session?.close({ dropWaiting: false });
    }, this.options.idleMs ?? 1000);
  }

  private state(name: string): RateState {
    let state = this.rateState.get(name);
    if (!state) {
      const ceiling = name === 'global' ? this.options.globalPerSecond : this.options.endpointPerSecond;
      this.rateState.set(name, (state = { ceiling, rate: ceiling, changedAt: 0 }));
    }
    return state;
  }

  private minTime(name: string): number {
    return 1000 / this.state(name).rate;
  }

  private recoverBucket(name: string, nowMs: number): void {
    const state = this.state(name);
    const quietSeconds = Math.floor((nowMs - state.changedAt) / QUIET_MS);
    if (state.rate >= state.ceiling || quietSeconds < 1) return;
    let rate = state.rate;
    for (let i = 0; i < quietSeconds && rate < state.ceiling; i++) rate = nextRate({ current: rate, ceiling: state.ceiling, signal: 'quiet' });
    this.setRate(name, rate, nowMs);
  }

  /** The new pace goes to Redis, so every process of the budget slows down (or speeds up) with it. */
  private setRate(name: string, rate: number, nowMs: number): void {
    const state = this.state(name);
    state.rate = rate;
    state.changedAt = nowMs;
    this.session?.update(name === 'global' ? 'global' : `endpoint:${name}`, 1000 / rate);
  }
}

const QUIET_MS = 1000;

interface RateState {
  readonly ceiling: number;
  rate: number;
  changedAt: number;
}

/** One Redis connection pair (commands and subscriptions) and the clustered limiters on it. */
class Session {
  private readonly connection: Promise<Bottleneck.IORedisConnection>;
  private readonly limiters = new Map<string, Promise<Bottleneck>>();
  private closed = false;
  /** Rejects at the first error any of the session's limiters reports. */
  readonly failure: Promise<never>;
  failed = false;
  private fail: (error: unknown) => void = () => undefined;

  constructor(private readonly options: RedisThrottleOptions) {
    this.failure = new Promise<never>((_, reject) => {
      this.fail = (error) => {
        this.failed = true;
        reject(error);
      };
    });
    this.failure.catch(() => undefined);
    this.connection = connect(options.redis);
    this.connection.catch((error: unknown) => this.fail(error));
  }

  limiter(bucket: string, minTime: number): Promise<Bottleneck> {
    let limiter = this.limiters.get(bucket);
    if (!limiter) {
      limiter = this.create(bucket, minTime);
      this.limiters.set(bucket, limiter);
      limiter.catch(() => this.limiters.delete(bucket));
    }
    return limiter;
  }

  update(bucket: string, minTime: number): void {
    void this.limiters.get(bucket)?.then((limiter) => limiter.updateSettings({ minTime })).catch(() => undefined);
  }

  async close(options: { dropWaiting: boolean }): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const limiters = await Promise.allSettled(this.limiters.values());
    await Promise.all(
      limiters.map((l) => (l.status === 'fulfilled' ? Promise.resolve(options.dropWaiting ? l.value.stop({ dropWaitingJobs: true }) : l.value.disconnect(true)).catch(() => undefined) : undefined)),
    );
    const connection = await this.connection.catch(() => undefined);
    await connection?.disconnect(true).catch(() => undefined);
  }

  private async create(bucket: string, minTime: number): Promise<Bottleneck> {
    const connection = await this.connection;
    const limiter = new Bottleneck({
      id: `${this.options.key}:${bucket}`,
      datastore: 'ioredis',
      connection,
      maxConcurrent: 1,
      minTime,
      heartbeatInterval: HEARTBEAT_MS,
      // No `timeout` (key expiry): bottleneck's scripts pass it to PEXPIRE along with the fractional
      // spacing (1000 / 24 ms), which Redis refuses. A budget's keys are a few small hashes per endpoint.
      clearDatastore: false,
    });
    // Errors reach the callers through `failure`; without a listener bottleneck would print them.
    limiter.on('error', (error: unknown) => this.fail(error));
    await limiter.ready();
    // The first process sets the budget's pace; a process that joins brings it back to the configured one,
    // so a budget slowed by 429s long ago does not stay slow.
    await limiter.updateSettings({ minTime });
    return limiter;
  }
}

/**
 * Bottleneck's connection on connections of our own: a client handed to us is duplicated (same options)
 * rather than used, because bottleneck defines commands on it and closes it at the end.
 */
async function connect(redis: unknown): Promise<Bottleneck.IORedisConnection> {
  const { Redis } = await import('ioredis');
  let client: Redis;
  if (typeof redis === 'string') {
    client = new Redis(redis, { lazyConnect: false });
  } else if (typeof redis === 'object' && redis !== null && typeof (redis as { duplicate?: unknown }).duplicate === 'function') {
    client = (redis as Redis).duplicate();
  } else {
    throw new StripeSourceError('rateLimit.redis must be an ioredis client or a redis:// URL.');
  }
  // ioredis reports connection trouble as 'error' events and prints them when nobody listens; the
  // requests waiting on Redis fail with the reason instead.
  client.on('error', () => undefined);
  const connection = new Bottleneck.IORedisConnection({ client, Redis });
  connection.on('error', () => undefined);
  // ioredis reconnects forever. A Redis that cannot be reached at the start must fail the read, not hang
  // it: a few failed attempts in a row (a refused or unknown host, a wrong password) or no answer in time.
  let timer: NodeJS.Timeout | undefined;
  let onError: ((error: unknown) => void) | undefined;
  const failed = new Promise<never>((_, reject) => {
    let errors = 0;
    onError = (error: unknown) => {
      if (++errors >= CONNECT_ATTEMPTS) reject(error);
    };
    client.on('error', onError);
    timer = setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
  });
  try {
    if (client.status === 'wait') client.connect().catch(() => undefined);
    // Typed as a method in bottleneck's declarations, but a promise in its code.
    const ready = (connection as unknown as { ready: Promise<unknown> }).ready;
    await Promise.race([ready, failed]);
    return connection;
  } catch (error) {
    await connection.disconnect(false).catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
    if (onError) client.off('error', onError);
  }
}

const CONNECT_ATTEMPTS = 3;
const CONNECT_TIMEOUT_MS = 10_000;

/** A Redis failure as the library's error, with any password in it masked. */
function storeError(error: unknown): unknown {
  if (error instanceof StripeSourceError || !(error instanceof Error)) return error;
  return new StripeSourceError(
    `The shared rate limit could not use Redis: ${redactSecrets(error.message)}. Check that Redis is reachable at the URL or client given in rateLimit.redis, then resume from the last checkpoint.`,
    { code: 'rate_limit_store' },
  );
}
