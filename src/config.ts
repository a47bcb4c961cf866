import { z } from 'zod';
import { defaultStreams, isStreamName, REMOVED_STREAMS, STREAM_NAMES, type StreamName } from './catalog/streams.js';
import { ConfigError } from './errors.js';
import type { KeyKind, Mode } from './types.js';

export interface StripeSourceOptions {
  /** A secret (`sk_live_`, `sk_test_`) or restricted (`rk_live_`, `rk_test_`) key. Read-only restricted keys suffice. */
  apiKey: string;
  /**
   * The account to read. When it is not the key's own account (a Connect platform reading a connected
   * account), every request carries `Stripe-Account`. Also binds checkpoints when a restricted key may not
   * read `/v1/account`.
   */
  accountId?: string;
  /**
   * Connect fan-out, with a platform key: `'all'` reads every connected account the platform lists at
   * `/v1/accounts`, a list reads those accounts. Each account's streams are read with `Stripe-Account` and
   * its own rate budget; platform-level streams (`accounts`, `application_fees`, `transfers`) once, at the
   * platform. Every message names its `account`. Not with `accountId`.
   */
  accounts?: 'all' | readonly string[];
  /** With `accounts`: connected accounts read at the same time; default 16. */
  accountConcurrency?: number;
  /** Streams to read; default all (`accounts` only with `accounts` fan-out). */
  streams?: readonly StreamName[];
  /** Oldest `created` to read (a Date or an ISO 8601 string); default all history. */
  startDate?: Date | string;
  /**
   * Requests per second across all endpoints, and (in-process) never more within any one second; default
   * Stripe's own limits: 100 in live mode, 25 in test mode (96 and 24 with `rateLimit`, whose shared buckets
   * pace by spacing alone and keep a margin).
   */
  maxRequestsPerSecond?: number;
  /** Requests per second to any one endpoint, and (in-process) never more within any one second; default 25, Stripe's limit (24 with `rateLimit`). */
  maxRequestsPerSecondPerEndpoint?: number;
  /**
   * Share the rate budget with every other process reading the same account: the global and per-endpoint
   * token buckets live in Redis (bottleneck's clustering over ioredis) instead of in this process. `redis`
   * is an ioredis client or a `redis://` URL; `key` names the budget (default: derived from a hash of the
   * API key, never the key itself, so processes with the same key share one budget).
   */
  rateLimit?: { redis: unknown; key?: string };
  /** Where Stripe is: `https://api.stripe.com` by default; a fake or proxy Stripe otherwise. */
  baseUrl?: string;
  /** Time limit of one request in ms; default 60,000. Timeouts are retried. */
  timeoutMs?: number;
  /** How often one request is retried on 429, 5xx, network errors and timeouts; default 8. */
  maxRetries?: number;
  /** First retry delay in ms, doubled on each further attempt (with jitter, up to 30 s); default 500. */
  minRetryDelayMs?: number;
  /**
   * Where an updated object comes from. `'event'` (default): the object inside the event when its
   * `api_version` is the one this library pins, else fetched again by id, so every record has the shape
   * a list gives; costs about one request per 100 changes. `'refetch'`: always fetched again by id (one
   * request per changed object), for hosts that want the state at read time rather than at event time.
   */
  updates?: 'event' | 'refetch';
  /**
   * Events are read up to this many seconds before now, since Stripe's event list is eventually
   * consistent; default 60. What happened in the last seconds is read on the next run.
   */
  eventLagSeconds?: number;
  /**
   * A stream's change cursor older than Stripe's 30-day event retention cannot be resumed from events.
   * `'resync'` (default): read the stream again in full, inside a `resync` bracket, with a `warning`
   * event. `'error'`: throw ExpiredCursorError before any data is read.
   */
  onExpiredCursor?: 'resync' | 'error';
  /**
   * Streams Stripe sends no events for (shipping rates, invoice items, connected accounts) are read again
   * in full to stay exact: at most once per this many seconds. Default 0 (every run) for a plain read, 900
   * while following (`read({ follow: true })`), where every poll is a run.
   */
  relistIntervalSeconds?: number;
  /** Clock in ms since the epoch; default `Date.now`. Tests move time with it. */
  now?: () => number;
}

