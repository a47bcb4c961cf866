/**
 * The bad input table's cases, shared by bad-input.test.ts (one test each) and secrets.test.ts (which
 * drives them all with a known key and scans what comes out).
 */
import { expect } from 'vitest';
import {
  AuthenticationError, CheckpointError, ConfigError, PermissionError, StripeApiError, StripeSource, StripeSourceError,
  type Checkpoint, type Message, type StripeSourceOptions,
} from '../../src/index.js';
import { createFakeStripe, type FakeStripe } from '../../src/testing/index.js';
import { untilArrived } from '../support/arrivals.js';
import { collect, NOW_MS, serveWithOverride, type Override } from './helpers.js';

export const SEED = 31;
const RECORDS = { customers: 250 };
type ErrorClass = abstract new (...args: never[]) => StripeSourceError;

export interface Setup {
  readonly fake: FakeStripe;
  readonly url: string;
  source(extra?: Partial<StripeSourceOptions> & Record<string, unknown>): StripeSource;
  /** A checkpoint of this account, taken after the first page of customers (one window, with a cursor). */
  checkpoint(): Promise<Checkpoint>;
}

/** A fake for one case; `observe` sees every source the case makes (secrets.test.ts listens to its events). */
export async function setup(
  override?: (url: URL, body: string) => Override | undefined,
  observe: (source: StripeSource) => void = () => undefined,
): Promise<Setup> {
  const fake = createFakeStripe({ seed: SEED, records: RECORDS, now: () => NOW_MS });
  const url = await serveWithOverride(fake, override ?? (() => undefined));
  const source = (extra: Partial<StripeSourceOptions> & Record<string, unknown> = {}) => {
    const made = new StripeSource({
      apiKey: fake.apiKey, baseUrl: url, now: () => NOW_MS, minRetryDelayMs: 1, maxRetries: 1,
      maxRequestsPerSecond: 1000, maxRequestsPerSecondPerEndpoint: 1000, ...extra,
    } as StripeSourceOptions);
    observe(made);
    return made;
  };
  return {
    fake,
    url,
    source,
    async checkpoint() {
      const first = source();
      let sent = 0;
      first.on('request', () => (sent += 1));
      const { checkpoint } = await firstCursor(first);
      // The counters start afresh only once every request sent before the read stopped has arrived.
      await untilArrived(fake, sent);
      fake.stats.reset();
      return checkpoint;
    },
  };
}

/** Reads customers up to the first checkpoint whose window has a cursor; returns what came until then. */
export async function firstCursor(source: StripeSource): Promise<{ messages: Message[]; checkpoint: Checkpoint }> {
  const messages: Message[] = [];
  for await (const m of source.read({ streams: ['customers'] })) {
    messages.push(m);
    if (m.type === 'checkpoint' && m.checkpoint.streams.customers!.partitions['']!.pending.some((w) => w.after)) {
      return { messages, checkpoint: m.checkpoint };
    }
  }
  throw new Error('no checkpoint with a cursor: the account is too small');
}

export interface Case {
  readonly name: string;
  readonly error: ErrorClass;
  /** What the message must say: what is wrong, and what to do. */
  readonly says: readonly RegExp[];
  /** Requests that may reach Stripe: 0 for bad options and damaged checkpoints. */
  readonly requests: number | 'some';
  /** A body for some requests instead of the fake's. */
  readonly override?: (url: URL, body: string) => Override | undefined;
  run(s: Setup): Promise<unknown>;
  /** Extra checks on the error. */
  check?(error: StripeSourceError, s: Setup): void;
}

/** The error a construction or a read ends in (undefined when none). */
async function failure(run: () => Promise<unknown> | unknown): Promise<unknown> {
  try {
    await run();
    return undefined;
  } catch (error) {
    return error;
  }
}

