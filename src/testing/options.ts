/**
 * The fake's options, checked up front with zod: a typo (`rateLimits`) or a count for a derived stream
 * fails at once with every problem listed, instead of a fake that silently behaves otherwise.
 */
import { z } from 'zod';
import { STREAMS, getStream, type StreamName } from '../catalog/streams.js';
import { ConfigError } from '../errors.js';
import { platformAccountId } from './keys.js';
import { FAULT_KINDS, TRANSIENT_FAULT_KINDS, type CreatedDistribution, type FakeStripeOptions, type FaultKind } from './types.js';

/** The version stripe@23 pins, written on events unless told otherwise. */
export const DEFAULT_EVENT_API_VERSION = '2026-10-28.endive';
export const DEFAULT_RECORDS_PER_STREAM = 15;
/** Stripe's test-mode limits, for a `rateLimit` object that leaves one out. */
export const DEFAULT_RATE_LIMIT = { global: 25, perEndpoint: 25 } as const;
const THREE_YEARS_SECONDS = 3 * 365 * 24 * 60 * 60;

/**
 * Streams whose counts a user sets: not children (they come from parents), not events (from objects), not
 * the platform's connected accounts (from the `accounts` option, one object per account).
 */
export const GENERATED_STREAMS: readonly StreamName[] = STREAMS
  .filter((s) => s.parent === undefined && s.name !== 'events' && s.path !== '/v1/accounts')
  .map((s) => s.name);

/**
 * A connected account's default counts: 15 per stream like the platform, but none of the platform-scoped
 * streams (transfers to connected accounts, application fees): those are the platform's own business.
 */
const CONNECTED_DEFAULT_STREAMS: readonly StreamName[] = GENERATED_STREAMS.filter((s) => getStream(s).scope !== 'platform');

/** Stripe's account ids: `acct_` and letters and digits. */
const ACCOUNT_ID = /^acct_[A-Za-z0-9]+$/;

export interface NormalizedAccount {
  readonly records: ReadonlyMap<StreamName, number>;
  readonly startDate: number;
  readonly createdDistribution: CreatedDistribution;
}

export interface NormalizedOptions {
  readonly seed: number;
  readonly records: ReadonlyMap<StreamName, number>;
  readonly startDate: number;
  readonly createdDistribution: CreatedDistribution;
  readonly latency: { readonly median: number; readonly p99: number | undefined };
  readonly rateLimit: { readonly global: number; readonly perEndpoint: number } | false;
  readonly faults: { readonly probability: number; readonly kinds: readonly FaultKind[]; readonly paths: readonly string[] | undefined };
  readonly now: () => number;
  readonly eventApiVersion: string;
  /** Connected accounts by id, in the order given; empty without the `accounts` option. */
  readonly accounts: ReadonlyMap<string, NormalizedAccount>;
}

const count = z.number().int().min(0);
const perSecond = z.number().positive();

const schema = z.strictObject({
  seed: z.number().int().optional(),
  records: z.record(z.string(), count).optional(),
  startDate: z.number().int().min(0).optional(),
  createdDistribution: z.unknown().optional(), // checked by createdDistributionIssues, for exact messages
  latencyMs: z.union([
    z.number().min(0),
    z.strictObject({ median: z.number().min(0), p99: z.number().min(0).optional() }),
  ]).optional(),
  rateLimit: z.union([z.literal(false), z.strictObject({ global: perSecond.optional(), perEndpoint: perSecond.optional() })]).optional(),
  faults: z.strictObject({
    probability: z.number().min(0).max(1),
    kinds: z.array(z.enum(FAULT_KINDS as [FaultKind, ...FaultKind[]])).min(1).optional(),
    paths: z.array(z.string().startsWith('/')).optional(),
  }).optional(),
  now: z.custom<() => number>((value) => typeof value === 'function', 'expected a function returning ms').optional(),
  eventApiVersion: z.string().min(1).optional(),
  accounts: z.record(z.string(), z.strictObject({
    records: z.record(z.string(), count).optional(),
    startDate: z.number().int().min(0).optional(),
    createdDistribution: z.unknown().optional(), // checked by createdDistributionIssues
  })).optional(),
});

const skewSchema = z.strictObject({
  skew: z.strictObject({ shareInOneDay: z.number().min(0).max(1), inOneSecond: count }),
});