export interface ResolvedConfig {
  readonly apiKey: string;
  readonly mode: Mode;
  readonly keyKind: KeyKind;
  readonly accountId: string | undefined;
  readonly accounts: 'all' | readonly string[] | undefined;
  readonly accountConcurrency: number;
  readonly streams: readonly StreamName[];
  /** Unix seconds. */
  readonly startSeconds: number;
  readonly maxRequestsPerSecond: number;
  readonly maxRequestsPerSecondPerEndpoint: number;
  readonly baseUrl: URL;
  /** Shared buckets in Redis, when asked for. */
  readonly rateLimit: { readonly redis: unknown; readonly key: string | undefined } | undefined;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly minRetryDelayMs: number;
  readonly updates: 'event' | 'refetch';
  readonly eventLagSeconds: number;
  readonly onExpiredCursor: 'resync' | 'error';
  /** Undefined: the default of the kind of read (see the option). */
  readonly relistIntervalSeconds: number | undefined;
  readonly now: () => number;
}

const KEY_HELP = 'Create a secret or a read-only restricted key at https://dashboard.stripe.com/apikeys.';
const MAX_RATE = 10_000;

/** Live/test and secret/restricted from a key's prefix; the message says what is wrong without the key. */
export function parseApiKey(key: unknown): { mode: Mode; kind: KeyKind } | { problem: string } {
  if (typeof key !== 'string' || key.length === 0) {
    return { problem: `apiKey is required: a secret (sk_live_/sk_test_) or restricted (rk_live_/rk_test_) key. ${KEY_HELP}` };
  }
  if (key.trim() !== key) {
    return { problem: 'apiKey has leading or trailing whitespace (often a newline from a file or environment variable): trim it.' };
  }
  if (/^pk_(live|test)_/.test(key)) {
    return { problem: `apiKey is a publishable key (pk_...), which cannot read data. Use a secret or restricted key instead. ${KEY_HELP}` };
  }
  const match = /^(sk|rk)_(live|test)_([A-Za-z0-9]+)$/.exec(key);
  if (!match) {
    return {
      problem: `apiKey is not a Stripe secret or restricted key: it must start with sk_live_, sk_test_, rk_live_ or rk_test_ followed by letters and digits only. ${KEY_HELP}`,
    };
  }
  return { mode: match[2] === 'live' ? 'live' : 'test', kind: match[1] === 'sk' ? 'secret' : 'restricted' };
}

// A date, or a date and time with its UTC offset: anything else (`'1'`, a local time) would move the start
// of the sync silently, by machine time zone or by Date.parse's guesses.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

function parseIsoDate(text: string): number {
  return ISO_DATE.test(text) ? Date.parse(text) : Number.NaN;
}

/** Checks a stream selection; also used by `read({ streams })`. Returns problems, one per bad entry. */
export function streamSelectionProblems(streams: readonly unknown[], option: string): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  if (streams.length === 0) problems.push(`${option} is empty: name at least one stream, or leave it out to read all.`);
  for (const name of streams) {
    if (typeof name !== 'string') {
      problems.push(`${option} holds ${JSON.stringify(name)}, which is not a stream name.`);
    } else if (Object.hasOwn(REMOVED_STREAMS, name)) {
      problems.push(`${option}: "${name}" is not available. ${REMOVED_STREAMS[name]}`);
    } else if (!isStreamName(name)) {
      problems.push(`${option}: unknown stream "${name}". Known streams: ${STREAM_NAMES.join(', ')}.`);
    } else if (seen.has(name)) {
      problems.push(`${option} names "${name}" twice.`);
    }
    if (typeof name === 'string') seen.add(name);
  }
  return problems;
}

function rate(name: string) {
  return z
    .number({ error: `${name} must be a number of requests per second.` })
    .refine((n) => Number.isFinite(n) && n > 0 && n <= MAX_RATE, {
      error: `${name} must be greater than 0 and at most ${MAX_RATE} (Stripe allows 100 per second in live mode, 25 in test mode).`,
    })
    .optional();
}

