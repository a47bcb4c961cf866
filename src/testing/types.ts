/** The public types of the fake Stripe (`stripe-source/testing`). */
import type { HttpHandler } from 'msw';
import type { StreamName } from '../catalog/streams.js';

export type { StreamName } from '../catalog/streams.js';

/**
 * A failure the fake injects at random (see `FakeStripeOptions.faults`). Every kind but
 * `no_retry_server_error` is transient: a client that retries gets the right answer on a later try.
 */
export type FaultKind =
  | 'server_error'
  | 'bad_gateway'
  | 'service_unavailable'
  | 'no_retry_server_error'
  | 'html_error'
  | 'rate_limit'
  | 'lock_timeout'
  | 'connection_reset'
  | 'malformed_json'
  | 'truncated_json'
  | 'timeout'
  | 'hung';

/** Every fault kind. */
export const FAULT_KINDS: readonly FaultKind[] = [
  'server_error', 'bad_gateway', 'service_unavailable', 'no_retry_server_error', 'html_error', 'rate_limit', 'lock_timeout',
  'connection_reset', 'malformed_json', 'truncated_json', 'timeout', 'hung',
];

/**
 * The kinds a client that retries survives: every kind but `no_retry_server_error`, whose
 * `Stripe-Should-Retry: false` tells the client to stop. The default of `FaultOptions.kinds`.
 */
export const TRANSIENT_FAULT_KINDS: readonly FaultKind[] = FAULT_KINDS.filter((kind) => kind !== 'no_retry_server_error');

export interface LatencyOptions {
  /** Median delay of a response, in ms. */
  median: number;
  /** 99th percentile in ms; when given, delays are log-normal (long-tailed) around `median`. */
  p99?: number;
}

export interface RateLimitOptions {
  /** Requests per second per account over all endpoints (default 25, Stripe's test-mode limit). */
  global?: number;
  /** Requests per second per account on one endpoint (default 25, Stripe's default per operation). */
  perEndpoint?: number;
}

export interface FaultOptions {
  /** Chance, 0..1, that a request fails instead of being answered normally. */
  probability: number;
  /** Kinds to pick from, uniformly (default: `TRANSIENT_FAULT_KINDS`, every kind but `no_retry_server_error`). */
  kinds?: FaultKind[];
  /** Only requests whose path starts with one of these (`/v1/charges`) may fail (default: every path). */
  paths?: string[];
}

/**
 * How generated `created` times spread over the range (see `FakeStripeOptions.createdDistribution`).
 * `'default'`: anywhere in the range, some in the last 30 days, about a third in bursts that share a second.
 */
export type CreatedDistribution = 'default' | { skew: CreatedSkew };

/**
 * Skewed data, as after an import or a migration: much of each stream in one day, and a big batch of that
 * day in one second. Windows split by time then hold very unequal numbers of objects.
 */
export interface CreatedSkew {
  /**
   * Share, 0..1, of each top-level stream's objects created inside one day (UTC, 00:00:00 to 23:59:59). The
   * day is drawn from the seed within the range, and is the same for every stream: one import day per
   * account. The other objects spread as by default (a few of them may land on that day too).
   */
  shareInOneDay: number;
  /**
   * How many of that day's objects, per stream, share one single second of it (the same second for every
   * stream): the case a created-time window cannot split. At most the day's objects; `5000` means 50 full
   * pages with one `created`.
   */
  inOneSecond: number;
}

/** One connected account of the fake's Connect platform (see `FakeStripeOptions.accounts`). */
export interface ConnectedAccountOptions {
  /**
   * Object counts of its top-level streams, as `FakeStripeOptions.records`. Streams left out get 15, except
   * the platform-scoped ones (`transfers`, `application_fees`), which get 0: those are the platform's.
   */
  records?: Partial<Record<StreamName, number>>;
  /** Unix seconds of its oldest object. Default: the fake's `startDate`. */
  startDate?: number;
  /** How its objects' `created` times spread. Default: the fake's `createdDistribution` (its own skew day). */
  createdDistribution?: CreatedDistribution;
}

export interface FakeStripeOptions {
  /** Data, ids, keys, faults and latencies are deterministic per seed (and clock). Default 1. */
  seed?: number;
  /**
   * Object counts of top-level streams; streams left out get 15. Children (`setup_attempts`,
   * `subscription_items`, `invoice_line_items`) come from their parents and `events` from the objects, so
   * they cannot be given.
   */
  records?: Partial<Record<StreamName, number>>;
  /** Unix seconds of the oldest generated object. Default: three years before the clock's now. */
  startDate?: number;
  /**
   * How the `created` times of top-level streams spread over `[startDate, now]`: `'default'`, or
   * `{ skew: { shareInOneDay: 0.5, inOneSecond: 5000 } }` for half of every stream in one day, 5,000 of it in
   * one second. Children follow their parents; events follow the objects of the last 30 days. Default
   * `'default'`.
   */
  createdDistribution?: CreatedDistribution;
  /** Delay of every response: a constant number of ms, or a median with an optional long tail. Default 0. */
  latencyMs?: number | LatencyOptions;
  /**
   * Stripe's rate limits, enforced per account over a sliding one-second window of real time (not of `now`,
   * which tests and the demo often freeze). Default: off.
   */
  rateLimit?: false | RateLimitOptions;
  /** Random failures, drawn per request from the seed. Default: none. */
  faults?: FaultOptions;
  /** The fake's clock in ms (default `Date.now`). Tests move it to age events past retention. */
  now?: () => number;
  /** `api_version` written on events. Default: the version stripe@23 pins, `2026-10-28.endive`. */
  eventApiVersion?: string;
  /**
   * Makes the fake a Connect platform with these connected accounts (ids `acct_` + letters and digits).
   * Each has its own generated data (seeded from the fake's seed and its id), its own events and its own
   * rate-limit budget, served to requests with `Stripe-Account: <id>`; `/v1/accounts` lists them. Requests
   * without the header (or naming the platform) get the platform's own data, as without this option.
   * Default: none (`/v1/accounts` is an empty list).
   */
  accounts?: Record<string, ConnectedAccountOptions>;
}

