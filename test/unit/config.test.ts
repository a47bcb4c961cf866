import { describe, expect, it } from 'vitest';
import { STREAM_NAMES } from '../../src/catalog/streams.js';
import { parseApiKey, resolveConfig, streamSelectionProblems } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

/** A realistic test-mode secret key: it must never appear in any error. */
const KEY = 'sk_test_51KnownSecretKeyABCDEFGHijkl1234';
const LIVE_KEY = 'sk_live_51KnownSecretKeyABCDEFGHijkl5678';
const NOW_MS = Date.UTC(2026, 9, 15, 12, 0, 0);

/** Runs resolveConfig, which must throw a ConfigError, and returns that error. */
function configError(input: unknown): ConfigError {
  let caught: unknown;
  try {
    resolveConfig(input);
  } catch (error) {
    caught = error;
  }
  expect(caught, 'resolveConfig should have thrown').toBeInstanceOf(ConfigError);
  return caught as ConfigError;
}

function expectNoKey(error: ConfigError, key: string = KEY): void {
  expect(error.message).not.toContain(key);
  for (const issue of error.issues) expect(issue).not.toContain(key);
  expect(JSON.stringify(error.issues)).not.toContain(key);
}

interface BadCase {
  readonly name: string;
  readonly input: Record<string, unknown>;
  /** What the message must say: the option and what to do about it. */
  readonly says: readonly RegExp[];
}

const base = { apiKey: KEY, now: () => NOW_MS };