const construct = (options: Record<string, unknown>) => (s: Setup) => failure(() => s.source(options));
const readWith = (options: Parameters<StripeSource['read']>[0]) => (s: Setup) => failure(() => collect(s.source().read(options)));
/** Reads customers from a checkpoint changed by `damage` (a copy of a real one). */
const resume = (damage: (cp: Record<string, unknown>) => unknown) => async (s: Setup) => {
  const cp = structuredClone(await s.checkpoint()) as unknown as Record<string, unknown>;
  return failure(() => collect(s.source().read({ streams: ['customers'], checkpoint: damage(cp) })));
};
type Window = { gte: number; lt: number; after?: { id: string; created: number } };
const firstWindow = (cp: Record<string, unknown>): Window =>
  (cp as unknown as Checkpoint).streams.customers!.partitions['']!.pending.find((w) => w.after) as Window;

/** A customers list page changed by `edit` (the fake's own page, parsed). */
const customersPage = (edit: (page: { object: string; data: Array<Record<string, unknown>>; has_more: boolean }) => unknown) =>
  (url: URL, body: string): Override | undefined => {
    if (url.pathname !== '/v1/customers') return undefined;
    const page = JSON.parse(body) as { object: string; data: Array<Record<string, unknown>>; has_more: boolean };
    const edited = edit(page);
    return { body: typeof edited === 'string' ? edited : JSON.stringify(edited ?? page) };
  };
