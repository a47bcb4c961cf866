/**
 * The fake's options, checked up front with zod: a typo (`rateLimits`) or a count for a derived stream
 * fails at once with every problem listed, instead of a fake that silently behaves otherwise.
 */
import { z } from 'zod';
import { STREAMS, type StreamName } from '../catalog/streams.js';
import { ConfigError } from '../errors.js';
import { FAULT_KINDS, TRANSIENT_FAULT_KINDS, type CreatedDistribution, type FakeStripeOptions, type FaultKind } from './types.js';

/** The version stripe@23 pins, written on events unless told otherwise. */
export const DEFAULT_EVENT_API_VERSION = '2026-10-28.endive';
export const DEFAULT_RECORDS_PER_STREAM = 15;
/** Stripe's test-mode limits, for a `rateLimit` object that leaves one out. */
export const DEFAULT_RATE_LIMIT = { global: 25, perEndpoint: 25 } as const;
const THREE_YEARS_SECONDS = 3 * 365 * 24 * 60 * 60;

/** Streams whose counts a user sets: not children (they come from parents), not events (from objects). */
export const GENERATED_STREAMS: readonly StreamName[] = STREAMS.filter((s) => !('parent' in s) && s.name !== 'events')
  .map((s) => s.name);

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
});

const skewSchema = z.strictObject({
  skew: z.strictObject({ shareInOneDay: z.number().min(0).max(1), inOneSecond: count }),
});

/** A union's issues would say only "Invalid input"; these name the field that is wrong. */
function createdDistributionIssues(value: unknown): string[] {
  if (value === undefined || value === 'default') return [];
  const expected = "expected 'default' or { skew: { shareInOneDay: 0..1, inOneSecond: a count } }";
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [`fake.createdDistribution: ${expected}, got ${JSON.stringify(value)}`];
  }
  const parsed = skewSchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${['fake.createdDistribution', ...i.path].join('.')}: ${i.message}`);
}

export function normalizeOptions(options: FakeStripeOptions = {}): NormalizedOptions {
  const parsed = schema.safeParse(options);
  const issues = parsed.success ? [] : parsed.error.issues.map((i) => `${['fake', ...i.path].join('.')}: ${i.message}`);
  issues.push(...createdDistributionIssues(options.createdDistribution));
  for (const name of Object.keys(options.records ?? {})) {
    if (!GENERATED_STREAMS.includes(name as StreamName)) {
      issues.push(`fake.records.${name}: not a stream whose count can be set; counts apply to ${GENERATED_STREAMS.join(', ')} ` +
        '(children come from their parents, events from recent objects)');
    }
  }
  const latency = typeof options.latencyMs === 'number' ? { median: options.latencyMs, p99: undefined } : options.latencyMs;
  if (latency?.p99 !== undefined && latency.p99 < latency.median) issues.push('fake.latencyMs.p99: must be >= median');
  const now = options.now ?? Date.now;
  const nowSeconds = Math.floor(now() / 1000);
  if (options.startDate !== undefined && options.startDate > nowSeconds) {
    issues.push(`fake.startDate: ${options.startDate} is after the clock's now (${nowSeconds})`);
  }
  if (issues.length > 0) throw new ConfigError(issues);

  const records = new Map<StreamName, number>(GENERATED_STREAMS.map((s) => [s, DEFAULT_RECORDS_PER_STREAM]));
  for (const [name, n] of Object.entries(options.records ?? {})) records.set(name as StreamName, n);
  const rateLimit = options.rateLimit
    ? {
      global: options.rateLimit.global ?? DEFAULT_RATE_LIMIT.global,
      perEndpoint: options.rateLimit.perEndpoint ?? DEFAULT_RATE_LIMIT.perEndpoint,
    }
    : false;
  return {
    seed: options.seed ?? 1,
    records,
    startDate: options.startDate ?? nowSeconds - THREE_YEARS_SECONDS,
    createdDistribution: options.createdDistribution ?? 'default',
    latency: { median: latency?.median ?? 0, p99: latency?.p99 },
    rateLimit,
    faults: {
      probability: options.faults?.probability ?? 0,
      kinds: options.faults?.kinds ?? TRANSIENT_FAULT_KINDS,
      paths: options.faults?.paths,
    },
    now,
    eventApiVersion: options.eventApiVersion ?? DEFAULT_EVENT_API_VERSION,
  };
}