const BAD_CASES: readonly BadCase[] = [
  // apiKey
  { name: 'missing apiKey', input: { now: () => NOW_MS }, says: [/apiKey is required/, /sk_live_\/sk_test_/, /dashboard\.stripe\.com\/apikeys/] },
  { name: 'empty apiKey', input: { ...base, apiKey: '' }, says: [/apiKey is required/, /dashboard\.stripe\.com\/apikeys/] },
  { name: 'apiKey with leading space', input: { ...base, apiKey: ` ${KEY}` }, says: [/apiKey has leading or trailing whitespace/, /trim it/] },
  { name: 'apiKey with trailing space', input: { ...base, apiKey: `${KEY} ` }, says: [/whitespace/, /trim it/] },
  { name: 'apiKey with trailing newline', input: { ...base, apiKey: `${KEY}\n` }, says: [/newline/, /trim it/] },
  { name: 'apiKey with leading tab and CRLF', input: { ...base, apiKey: `\t${KEY}\r\n` }, says: [/whitespace/, /trim it/] },
  { name: 'publishable test key', input: { ...base, apiKey: 'pk_test_51KnownPublishableKeyABCDEF' }, says: [/publishable key/, /cannot read data/, /secret or restricted key/] },
  { name: 'publishable live key', input: { ...base, apiKey: 'pk_live_51KnownPublishableKeyABCDEF' }, says: [/publishable key/, /secret or restricted key/] },
  { name: 'prefix only (sk_test_)', input: { ...base, apiKey: 'sk_test_' }, says: [/not a Stripe secret or restricted key/, /must start with sk_live_, sk_test_, rk_live_ or rk_test_/] },
  { name: 'key with a dash (sk_test_abc-def)', input: { ...base, apiKey: 'sk_test_abc-def' }, says: [/letters and digits only/] },
  { name: 'unknown prefix (xx_test_abc)', input: { ...base, apiKey: 'xx_test_abc' }, says: [/must start with sk_live_/] },
  { name: 'upper-case prefix (SK_TEST_)', input: { ...base, apiKey: 'SK_TEST_51KnownSecretKeyABCDEFGHijkl1234' }, says: [/must start with sk_live_/] },
  { name: 'non-string apiKey (number)', input: { ...base, apiKey: 12345 }, says: [/apiKey/, /sk_live_\/sk_test_/] },
  { name: 'non-string apiKey (object)', input: { ...base, apiKey: { key: KEY } }, says: [/apiKey/, /dashboard\.stripe\.com\/apikeys/] },

  // streams
  { name: 'unknown stream', input: { ...base, streams: ['customers', 'cusotmers'] }, says: [/unknown stream "cusotmers"/, /Known streams: customers, charges/] },
  { name: 'duplicate stream', input: { ...base, streams: ['customers', 'charges', 'customers'] }, says: [/streams names "customers" twice/] },
  { name: 'empty streams array', input: { ...base, streams: [] }, says: [/streams is empty/, /name at least one stream, or leave it out/] },
  { name: 'removed stream order_returns', input: { ...base, streams: ['order_returns'] }, says: [/"order_returns" is not available/, /Orders API/, /2022/, /select "refunds" and "credit_notes"/] },
  { name: 'removed stream usage_record_summaries', input: { ...base, streams: ['usage_record_summaries'] }, says: [/"usage_record_summaries" is not available/, /2025-03-31\.basil/, /Billing Meters/] },
  { name: 'streams is a string', input: { ...base, streams: 'customers' }, says: [/streams must be an array of stream names/] },
  { name: 'streams holds a number', input: { ...base, streams: ['customers', 42] }, says: [/streams holds 42, which is not a stream name/] },

  // startDate
  { name: 'invalid startDate string', input: { ...base, startDate: 'yesterday-ish' }, says: [/startDate is not a valid date/, /ISO 8601/] },
  { name: 'invalid Date object', input: { ...base, startDate: new Date(Number.NaN) }, says: [/startDate/, /ISO 8601/] },
  { name: 'future startDate', input: { ...base, startDate: '2027-01-01T00:00:00Z' }, says: [/startDate 2027-01-01T00:00:00\.000Z is in the future/, /Use a past date, or leave it out/] },
  { name: 'pre-1970 startDate', input: { ...base, startDate: '1969-07-20T20:17:00Z' }, says: [/startDate is before 1970/, /leave it out to read all history/] },
  { name: 'numeric startDate', input: { ...base, startDate: 1_700_000_000 }, says: [/startDate must be a Date or an ISO 8601 string/] },

  // rates
  { name: 'zero maxRequestsPerSecond', input: { ...base, maxRequestsPerSecond: 0 }, says: [/maxRequestsPerSecond must be greater than 0/, /Stripe allows 100 per second/] },
  { name: 'negative maxRequestsPerSecondPerEndpoint', input: { ...base, maxRequestsPerSecondPerEndpoint: -5 }, says: [/maxRequestsPerSecondPerEndpoint must be greater than 0/] },
  { name: 'NaN maxRequestsPerSecond', input: { ...base, maxRequestsPerSecond: Number.NaN }, says: [/maxRequestsPerSecond must be/] },
  { name: 'Infinity maxRequestsPerSecondPerEndpoint', input: { ...base, maxRequestsPerSecondPerEndpoint: Infinity }, says: [/maxRequestsPerSecondPerEndpoint must be/] },
  { name: 'absurd maxRequestsPerSecond (1e9)', input: { ...base, maxRequestsPerSecond: 1e9 }, says: [/at most 10000/] },
  { name: 'string maxRequestsPerSecond', input: { ...base, maxRequestsPerSecond: '25' }, says: [/maxRequestsPerSecond must be a number of requests per second/] },

  // timeouts and retries
  { name: 'timeoutMs too small', input: { ...base, timeoutMs: 50 }, says: [/timeoutMs must be at least 100 ms/] },
  { name: 'timeoutMs not an integer', input: { ...base, timeoutMs: 1500.5 }, says: [/timeoutMs must be a whole number of milliseconds/] },
  { name: 'timeoutMs too large', input: { ...base, timeoutMs: 3_600_000 }, says: [/timeoutMs must be at most 600,000 ms/] },
  { name: 'maxRetries negative', input: { ...base, maxRetries: -1 }, says: [/maxRetries must be 0 or more/] },
  { name: 'minRetryDelayMs negative', input: { ...base, minRetryDelayMs: -10 }, says: [/minRetryDelayMs must be 0 or more/] },

  // accountId
  { name: 'accountId with a dash (acct-123)', input: { ...base, accountId: 'acct-123' }, says: [/accountId must look like "acct_/] },
  { name: 'accountId of a customer (cus_123)', input: { ...base, accountId: 'cus_123' }, says: [/accountId must look like "acct_/] },
  { name: 'accountId is a number', input: { ...base, accountId: 123 }, says: [/accountId must be a string like "acct_/] },

  // other options
  { name: 'unknown option', input: { ...base, maxRequestPerSecond: 10 }, says: [/unknown option "maxRequestPerSecond"/, /Known options: apiKey, .*maxRequestsPerSecond/] },
  { name: 'now is not a function', input: { ...base, now: 1234 }, says: [/now must be a function/] },
  { name: 'baseUrl not a URL', input: { ...base, baseUrl: 'localhost:12111' }, says: [/baseUrl/] },
  { name: 'baseUrl garbage', input: { ...base, baseUrl: 'not a url' }, says: [/baseUrl is not a valid URL/, /such as "https:\/\/api\.stripe\.com"/] },
  { name: 'baseUrl with ftp:', input: { ...base, baseUrl: 'ftp://files.example.com' }, says: [/baseUrl must use http or https, not ftp:/] },
  { name: 'baseUrl with a path', input: { ...base, baseUrl: 'https://api.stripe.com/v1' }, says: [/baseUrl must be an origin only/, /no path, query or fragment/] },
  { name: 'baseUrl with a query', input: { ...base, baseUrl: 'http://127.0.0.1:12111/?x=1' }, says: [/baseUrl must be an origin only/] },
  { name: 'baseUrl not a string', input: { ...base, baseUrl: new URL('https://api.stripe.com') }, says: [/baseUrl must be a string URL/] },
];

describe('resolveConfig: bad input', () => {
  it('has at least 25 cases', () => {
    expect(BAD_CASES.length).toBeGreaterThanOrEqual(25);
  });

  for (const c of BAD_CASES) {
    it(`rejects ${c.name}`, () => {
      const error = configError(c.input);
      expect(error.name).toBe('ConfigError');
      expect(error.message.startsWith('Invalid stripe-source options')).toBe(true);
      expect(error.issues.length).toBeGreaterThanOrEqual(1);
      for (const says of c.says) expect(error.message).toMatch(says);
      // Every issue also appears in the message.
      for (const issue of error.issues) expect(error.message).toContain(issue);
      expectNoKey(error);
      if (typeof c.input.apiKey === 'string' && c.input.apiKey.length > 12) {
        // Neither the trimmed nor the padded key is echoed back.
        expectNoKey(error, c.input.apiKey.trim());
      }
    });
  }

  it('rejects options that are not an object', () => {
    for (const input of [undefined, null, KEY, 42, [KEY]]) {
      const error = configError(input);
      expect(error.name).toBe('ConfigError');
      expect(error.message).toMatch(/options must be an object such as \{ apiKey: process\.env\.STRIPE_API_KEY \}/);
      expectNoKey(error);
    }
  });

  it('lists several problems at once, in one error', () => {
    const error = configError({
      apiKey: `${KEY}\n`,
      streams: ['customers', 'order_returns', 'nope'],
      startDate: 'not a date',
      maxRequestsPerSecond: 0,
      timeoutMs: 10,
      accountId: 'cus_123',
      baseUrl: 'ftp://x.example',
      colour: 'blue',
      now: () => NOW_MS,
    });
    expect(error.issues).toHaveLength(9);
    const all = error.issues.join('\n');
    for (const want of [/unknown option "colour"/, /maxRequestsPerSecond/, /timeoutMs/, /accountId/, /whitespace/, /order_returns/, /unknown stream "nope"/, /startDate is not a valid date/, /baseUrl must use http or https/]) {
      expect(all).toMatch(want);
    }
    expect(error.message).toMatch(/^Invalid stripe-source options:\n- /);
    expect(error.message.split('\n- ')).toHaveLength(10);
    expectNoKey(error);
  });

  it('never puts the key in an error when the key itself is wrong in several ways', () => {
    const error = configError({ apiKey: ` ${LIVE_KEY} `, maxRetries: -1 });
    expect(error.issues).toHaveLength(2);
    expectNoKey(error, LIVE_KEY);
  });

  it('uses the custom clock for the future check', () => {
    const now = () => Date.UTC(2020, 0, 1);
    const error = configError({ apiKey: KEY, now, startDate: '2020-06-01T00:00:00Z' });
    expect(error.message).toMatch(/startDate 2020-06-01T00:00:00\.000Z is in the future/);
    // In the clock's past (though in the real future of a slow clock), accepted.
    const later = () => Date.UTC(2031, 0, 1);
    expect(resolveConfig({ apiKey: KEY, now: later, startDate: '2030-01-01T00:00:00Z' }).startSeconds).toBe(Date.UTC(2030, 0, 1) / 1000);
  });

  // Regression test (this was a bug, now fixed): REMOVED_STREAMS is a plain object literal looked up with REMOVED_STREAMS[name], so names of
  // Object.prototype members ('toString', 'constructor', '__proto__', 'hasOwnProperty') are treated as removed
  // streams and the message prints the function's source: `streams: "toString" is not available. function toString() { [native code] }`.
  // Expected: `unknown stream "toString"`, like any other unknown name.
  it('treats Object.prototype names as unknown streams, not removed ones', () => {
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      const problems = streamSelectionProblems([name], 'streams');
      expect(problems).toEqual([expect.stringContaining(`unknown stream "${name}"`)]);
      expect(problems[0]).not.toMatch(/native code|\[object Object\]/);
    }
  });

  // Regression test (this was a bug, now fixed): ConfigError redacts its message (StripeSourceError runs redactSecrets) but not `issues`, which keeps
  // the raw lines. A key pasted where a stream name or option name belongs (e.g. a CLI `--streams` argument
  // swapped with the key) comes back verbatim in error.issues:
  //   resolveConfig({ apiKey: KEY, streams: [KEY] }).issues[0] === 'streams: unknown stream "sk_test_51Known..."'
  it('keeps the key out of issues when it is pasted into streams', () => {
    const error = configError({ apiKey: KEY, streams: [KEY] });
    expect(error.message).not.toContain(KEY); // passes: the message is redacted
    expectNoKey(error); // fails: issues are not
  });

  it('keeps the key out of issues when it is used as an option name', () => {
    const error = configError({ apiKey: KEY, [KEY]: true });
    expectNoKey(error);
  });

  // Regression test (this was a bug, now fixed): startDate is documented as "a Date or an ISO 8601 string", but it is parsed with Date.parse, which
  // in V8 accepts almost anything with a number in it: '1' becomes 2001-01-01 (local time) and 'hello 2020'
  // becomes 2020-01-01 (local time). A typo silently moves the start of the sync instead of being a ConfigError.
  it('rejects startDate strings that are not ISO 8601 ("1", "hello 2020")', () => {
    for (const startDate of ['1', 'hello 2020']) {
      configError({ apiKey: KEY, now: () => NOW_MS, startDate });
    }
  });
});

describe('resolveConfig: good input', () => {
  it('defaults a test key to Stripe\'s test limits: 25 requests per second globally and 25 per endpoint', () => {
    const config = resolveConfig({ apiKey: KEY });
    expect(config.mode).toBe('test');
    expect(config.keyKind).toBe('secret');
    expect(config.maxRequestsPerSecond).toBe(25);
    expect(config.maxRequestsPerSecondPerEndpoint).toBe(25);
    expect(config.apiKey).toBe(KEY);
  });

  it('defaults a live key to Stripe\'s live limits: 100 requests per second globally and 25 per endpoint', () => {
    const config = resolveConfig({ apiKey: LIVE_KEY });
    expect(config.mode).toBe('live');
    expect(config.maxRequestsPerSecond).toBe(100);
    expect(config.maxRequestsPerSecondPerEndpoint).toBe(25);
  });

  it('keeps 4% to spare by default when the buckets are shared through Redis (they pace by spacing alone)', () => {
    const redis = 'redis://127.0.0.1:6379';
    expect(resolveConfig({ apiKey: LIVE_KEY, rateLimit: { redis } })).toMatchObject({ maxRequestsPerSecond: 96, maxRequestsPerSecondPerEndpoint: 24 });
    expect(resolveConfig({ apiKey: KEY, rateLimit: { redis } })).toMatchObject({ maxRequestsPerSecond: 24, maxRequestsPerSecondPerEndpoint: 24 });
  });

  it('fills every other default', () => {
    const config = resolveConfig({ apiKey: KEY });
    // Every stream but the platform's list of connected accounts, which Stripe refuses to non-platforms.
    expect(config.streams).toEqual(STREAM_NAMES.filter((s) => s !== 'accounts'));
    expect(resolveConfig({ apiKey: KEY, accounts: 'all' }).streams).toEqual(STREAM_NAMES);
    expect(config.startSeconds).toBe(0);
    expect(config.accountId).toBeUndefined();
    expect(config.baseUrl.href).toBe('https://api.stripe.com/');
    expect(config.timeoutMs).toBe(60_000);
    expect(config.maxRetries).toBe(8);
    expect(config.minRetryDelayMs).toBe(500);
    expect(config.now).toBe(Date.now);
  });

  it.each([
    ['sk_live_abc123', 'live', 'secret'],
    ['sk_test_abc123', 'test', 'secret'],
    ['rk_live_abc123', 'live', 'restricted'],
    ['rk_test_abc123', 'test', 'restricted'],
  ] as const)('reads mode and kind from %s', (key, mode, kind) => {
    expect(parseApiKey(key)).toEqual({ mode, kind });
    const config = resolveConfig({ apiKey: key });
    expect(config.mode).toBe(mode);
    expect(config.keyKind).toBe(kind);
  });

  it('does not hard-code a key length', () => {
    expect(parseApiKey('sk_test_a')).toEqual({ mode: 'test', kind: 'secret' });
    expect(parseApiKey(`rk_live_${'A1'.repeat(100)}`)).toEqual({ mode: 'live', kind: 'restricted' });
  });

  it('parses startDate strings and Dates to whole seconds', () => {
    const now = () => NOW_MS;
    expect(resolveConfig({ apiKey: KEY, now, startDate: '2024-01-01T00:00:00Z' }).startSeconds).toBe(1_704_067_200);
    expect(resolveConfig({ apiKey: KEY, now, startDate: '2024-01-01T00:00:00.999Z' }).startSeconds).toBe(1_704_067_200);
    expect(resolveConfig({ apiKey: KEY, now, startDate: '2024-01-01T02:00:00+02:00' }).startSeconds).toBe(1_704_067_200);
    expect(resolveConfig({ apiKey: KEY, now, startDate: new Date(1_704_067_200_500) }).startSeconds).toBe(1_704_067_200);
    expect(resolveConfig({ apiKey: KEY, now, startDate: '1970-01-01T00:00:00Z' }).startSeconds).toBe(0);
    // The current instant itself is not in the future.
    expect(resolveConfig({ apiKey: KEY, now, startDate: new Date(NOW_MS) }).startSeconds).toBe(NOW_MS / 1000);
  });

  it('keeps the options it was given', () => {
    const now = () => NOW_MS;
    const config = resolveConfig({
      apiKey: KEY,
      accountId: 'acct_1Nv0FGQ9RKHgCVdK',
      streams: ['charges', 'customers'],
      maxRequestsPerSecond: 10,
      maxRequestsPerSecondPerEndpoint: 2.5,
      baseUrl: 'http://127.0.0.1:12111',
      timeoutMs: 100,
      maxRetries: 0,
      minRetryDelayMs: 0,
      now,
    });
    expect(config).toMatchObject({
      accountId: 'acct_1Nv0FGQ9RKHgCVdK',
      streams: ['charges', 'customers'],
      maxRequestsPerSecond: 10,
      maxRequestsPerSecondPerEndpoint: 2.5,
      timeoutMs: 100,
      maxRetries: 0,
      minRetryDelayMs: 0,
    });
    expect(config.baseUrl.origin).toBe('http://127.0.0.1:12111');
    expect(config.now).toBe(now);
  });

  it('accepts a baseUrl with a trailing slash', () => {
    expect(resolveConfig({ apiKey: KEY, baseUrl: 'https://api.stripe.com/' }).baseUrl.host).toBe('api.stripe.com');
  });
});

describe('streamSelectionProblems', () => {
  it('returns nothing for a good selection', () => {
    expect(streamSelectionProblems(['customers', 'charges', 'invoice_line_items'], 'read({ streams })')).toEqual([]);
  });

  it('names the option it was given, one problem per bad entry', () => {
    const problems = streamSelectionProblems(['customers', 'x', 'customers', 'order_returns', null], 'read({ streams })');
    expect(problems).toHaveLength(4);
    for (const p of problems) expect(p.startsWith('read({ streams })')).toBe(true);
  });
});

describe('Connect options', () => {
  const KEY_ = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc';
  it.each([
    [{ accounts: 'some' }, /accounts must be "all" or an array/],
    [{ accounts: [] }, /at least one account/],
    [{ accounts: ['acct_1', 'acct_1'] }, /lists acct_1 twice/],
    [{ accounts: ['cus_1'] }, /acct_/],
    [{ accounts: 'all', accountId: 'acct_1' }, /cannot be used together/],
    [{ accountConcurrency: 4 }, /only applies with accounts/],
    [{ accounts: 'all', accountConcurrency: 0 }, /at least 1/],
    [{ rateLimit: { redis: 'http://x' } }, /redis:\/\/ URL/],
    [{ rateLimit: { redis: 'redis://127.0.0.1:6379', key: 'bad key!' } }, /rateLimit.key/],
    [{ rateLimit: { redis: 'redis://127.0.0.1:6379', extra: 1 } }, /rateLimit/],
  ])('%j is refused with a message that says what to do', (options, message) => {
    expect(() => resolveConfig({ apiKey: KEY_, ...options })).toThrow(message);
  });

  it('accepts a platform fan-out and a shared rate limit', () => {
    const config = resolveConfig({ apiKey: KEY_, accounts: ['acct_1A', 'acct_2B'], accountConcurrency: 3, rateLimit: { redis: 'redis://127.0.0.1:6379', key: 'shop:stripe' } });
    expect(config.accounts).toEqual(['acct_1A', 'acct_2B']);
    expect(config.accountConcurrency).toBe(3);
    expect(config.rateLimit).toEqual({ redis: 'redis://127.0.0.1:6379', key: 'shop:stripe' });
  });
});