/** A union's issues would say only "Invalid input"; these name the field that is wrong. */
function createdDistributionIssues(value: unknown, at = 'fake.createdDistribution'): string[] {
  if (value === undefined || value === 'default') return [];
  const expected = "expected 'default' or { skew: { shareInOneDay: 0..1, inOneSecond: a count } }";
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [`${at}: ${expected}, got ${JSON.stringify(value)}`];
  }
  const parsed = skewSchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${[at, ...i.path].join('.')}: ${i.message}`);
}

function recordsIssues(records: unknown, at: string): string[] {
  if (typeof records !== 'object' || records === null) return []; // the schema has said what is wrong
  return Object.keys(records).filter((name) => !GENERATED_STREAMS.includes(name as StreamName)).map((name) =>
    `${at}.${name}: not a stream whose count can be set; counts apply to ${GENERATED_STREAMS.join(', ')} ` +
    (name === 'accounts'
      ? '(connected accounts come from the `accounts` option, one per account)'
      : '(children come from their parents, events from recent objects)'));
}

function startDateIssue(startDate: unknown, nowSeconds: number, at: string): string[] {
  return typeof startDate === 'number' && startDate > nowSeconds ? [`${at}: ${startDate} is after the clock's now (${nowSeconds})`] : [];
}

/** What the schema cannot say: ids shaped like Stripe's and not the platform's own, and each account's fields. */
function accountsIssues(accounts: unknown, platformId: string, nowSeconds: number): string[] {
  if (typeof accounts !== 'object' || accounts === null || Array.isArray(accounts)) return [];
  const issues: string[] = [];
  for (const [id, account] of Object.entries(accounts as Record<string, unknown>)) {
    const at = `fake.accounts.${id}`;
    if (!ACCOUNT_ID.test(id)) issues.push(`${at}: not an account id; expected 'acct_' followed by letters and digits (acct_1Abc...)`);
    else if (id === platformId) issues.push(`${at}: is the platform's own id (fake.accountId); a connected account needs another`);
    if (typeof account !== 'object' || account === null) continue;
    const { records, startDate, createdDistribution } = account as Record<string, unknown>;
    issues.push(...recordsIssues(records, `${at}.records`), ...startDateIssue(startDate, nowSeconds, `${at}.startDate`),
      ...createdDistributionIssues(createdDistribution, `${at}.createdDistribution`));
  }
  return issues;
}

function countsWithDefaults(defaults: readonly StreamName[], given: Partial<Record<StreamName, number>> | undefined): Map<StreamName, number> {
  const records = new Map<StreamName, number>(defaults.map((s) => [s, DEFAULT_RECORDS_PER_STREAM]));
  for (const [name, n] of Object.entries(given ?? {})) records.set(name as StreamName, n);
  return records;
}

export function normalizeOptions(options: FakeStripeOptions = {}): NormalizedOptions {
  const parsed = schema.safeParse(options);
  const issues = parsed.success ? [] : parsed.error.issues.map((i) => `${['fake', ...i.path].join('.')}: ${i.message}`);
  issues.push(...createdDistributionIssues(options.createdDistribution), ...recordsIssues(options.records, 'fake.records'));
  const latency = typeof options.latencyMs === 'number' ? { median: options.latencyMs, p99: undefined } : options.latencyMs;
  if (latency?.p99 !== undefined && latency.p99 < latency.median) issues.push('fake.latencyMs.p99: must be >= median');
  const now = options.now ?? Date.now;
  const nowSeconds = Math.floor(now() / 1000);
  issues.push(...startDateIssue(options.startDate, nowSeconds, 'fake.startDate'));
  const seed = options.seed ?? 1;
  issues.push(...accountsIssues(options.accounts, platformAccountId(seed), nowSeconds));
  if (issues.length > 0) throw new ConfigError(issues);

  const startDate = options.startDate ?? nowSeconds - THREE_YEARS_SECONDS;
  const createdDistribution = options.createdDistribution ?? 'default';
  const accounts = new Map<string, NormalizedAccount>(Object.entries(options.accounts ?? {}).map(([id, account]) => [id, {
    records: countsWithDefaults(CONNECTED_DEFAULT_STREAMS, account.records),
    startDate: account.startDate ?? startDate,
    createdDistribution: account.createdDistribution ?? createdDistribution,
  }]));
  const rateLimit = options.rateLimit
    ? {
      global: options.rateLimit.global ?? DEFAULT_RATE_LIMIT.global,
      perEndpoint: options.rateLimit.perEndpoint ?? DEFAULT_RATE_LIMIT.perEndpoint,
    }
    : false;
  return {
    seed,
    records: countsWithDefaults(GENERATED_STREAMS, options.records),
    startDate,
    createdDistribution,
    latency: { median: latency?.median ?? 0, p99: latency?.p99 },
    rateLimit,
    faults: {
      probability: options.faults?.probability ?? 0,
      kinds: options.faults?.kinds ?? TRANSIENT_FAULT_KINDS,
      paths: options.faults?.paths,
    },
    now,
    eventApiVersion: options.eventApiVersion ?? DEFAULT_EVENT_API_VERSION,
    accounts,
  };
}