const optionsSchema = z.object({
  apiKey: z.unknown(),
  accountId: z
    .string({ error: 'accountId must be a string like "acct_1Nv0FGQ9RKHgCVdK".' })
    .regex(/^acct_[A-Za-z0-9]+$/, { error: 'accountId must look like "acct_1Nv0FGQ9RKHgCVdK" (acct_ followed by letters and digits).' })
    .optional(),
  accounts: z
    .union([
      z.literal('all'),
      z.array(z.string().regex(/^acct_[A-Za-z0-9]+$/), { error: 'accounts must list ids like "acct_1Nv0FGQ9RKHgCVdK".' }).min(1, { error: 'accounts must list at least one account, or be "all".' }),
    ], { error: 'accounts must be "all" or an array of connected account ids ("acct_...").' })
    .optional(),
  accountConcurrency: z
    .number({ error: 'accountConcurrency must be a number.' })
    .int({ error: 'accountConcurrency must be a whole number.' })
    .min(1, { error: 'accountConcurrency must be at least 1.' })
    .max(100, { error: 'accountConcurrency must be at most 100.' })
    .optional(),
  streams: z.array(z.unknown(), { error: 'streams must be an array of stream names.' }).optional(),
  startDate: z.union([z.date(), z.string()], { error: 'startDate must be a Date or an ISO 8601 string such as "2024-01-01T00:00:00Z".' }).optional(),
  maxRequestsPerSecond: rate('maxRequestsPerSecond'),
  maxRequestsPerSecondPerEndpoint: rate('maxRequestsPerSecondPerEndpoint'),
  baseUrl: z.string({ error: 'baseUrl must be a string URL such as "https://api.stripe.com".' }).optional(),
  rateLimit: z
    .object({
      redis: z.custom<unknown>(
        (v) => (typeof v === 'string' && /^rediss?:\/\//.test(v)) || (typeof v === 'object' && v !== null),
        { error: 'rateLimit.redis must be an ioredis client or a redis:// URL.' },
      ),
      key: z.string().regex(/^[A-Za-z0-9:_.-]{1,100}$/, { error: 'rateLimit.key must be 1 to 100 letters, digits or : _ . -' }).optional(),
    }, { error: 'rateLimit must be { redis: ioredisClientOrUrl, key? }.' })
    .strict()
    .optional(),
  timeoutMs: z
    .number({ error: 'timeoutMs must be a number of milliseconds.' })
    .int({ error: 'timeoutMs must be a whole number of milliseconds.' })
    .min(100, { error: 'timeoutMs must be at least 100 ms.' })
    .max(600_000, { error: 'timeoutMs must be at most 600,000 ms (10 minutes).' })
    .optional(),
  maxRetries: z
    .number({ error: 'maxRetries must be a number.' })
    .int({ error: 'maxRetries must be a whole number.' })
    .min(0, { error: 'maxRetries must be 0 or more.' })
    .max(50, { error: 'maxRetries must be at most 50.' })
    .optional(),
  minRetryDelayMs: z
    .number({ error: 'minRetryDelayMs must be a number of milliseconds.' })
    .min(0, { error: 'minRetryDelayMs must be 0 or more.' })
    .max(60_000, { error: 'minRetryDelayMs must be at most 60,000 ms.' })
    .optional(),
  updates: z.enum(['event', 'refetch'], { error: 'updates must be "event" or "refetch".' }).optional(),
  eventLagSeconds: z
    .number({ error: 'eventLagSeconds must be a number of seconds.' })
    .int({ error: 'eventLagSeconds must be a whole number of seconds.' })
    .min(0, { error: 'eventLagSeconds must be 0 or more.' })
    .max(86_400, { error: 'eventLagSeconds must be at most 86,400 (one day).' })
    .optional(),
  onExpiredCursor: z.enum(['resync', 'error'], { error: 'onExpiredCursor must be "resync" or "error".' }).optional(),
  relistIntervalSeconds: z
    .number({ error: 'relistIntervalSeconds must be a number of seconds.' })
    .int({ error: 'relistIntervalSeconds must be a whole number of seconds.' })
    .min(0, { error: 'relistIntervalSeconds must be 0 or more.' })
    .max(31 * 86_400, { error: 'relistIntervalSeconds must be at most 2,678,400 (31 days).' })
    .optional(),
  now: z.custom<() => number>((v) => typeof v === 'function', { error: 'now must be a function returning milliseconds since the epoch.' }).optional(),
});

const KNOWN_OPTIONS = new Set(Object.keys(optionsSchema.shape));

/** Validates options before anything is sent; every problem is listed in one ConfigError. */
export function resolveConfig(input: unknown): ResolvedConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigError(['options must be an object such as { apiKey: process.env.STRIPE_API_KEY }.']);
  }
  const problems: string[] = [];
  for (const key of Object.keys(input)) {
    if (!KNOWN_OPTIONS.has(key)) problems.push(`unknown option "${key}". Known options: ${[...KNOWN_OPTIONS].join(', ')}.`);
  }
  const parsed = optionsSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(issue.message);
  }
  const raw = input as Record<string, unknown>;
  const key = parseApiKey(raw.apiKey);
  if ('problem' in key) problems.push(key.problem);

  if (Array.isArray(raw.streams)) problems.push(...streamSelectionProblems(raw.streams, 'streams'));
  if (raw.accounts !== undefined && raw.accountId !== undefined) {
    problems.push('accounts and accountId cannot be used together: accountId reads one account, accounts fans out over several. Keep one.');
  }
  if (Array.isArray(raw.accounts)) {
    const seen = new Set<unknown>();
    for (const id of raw.accounts) {
      if (seen.has(id)) problems.push(`accounts lists ${String(id)} twice.`);
      seen.add(id);
    }
  }
  if (raw.accountConcurrency !== undefined && raw.accounts === undefined) problems.push('accountConcurrency only applies with accounts.');

  const now = typeof raw.now === 'function' ? (raw.now as () => number) : Date.now;
  let startSeconds = 0;
  if (raw.startDate instanceof Date || typeof raw.startDate === 'string') {
    const ms = raw.startDate instanceof Date ? raw.startDate.getTime() : parseIsoDate(raw.startDate);
    if (Number.isNaN(ms)) {
      problems.push('startDate is not a valid date: use a Date, or an ISO 8601 date ("2024-01-01") or date and time with its offset ("2024-01-01T00:00:00Z").');
    } else if (ms > now()) {
      problems.push(`startDate ${new Date(ms).toISOString()} is in the future: nothing could be read. Use a past date, or leave it out to read all history.`);
    } else if (ms < 0) {
      problems.push('startDate is before 1970: leave it out to read all history.');
    } else {
      startSeconds = Math.floor(ms / 1000);
    }
  }

  let baseUrl = new URL('https://api.stripe.com');
  if (typeof raw.baseUrl === 'string') {
    try {
      baseUrl = new URL(raw.baseUrl);
      if (baseUrl.protocol !== 'https:' && baseUrl.protocol !== 'http:') {
        problems.push(`baseUrl must use http or https, not ${baseUrl.protocol}`);
      } else if (baseUrl.pathname !== '/' || baseUrl.search || baseUrl.hash) {
        problems.push('baseUrl must be an origin only, such as "http://127.0.0.1:12111" (no path, query or fragment).');
      }
    } catch {
      problems.push('baseUrl is not a valid URL: use an origin such as "https://api.stripe.com" or "http://127.0.0.1:12111".');
    }
  }

  if (problems.length > 0 || !parsed.success || 'problem' in key) throw new ConfigError(problems);
  const options = parsed.data;
  const mode = key.mode;
  // Stripe's own limits: 100 requests/s live, 25 in test mode, 25 per endpoint. The in-process throttle never
  // lets more than its rate into one sliding second (with 10 ms to spare), so it can run at them; buckets
  // shared through Redis pace by spacing alone, across processes, and keep 4% to spare.
  const spare = options.rateLimit ? 0.96 : 1;
  const defaultGlobal = Math.round((mode === 'live' ? 100 : 25) * spare);
  const defaultPerEndpoint = Math.round(25 * spare);
  return {
    apiKey: raw.apiKey as string,
    mode,
    keyKind: key.kind,
    accountId: options.accountId,
    accounts: options.accounts,
    accountConcurrency: options.accountConcurrency ?? 16,
    streams: (options.streams as StreamName[] | undefined) ?? defaultStreams({ connect: options.accounts !== undefined }),
    startSeconds,
    maxRequestsPerSecond: options.maxRequestsPerSecond ?? defaultGlobal,
    maxRequestsPerSecondPerEndpoint: options.maxRequestsPerSecondPerEndpoint ?? defaultPerEndpoint,
    baseUrl,
    rateLimit: options.rateLimit ? { redis: options.rateLimit.redis, key: options.rateLimit.key } : undefined,
    timeoutMs: options.timeoutMs ?? 60_000,
    maxRetries: options.maxRetries ?? 8,
    minRetryDelayMs: options.minRetryDelayMs ?? 500,
    updates: options.updates ?? 'event',
    eventLagSeconds: options.eventLagSeconds ?? 60,
    onExpiredCursor: options.onExpiredCursor ?? 'resync',
    relistIntervalSeconds: options.relistIntervalSeconds,
    now,
  };
}