const readCustomers = (s: Setup) => failure(() => collect(s.source().read({ streams: ['customers'] })));
const LIST_ADVICE = [/is not a usable list/, /Nothing of it was delivered/, /if a proxy sits between you and Stripe, check it/, /\[Stripe request id: req_/];

export const CASES: Case[] = [
  // ── options: ConfigError from the constructor, nothing sent ──
  { name: 'options: apiKey missing', error: ConfigError, requests: 0, says: [/apiKey is required/, /dashboard\.stripe\.com\/apikeys/], run: construct({ apiKey: undefined }) },
  { name: 'options: apiKey empty', error: ConfigError, requests: 0, says: [/apiKey is required/, /Create a secret or a read-only restricted key/], run: construct({ apiKey: '' }) },
  { name: 'options: apiKey padded with a newline (from a file)', error: ConfigError, requests: 0, says: [/whitespace/, /trim it/], run: (s) => failure(() => s.source({ apiKey: `${s.fake.apiKey}\n` })) },
  { name: 'options: apiKey padded with spaces', error: ConfigError, requests: 0, says: [/whitespace/, /trim it/], run: (s) => failure(() => s.source({ apiKey: `  ${s.fake.apiKey}` })) },
  { name: 'options: publishable key', error: ConfigError, requests: 0, says: [/publishable key/, /Use a secret or restricted key instead/], run: construct({ apiKey: 'pk_test_51PublishableKey0123456789' }) },
  { name: 'options: malformed key (punctuation)', error: ConfigError, requests: 0, says: [/not a Stripe secret or restricted key/, /must start with sk_live_/], run: construct({ apiKey: 'sk_test_51abc$def' }) },
  { name: 'options: key pasted with its "Bearer " prefix', error: ConfigError, requests: 0, says: [/must start with sk_live_, sk_test_, rk_live_ or rk_test_/], run: (s) => failure(() => s.source({ apiKey: `Bearer ${s.fake.apiKey}` })) },
  { name: 'options: unknown stream', error: ConfigError, requests: 0, says: [/unknown stream "custmers"/, /Known streams:/], run: construct({ streams: ['custmers'] }) },
  { name: 'options: duplicate stream', error: ConfigError, requests: 0, says: [/names "charges" twice/], run: construct({ streams: ['charges', 'customers', 'charges'] }) },
  { name: 'options: removed stream', error: ConfigError, requests: 0, says: [/"usage_record_summaries" is not available/, /Billing Meters/], run: construct({ streams: ['usage_record_summaries'] }) },
  { name: 'options: invalid startDate', error: ConfigError, requests: 0, says: [/startDate is not a valid date/, /ISO 8601/], run: construct({ startDate: '2024-13-45' }) },
  { name: 'options: future startDate', error: ConfigError, requests: 0, says: [/is in the future/, /Use a past date, or leave it out/], run: construct({ startDate: new Date(NOW_MS + 86_400_000) }) },
  { name: 'options: zero rate', error: ConfigError, requests: 0, says: [/maxRequestsPerSecond must be greater than 0/, /Stripe allows 100 per second in live mode, 25 in test mode/], run: construct({ maxRequestsPerSecond: 0 }) },
  { name: 'options: negative per-endpoint rate', error: ConfigError, requests: 0, says: [/maxRequestsPerSecondPerEndpoint must be greater than 0/], run: construct({ maxRequestsPerSecondPerEndpoint: -1 }) },
  { name: 'options: absurd rate', error: ConfigError, requests: 0, says: [/at most 10000/], run: construct({ maxRequestsPerSecond: 5e6 }) },
  { name: 'options: malformed accountId', error: ConfigError, requests: 0, says: [/accountId must look like "acct_/], run: construct({ accountId: 'acct_' }) },
  { name: 'options: bad updates', error: ConfigError, requests: 0, says: [/updates must be "event" or "refetch"/], run: construct({ updates: 'poll' }) },
  { name: 'options: negative eventLagSeconds', error: ConfigError, requests: 0, says: [/eventLagSeconds must be 0 or more/], run: construct({ eventLagSeconds: -30 }) },
  { name: 'options: fractional eventLagSeconds', error: ConfigError, requests: 0, says: [/eventLagSeconds must be a whole number of seconds/], run: construct({ eventLagSeconds: 1.5 }) },
  { name: 'options: bad onExpiredCursor', error: ConfigError, requests: 0, says: [/onExpiredCursor must be "resync" or "error"/], run: construct({ onExpiredCursor: 'ignore' }) },
  { name: 'options: absurd maxRetries', error: ConfigError, requests: 0, says: [/maxRetries must be at most 50/], run: construct({ maxRetries: 1000 }) },
  { name: 'options: misspelt option', error: ConfigError, requests: 0, says: [/unknown option "startdate"/, /Known options:/], run: construct({ startdate: '2024-01-01' }) },

  // ── read() arguments: ConfigError on the first iteration, nothing sent ──
  { name: 'read: unknown stream', error: ConfigError, requests: 0, says: [/read\(\{ streams \}\): unknown stream "nope"/], run: readWith({ streams: ['nope' as never] }) },
  { name: 'read: duplicate stream', error: ConfigError, requests: 0, says: [/read\(\{ streams \}\) names "customers" twice/], run: readWith({ streams: ['customers', 'customers'] }) },
  { name: 'read: empty streams', error: ConfigError, requests: 0, says: [/read\(\{ streams \}\) is empty/, /name at least one stream/] , run: readWith({ streams: [] }) },
  { name: 'read: pollIntervalMs without follow', error: ConfigError, requests: 0, says: [/pollIntervalMs/, /only applies with follow: true/], run: readWith({ streams: ['customers'], pollIntervalMs: 1000 }) },

  // ── checkpoints: CheckpointError; damaged ones before any request ──
  { name: 'checkpoint: truncated JSON', error: CheckpointError, requests: 0, says: [/not valid JSON/, /is it truncated\?/, /Restore the last complete copy/], run: resume((cp) => JSON.stringify(cp).slice(0, 60)) },
  { name: 'checkpoint: an array', error: CheckpointError, requests: 0, says: [/not an array/, /call read\(\) without a checkpoint/], run: resume((cp) => [cp]) },
  { name: 'checkpoint: unknown version', error: CheckpointError, requests: 0, says: [/version 7/, /reads version 1/, /Use the stripe-source release that wrote it/], run: resume((cp) => ({ ...cp, version: 7 })) },
  { name: 'checkpoint: no version', error: CheckpointError, requests: 0, says: [/version none/], run: resume(({ version: _v, ...rest }) => rest) },
  { name: 'checkpoint: a window bound of the wrong type', error: CheckpointError, requests: 0, says: [/damaged/, /streams\.customers\.partitions\.""\.pending\.0\.gte/, /Restore the last complete copy/], run: resume((cp) => {
    (firstWindow(cp) as unknown as Record<string, unknown>).gte = '0';
    return cp;
  }) },
  { name: 'checkpoint: pending is not a list', error: CheckpointError, requests: 0, says: [/damaged/, /pending/], run: resume((cp) => {
    (cp as unknown as Checkpoint).streams.customers!.partitions['']!.pending = {} as never;
    return cp;
  }) },
  { name: 'checkpoint: a cursor id of the wrong type', error: CheckpointError, requests: 0, says: [/damaged/, /after\.id/], run: resume((cp) => {
    firstWindow(cp).after!.id = 42 as never;
    return cp;
  }) },
  { name: 'checkpoint: an empty window (gte >= lt)', error: CheckpointError, requests: 0, says: [/damaged/, /gte < lt/], run: resume((cp) => {
    const w = firstWindow(cp);
    w.gte = w.lt;
    return cp;
  }) },
  { name: 'checkpoint: a cursor outside its window', error: CheckpointError, requests: 0, says: [/damaged/, /cursor must lie inside the window/], run: resume((cp) => {
    const w = firstWindow(cp);
    w.after!.created = w.lt + 10;
    return cp;
  }) },
  { name: 'checkpoint: an unknown field', error: CheckpointError, requests: 0, says: [/damaged/, /cursor/], run: resume((cp) => ({ ...cp, cursor: 'x' })) },
  { name: 'checkpoint: an unknown stream', error: CheckpointError, requests: 0, says: [/unknown stream "orders"/, /not written by this stripe-source/], run: resume((cp) => {
    (cp as unknown as Checkpoint).streams.orders = (cp as unknown as Checkpoint).streams.customers!;
    return cp;
  }) },
  { name: 'checkpoint: a malformed account id', error: CheckpointError, requests: 0, says: [/damaged/, /account/], run: resume((cp) => ({ ...cp, account: 'acct-1' })) },
  // Binding is checked right after GET /v1/account, before any data is read.
  { name: 'checkpoint: another account', error: CheckpointError, requests: 1, says: [/belongs to account acct_1SomeoneElse0000/, /Use the checkpoint stored for acct_/], run: resume((cp) => ({ ...cp, account: 'acct_1SomeoneElse0000' })) },
  { name: 'checkpoint: another mode', error: CheckpointError, requests: 1, says: [/made in live mode, but the key is a test key/, /Use the checkpoint that belongs to this key's mode/], run: resume((cp) => ({ ...cp, livemode: true })) },

  // ── responses: a page that breaks Stripe's list contract stops the read; nothing of it is delivered ──
  { name: 'response: not JSON', error: StripeApiError, requests: 'some', says: [/Invalid JSON/, /It was tried 2 times; resume from the last checkpoint/], override: (url) => (url.pathname === '/v1/customers' ? { body: 'OK' } : undefined), run: readCustomers },
  { name: 'response: an HTML page with status 200 (a captive portal)', error: StripeApiError, requests: 'some', says: [/Invalid JSON/, /resume from the last checkpoint/], override: (url) => (url.pathname === '/v1/customers' ? { body: '<html><body>Sign in to the Wi-Fi</body></html>', headers: { 'Content-Type': 'text/html' } } : undefined), run: readCustomers },
  { name: 'response: a list without data', error: StripeApiError, requests: 'some', says: [/data:/, ...LIST_ADVICE], override: customersPage(({ data: _d, ...rest }) => rest), run: readCustomers },
  { name: 'response: data is not an array', error: StripeApiError, requests: 'some', says: [/data:/, ...LIST_ADVICE], override: customersPage((page) => ({ ...page, data: { 0: page.data[0] } })), run: readCustomers },
  { name: 'response: an object without id', error: StripeApiError, requests: 'some', says: [/data\.3 has no id/, ...LIST_ADVICE], override: customersPage((page) => {
    delete page.data[3]!.id;
  }), run: readCustomers },
  { name: 'response: an object without a type', error: StripeApiError, requests: 'some', says: [/has no object type/, ...LIST_ADVICE], override: customersPage((page) => {
    delete page.data[0]!.object;
  }), run: readCustomers },
  { name: 'response: has_more on an empty page', error: StripeApiError, requests: 'some', says: [/has_more is true on an empty page/, ...LIST_ADVICE], override: customersPage((page) => ({ ...page, data: [], has_more: true })), run: readCustomers },
  { name: 'response: an unknown object type', error: StripeApiError, requests: 'some', says: [/an object of type "widget"/, /where "customer" was expected/, ...LIST_ADVICE], override: customersPage((page) => {
    page.data[5]!.object = 'widget';
  }), run: readCustomers },
  { name: 'response: a single object instead of a list', error: StripeApiError, requests: 'some', says: [/object:/, ...LIST_ADVICE], override: customersPage((page) => page.data[0]), run: readCustomers },
  { name: 'response: an object outside the requested created range', error: StripeApiError, requests: 'some', says: [/outside the requested range/, /the list filter was ignored/], override: customersPage((page) => {
    page.data[1]!.created = 5;
  }), run: readCustomers },
  { name: 'response: an object without created', error: StripeApiError, requests: 'some', says: [/without an integer "created"/], override: customersPage((page) => {
    delete page.data[2]!.created;
  }), run: readCustomers },
  { name: 'response: /v1/account without an account id', error: StripeApiError, requests: 'some', says: [/without an account id/, /check that baseUrl points at Stripe/], override: (url) => (url.pathname === '/v1/account' ? { body: '{"object":"account"}' } : undefined), run: readCustomers },
  { name: 'response: 404 for a list (baseUrl at something else)', error: StripeApiError, requests: 'some', says: [/Stripe answered 404/, /Check that baseUrl points at Stripe/], override: (url) => (url.pathname === '/v1/customers' ? { status: 404, body: '{"error":{"type":"invalid_request_error","message":"Unrecognized request URL (GET: /v1/customers)."}}' } : undefined), run: readCustomers, check: (e) => expect(e.statusCode).toBe(404) },
  { name: 'response: 400 for a list', error: StripeApiError, requests: 'some', says: [/Stripe answered 400 \(parameter_unknown\)/, /report it with the request id/], override: (url) => (url.pathname === '/v1/customers' ? { status: 400, body: '{"error":{"type":"invalid_request_error","code":"parameter_unknown","param":"created","message":"Received unknown parameter: created"}}' } : undefined), run: readCustomers, check: (e) => expect(e.code).toBe('parameter_unknown') },
  { name: 'response: a live key unknown to a test account (401)', error: AuthenticationError, requests: 'some', says: [/Stripe rejected the API key \(401\)/, /sk_live_\*\*\*\*/, /Check that the key is current and not revoked/], run: (s) => failure(() => collect(s.source({ apiKey: 'sk_live_51WrongModeKey00000000000000' }).read({ streams: ['customers'] }))) },
  { name: 'response: accountId of an account the key cannot reach (403)', error: PermissionError, requests: 'some', says: [/does not have access to account/, /check accountId, or that the platform still connects it/], run: (s) => failure(() => collect(s.source({ accountId: 'acct_1NotConnected000' }).read({ streams: ['customers'] }))), check: (e) => expect(e.code).toBe('account_invalid') },
];