/** A request as `FakeStripe.handle()` takes it, free of any transport. */
export interface FakeRequest {
  method: string;
  /** Absolute (`https://api.stripe.com/v1/customers?limit=3`) or just path and query. */
  url: string;
  /** Header names in any case. */
  headers: Record<string, string | undefined>;
}

/** A failure only a transport can act out. */
export type TransportFault = 'connection_reset' | 'timeout' | 'hung';

/** What the fake answers. */
export interface FakeResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /**
   * Set when the response must not be delivered whole. `connection_reset`: the transport sends the headers
   * and part of `body`, then drops the connection (msw: a network error). `timeout`: the transport never
   * answers; the client has to give up (the node server drops such sockets on `close()`). `hung`: the
   * transport sends the status, the headers and part of `body`, then nothing more while keeping the
   * connection open; the client has to give up in the middle of the body.
   */
  fault?: TransportFault;
}

export interface ListenOptions {
  /** Port on 127.0.0.1; default 0 (a free port). */
  port?: number;
}

export interface FakeServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Stops listening and destroys every open connection, hung ones included. */
  close(): Promise<void>;
}

/** Request counters. Every request counts, whatever its method or answer. */
export interface FakeStripeStats {
  readonly total: number;
  /** By HTTP method (`GET`, `POST`, ...). */
  readonly byMethod: Readonly<Record<string, number>>;
  /** By endpoint template, the unit rate limits count in: `/v1/customers`, `/v1/invoices/{id}/lines`. */
  readonly byPath: Readonly<Record<string, number>>;
  /** By status (`'200'`, `'429'`, ...), or by transport fault (`'connection_reset'`, `'timeout'`, `'hung'`). */
  readonly byStatus: Readonly<Record<string, number>>;
  /**
   * By the account a request was for: its `Stripe-Account` header (`acct_...`, unknown ones included), or
   * `'platform'` without one or when it names the platform itself.
   */
  readonly byAccount: Readonly<Record<string, number>>;
  reset(): void;
}

export interface RestrictedKeyOptions {
  /** Streams the key may not read: it lacks their catalog `permission`, so every stream sharing it is denied. */
  deny: StreamName[];
}

/** Which account a change applies to. */
export interface MutationOptions {
  /** A connected account's id; default (or the platform's own id): the platform. */
  account?: string;
}

/** A Stripe object as the fake holds it: frozen, deeply. */
export type StripeObject = Readonly<Record<string, unknown>>;

export interface FakeStripe {
  /** An `sk_test_` key the fake accepts (fixed per seed). */
  readonly apiKey: string;
  /** The account's id (`acct_...`, fixed per seed): the platform's, when there are connected accounts. */
  readonly accountId: string;
  /**
   * The ids of the connected accounts: those of the `accounts` option in its order, then those added with
   * `create('accounts')`, without those removed with `del('accounts', id)`. A new array on every read.
   */
  readonly accounts: readonly string[];
  /** msw handlers intercepting `https://api.stripe.com/*`. */
  readonly handlers: HttpHandler[];
  /** Serves the fake over node:http on 127.0.0.1. */
  listen(options?: ListenOptions): Promise<FakeServer>;
  /** The transport-free core both transports use. */
  handle(request: FakeRequest): Promise<FakeResponse>;
  /**
   * The server's truth: every current object of the stream (children too), newest first, frozen; of the
   * connected account `accountId`, or of the platform by default. Throws for an account the fake doesn't have.
   */
  objects(stream: StreamName, accountId?: string): StripeObject[];
  /** An `rk_test_` key that gets Stripe's 403 on the denied streams' paths. */
  restrictedKey(options: RestrictedKeyOptions): string;
  readonly stats: FakeStripeStats;
  /**
   * Creates an object (created = now) and records its event, as Stripe would, in `options.account` (default:
   * the platform). `create('accounts')` connects a new account to the platform, with no data yet.
   */
  create(stream: StreamName, fields?: Record<string, unknown>, options?: MutationOptions): StripeObject;
  /** Shallow-merges `fields` into an object and records the update event with `previous_attributes`. */
  update(stream: StreamName, id: string, fields: Record<string, unknown>, options?: MutationOptions): StripeObject;
  /**
   * Removes an object and records the stream's delete event when Stripe has one. `del('accounts', id)`
   * disconnects an account: it leaves the list, and requests for it get 403 `account_invalid`.
   */
  del(stream: StreamName, id: string, options?: MutationOptions): void;
}
