import pRetry, { AbortError as RetryAbort } from 'p-retry';
import type { ResolvedConfig } from '../config.js';
import { AuthenticationError, PermissionError, RateLimitError, StripeApiError, StripeSourceError } from '../errors.js';
import type { SourceEmitter } from '../events.js';
import { redactSecrets } from '../redact.js';
import { classifyFailure, type FailureFacts } from './classify.js';
import { defaultBudgetKey, RedisThrottle } from './redis-throttle.js';
import { StripeGet } from './stripe-get.js';
import { endpointOf, Throttle, type RequestThrottle } from './throttle.js';

export type QueryValue = string | number | undefined;

export interface GetOptions {
  /** The stream the request serves, for events and errors. */
  readonly stream: string;
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly signal?: AbortSignal;
  /** Its place among this account's waiting requests (see `ScheduleOptions.priority`). */
  readonly priority?: number;
  /** It reads a held page's children (see `ScheduleOptions.completesPage`). */
  readonly completesPage?: boolean;
}

export interface GetResult {
  readonly body: unknown;
  readonly requestId: string | undefined;
}

const RETRY_MAX_MS = 30_000;

/** Query strings the way Stripe reads them: `created[gte]=1` stays readable and ordered. */
export function buildPath(path: string, query: Readonly<Record<string, QueryValue>> = {}): string {
  const parts = Object.entries(query)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${encodeURIComponent(String(v))}`);
  return parts.length > 0 ? `${path}?${parts.join('&')}` : path;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The read was aborted.', 'AbortError');
}

/**
 * Every request of the library goes through here: GET only, through the throttle, retried with backoff
 * and jitter by p-retry, failures turned into the library's own errors. `StripeGet` sends each attempt
 * through stripe-node's HTTP client and makes stripe-node's errors; each attempt is throttled, counted and
 * reported here.
 */
export class StripeHttp {
  /** Requests sent by this client and every client made from it by `forAccount` (retries included). */
  get requests(): number {
    return this.shared.requests.count;
  }

  private constructor(
    private readonly config: ResolvedConfig,
    private readonly events: SourceEmitter,
    private readonly shared: {
      readonly http: StripeGet;
      readonly throttle: RequestThrottle;
      readonly requests: { count: number };
      /** Each connected account's own buckets (see `forConnectedAccount`). */
      readonly accountThrottles: Map<string, RequestThrottle>;
    },
    /** `Stripe-Account` for every request, when reading a connected account. */
    private readonly stripeAccount: string | undefined,
  ) {}

  static create(config: ResolvedConfig, events: SourceEmitter): StripeHttp {
    const http = new StripeGet({ apiKey: config.apiKey, baseUrl: config.baseUrl, timeoutMs: config.timeoutMs, appName: 'stripe-source' });
    const throttle = makeThrottle(config, undefined);
    return new StripeHttp(config, events, { http, throttle, requests: { count: 0 }, accountThrottles: new Map() }, undefined);
  }

  /** The same client (throttle, counters) speaking for a connected account. */
  forAccount(accountId: string | undefined): StripeHttp {
    return accountId === this.stripeAccount ? this : new StripeHttp(this.config, this.events, this.shared, accountId);
  }

  /**
   * A client speaking for a connected account with that account's own token buckets: Stripe counts rate
   * limits per account, and a request with `Stripe-Account` is made as the connected account. Counters and
   * the underlying connection pool stay shared; one set of buckets per account, however often it is asked for.
   */
  forConnectedAccount(accountId: string): StripeHttp {
    let throttle = this.shared.accountThrottles.get(accountId);
    if (!throttle) {
      throttle = makeThrottle(this.config, accountId);
      this.shared.accountThrottles.set(accountId, throttle);
    }
    return new StripeHttp(this.config, this.events, { ...this.shared, throttle }, accountId);
  }

  /**
   * Requests to `path`'s endpoint waiting in this client's throttle: more than a couple means the endpoint
   * is already as busy as its buckets allow, so more concurrent readers would only queue.
   */
  waiting(path: string): number {
    return this.shared.throttle.waiting?.(endpointOf(path)) ?? 0;
  }

  /** Pages a read should have out at once as far as the throttle can tell (see `Throttle.pageCap`). */
  pageCap(): number {
    return this.shared.throttle.pageCap?.() ?? Infinity;
  }

  async get(options: GetOptions): Promise<GetResult> {
    const { stream, signal } = options;
    const path = buildPath(options.path, options.query);
    const endpoint = endpointOf(options.path);
    let attempt = 0;
    try {
      return await pRetry(
        async () => {
          if (signal?.aborted) throw new RetryAbort(toError(abortReason(signal)));
          attempt += 1;
          return this.shared.throttle.schedule(endpoint, async () => {
            if (signal?.aborted) throw new RetryAbort(toError(abortReason(signal)));
            this.shared.requests.count += 1;
            this.events.emit('request', { stream, method: 'GET', path, attempt, ...(this.stripeAccount ? { account: this.stripeAccount } : {}) });
            return this.shared.http.get({ path, stripeAccount: this.stripeAccount });
          }, { priority: options.priority, completesPage: options.completesPage, signal });
        },
        {
          retries: this.config.maxRetries,
          minTimeout: this.config.minRetryDelayMs,
          maxTimeout: RETRY_MAX_MS,
          factor: 2,
          randomize: true,
          signal,
          shouldRetry: ({ error }) => classifyFailure(error, this.config.now()).retry,
          onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
            const facts = classifyFailure(error, this.config.now());
            if (facts.statusCode === 429) {
              if (facts.reason === 'rate_limit') this.shared.throttle.penalize(endpoint, facts.rateLimitedReason, performance.now());
              this.events.emit('rate_limited', { stream, path, code: facts.reason, reason: facts.rateLimitedReason, requestId: facts.requestId });
            }
            if (!facts.retry || retriesLeft === 0) return;
            // p-retry adds its own backoff after this; a server's Retry-After is waited for on top of it.
            const backoff = Math.min(RETRY_MAX_MS, this.config.minRetryDelayMs * 2 ** (attemptNumber - 1));
            this.events.emit('retry', {
              stream, path, attempt: attemptNumber, delayMs: (facts.retryAfterMs ?? 0) + backoff,
              reason: facts.reason, statusCode: facts.statusCode, requestId: facts.requestId,
            });
            if (facts.retryAfterMs) await sleep(Math.min(facts.retryAfterMs, RETRY_MAX_MS), signal);
          },
        },
      );
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      throw toSourceError(error, { stream, path, attempts: attempt, now: this.config.now() });
    }
  }
}

/**
 * The in-process buckets, or with `rateLimit` the buckets in Redis that every process reading the account
 * shares. A connected account has budgets of its own (Stripe counts its requests against it): its key is
 * the platform's budget key with the account id after it.
 */
function makeThrottle(config: ResolvedConfig, accountId: string | undefined): RequestThrottle {
  const rates = { globalPerSecond: config.maxRequestsPerSecond, endpointPerSecond: config.maxRequestsPerSecondPerEndpoint };
  if (!config.rateLimit) return new Throttle(rates);
  const base = config.rateLimit.key ?? defaultBudgetKey(config.apiKey, config.mode);
  return new RedisThrottle({ ...rates, redis: config.rateLimit.redis, key: accountId ? `${base}:${accountId}` : base });
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Ends Stripe's text as a sentence, so the advice that follows reads apart from it. */
function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?)]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** What to do about a failed request other than 401, 403 and 429. */
function advice(facts: FailureFacts, attempts: number): string {
  if (facts.retry) return `It was tried ${attempts} times; resume from the last checkpoint once Stripe is reachable again.`;
  if (facts.statusCode === 404) {
    return facts.code === 'resource_missing'
      ? 'The object is gone from Stripe; resume from the last checkpoint, and report it with the request id if it happens again.'
      : 'Check that baseUrl points at Stripe (https://api.stripe.com) or a faithful fake of it; resume from the last checkpoint once it does.';
  }
  if (facts.statusCode === 400) {
    return "Stripe refused the request itself, which stripe-source builds: check that baseUrl points at Stripe and the account's API version, and report it with the request id.";
  }
  if (facts.statusCode !== undefined && facts.statusCode >= 500) {
    return 'Stripe asked not to retry it (Stripe-Should-Retry: false); resume from the last checkpoint later, and give Stripe support the request id if it keeps failing.';
  }
  return 'Resume from the last checkpoint once the cause is fixed; give Stripe support the request id if it keeps failing.';
}

/** Stripe's permission name in a 403 message ("Having the 'rak_charge_read' permission would allow ..."). */
export function permissionFromMessage(message: string): string | undefined {
  return /'(rak_[a-z_]+)'/.exec(message)?.[1];
}

/** The library's own error for a failed request, with what to do about it. */
export function toSourceError(
  error: unknown,
  context: { stream: string; path: string; attempts: number; now: number },
): StripeSourceError {
  if (error instanceof StripeSourceError) return error;
  const facts: FailureFacts = classifyFailure(error, context.now);
  const stripeMessage = redactSecrets(error instanceof Error ? error.message : String(error));
  const where = `GET ${context.path} (stream "${context.stream}")`;
  const tail = facts.requestId ? ` [Stripe request id: ${facts.requestId}]` : '';
  const options = { stream: context.stream, requestId: facts.requestId, statusCode: facts.statusCode, code: facts.code, cause: error };
  switch (facts.statusCode) {
    case 401:
      return new AuthenticationError(
        `Stripe rejected the API key (401) on ${where}: ${stripeMessage} Check that the key is current and not revoked; create one at https://dashboard.stripe.com/apikeys.${tail}`,
        options,
      );
    case 403: {
      const permission = permissionFromMessage(stripeMessage);
      const advice = facts.code === 'account_invalid'
        ? 'The key has no access to that account: check accountId, or that the platform still connects it.'
        : permission
          ? `Give the restricted key the "${permission}" permission, or leave the stream out.`
          : 'Give the key read access to this resource, or leave the stream out.';
      return new PermissionError(`Stripe refused ${where} (403): ${stripeMessage} ${advice}${tail}`, { ...options, permission });
    }
    case 429:
      return new RateLimitError(
        `Stripe kept answering 429 (${facts.reason}) on ${where} after ${context.attempts} attempts. Lower maxRequestsPerSecond, or stop other clients that use this account's rate limit, and resume from the last checkpoint.${tail}`,
        options,
      );
    default: {
      const what = facts.statusCode !== undefined
        ? `Stripe answered ${facts.statusCode}${facts.code ? ` (${facts.code})` : ''}`
        : facts.reason === 'network' ? 'The connection to Stripe failed' : 'The request failed';
      return new StripeApiError(`${what} on ${where}: ${sentence(stripeMessage)} ${advice(facts, context.attempts)}${tail}`, options);
    }
  }
}
