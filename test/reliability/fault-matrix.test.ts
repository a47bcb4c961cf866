/**
 * The fault matrix: every kind of failure Stripe or the network produces, injected by the fake at 20% of
 * requests, against a sync of parents and their children. Transient faults must be retried until the
 * delivered set equals the fake's truth; faults Stripe says not to retry must stop the read with a typed
 * error naming the stream and the request id. Either way no half page is yielded, and nothing is yielded
 * that no checkpoint covers.
 */
import { describe, expect, it } from 'vitest';
import { StripeApiError, type Checkpoint, type Message, type StreamName } from '../../src/index.js';
import { createFakeStripe, type FaultKind } from '../../src/testing/index.js';
import {
  applyMessages, collect, expectExact, expectOnlyGets, expectWholePages, NOW_MS, pages, startFake, truth,
} from './helpers.js';

const STREAMS: StreamName[] = [
  'customers', 'invoices', 'invoice_line_items', 'subscriptions', 'subscription_items', 'setup_intents', 'setup_attempts',
];
const RECORDS = { customers: 250, invoices: 120, subscriptions: 50, setup_intents: 40 };
const RATE = 0.2;
/** Quick retries, a short request timeout (for `timeout` and `hung`), enough tries for 20% faults. */
const FAST = { maxRetries: 10, minRetryDelayMs: 1, timeoutMs: 250 } as const;

interface Case {
  readonly kinds: FaultKind[];
  /** Where the fake counts the injected faults (`stats.byStatus`). */
  readonly counted: string[];
  /** `reason` of the retry events they cause. */
  readonly reasons: string[];
}

const TRANSIENT: Record<string, Case> = {
  'rate_limit (429)': { kinds: ['rate_limit'], counted: ['429'], reasons: ['rate_limit'] },
  'lock_timeout (429)': { kinds: ['lock_timeout'], counted: ['429'], reasons: ['lock_timeout'] },
  'server_error (500)': { kinds: ['server_error'], counted: ['500'], reasons: ['server_error'] },
  'bad_gateway (502)': { kinds: ['bad_gateway'], counted: ['502'], reasons: ['server_error'] },
  'service_unavailable (503)': { kinds: ['service_unavailable'], counted: ['503'], reasons: ['server_error'] },
  'connection_reset mid-body': { kinds: ['connection_reset'], counted: ['connection_reset'], reasons: ['network'] },
  'timeout (no answer)': { kinds: ['timeout'], counted: ['timeout'], reasons: ['network'] },
  'hung response (body stalls)': { kinds: ['hung'], counted: ['hung'], reasons: ['network'] },
  'malformed_json': { kinds: ['malformed_json'], counted: ['200'], reasons: ['malformed_response'] },
  'truncated_json (cut after a whole record)': { kinds: ['truncated_json'], counted: ['200'], reasons: ['malformed_response'] },
  'html_error page (502)': { kinds: ['html_error'], counted: ['502'], reasons: ['malformed_response'] },
  'every transient kind at once': {
    kinds: ['rate_limit', 'lock_timeout', 'server_error', 'bad_gateway', 'service_unavailable', 'connection_reset', 'timeout', 'hung',
      'malformed_json', 'truncated_json', 'html_error'],
    counted: [],
    reasons: ['server_error', 'network'],
  },
};

/** The read ended well: its last message is a checkpoint, so nothing delivered is left uncovered. */
function expectCoveredToTheEnd(messages: readonly Message[]): void {
  expect(messages.at(-1)?.type).toBe('checkpoint');
}

describe('fault matrix: transient faults at 20% of requests are retried, and the sync is exact', () => {
  it.each(Object.entries(TRANSIENT))('%s', async (_name, c) => {
    const { fake, source } = await startFake({ seed: 11, records: RECORDS, faults: { probability: RATE, kinds: c.kinds } });
    const s = source(FAST);
    const reasons = new Set<string>();
    let retries = 0;
    s.on('retry', (e) => {
      reasons.add(e.reason);
      retries += 1;
    });
    const messages = await collect(s.read({ streams: STREAMS }));

    expectExact(applyMessages(messages), truth(fake, STREAMS));
    expectWholePages(messages, fake, STREAMS);
    expectCoveredToTheEnd(messages);
    // The faults happened, and were survived by retrying.
    for (const status of c.counted) expect(fake.stats.byStatus[status] ?? 0, `faults counted as ${status}`).toBeGreaterThan(0);
    for (const reason of c.reasons) expect([...reasons], 'retry reasons').toContain(reason);
    // Several kinds met at once (each kind alone is proven above).
    if (c.kinds.length > 1) expect(Object.keys(fake.stats.byStatus).filter((k) => k !== '200').length).toBeGreaterThanOrEqual(4);
    // About one request in five failed (at least one in ten, whatever the draws), each failure retried.
    expect(retries / fake.stats.total).toBeGreaterThan(0.1);
    expectOnlyGets(fake);
  });

  it('rate_limit bursts from Stripe\'s own limiter (a source allowed far more than the account) end exact', async () => {
    const streams: StreamName[] = ['customers', 'invoices', 'invoice_line_items'];
    const { fake, source } = await startFake({ seed: 12, records: RECORDS, rateLimit: { global: 25, perEndpoint: 6 } });
    const s = source({ ...FAST, maxRequestsPerSecond: 1000, maxRequestsPerSecondPerEndpoint: 1000 });
    let limited = 0;
    s.on('rate_limited', () => (limited += 1));
    const messages = await collect(s.read({ streams }));
    expectExact(applyMessages(messages), truth(fake, streams));
    expectWholePages(messages, fake, streams);
    expectCoveredToTheEnd(messages);
    expect(fake.stats.byStatus['429'] ?? 0).toBeGreaterThan(0);
    expect(limited).toBe(fake.stats.byStatus['429']);
    expectOnlyGets(fake);
  });

  it('a parent deleted between its page and its children\'s request: the rest is exact, no child is half read', async () => {
    const { fake, source } = await startFake({ seed: 13, records: RECORDS });
    const s = source(FAST);
    const gone = new Set<string>();
    let childRequests = 0;
    let n = 0;
    const warnings: string[] = [];
    s.on('warning', (w) => warnings.push(w.code));
    // The `request` event fires just before the request goes out: delete the parent it names, one in three.
    s.on('request', (e) => {
      const id = /^\/v1\/invoices\/(in_[A-Za-z0-9]+)\/lines/.exec(e.path)?.[1] ?? /[?&]setup_intent=(seti_[A-Za-z0-9]+)/.exec(e.path)?.[1];
      if (!id || e.attempt !== 1) return;
      childRequests += 1;
      if (n++ % 3 !== 0 || gone.has(id)) return;
      fake.del(id.startsWith('in_') ? 'invoices' : 'setup_intents', id);
      gone.add(id);
    });
    const messages = await collect(s.read({ streams: STREAMS }));
    expect(childRequests).toBeGreaterThan(6);
    expect(gone.size).toBeGreaterThan(2);
    expect(warnings).toContain('parent_gone');

    // Everything that still exists came exactly; a deleted parent may come (read before it went), but never
    // with part of its children, and none of its children came from a child list.
    const tables = applyMessages(messages);
    const expected = truth(fake, STREAMS);
    for (const id of gone) {
      const stream = id.startsWith('in_') ? 'invoices' : 'setup_intents';
      tables.get(stream)?.delete(id);
    }
    for (const [stream, rows] of tables) {
      for (const id of [...rows.keys()]) {
        const record = JSON.parse(rows.get(id)!) as Record<string, unknown>;
        if (gone.has(record.invoice as string) || gone.has(record.setup_intent as string)) rows.delete(id);
      }
      void stream;
    }
    expectExact(tables, expected);
    expectWholePages(messages, fake, STREAMS, gone);
    expectCoveredToTheEnd(messages);
    expectOnlyGets(fake);
  });
});

describe('fault matrix: faults Stripe says not to retry', () => {
  it('a 5xx with Stripe-Should-Retry: false ends the read in a StripeApiError naming the stream and request id, after whole pages only', async () => {
    const faults = { probability: RATE, kinds: ['no_retry_server_error'] as FaultKind[], paths: ['/v1/customers', '/v1/invoices'] };
    const { fake, source } = await startFake({ seed: 14, records: RECORDS, faults });
    const s = source(FAST);
    const attempts: number[] = [];
    const retries: string[] = [];
    s.on('request', (e) => attempts.push(e.attempt));
    s.on('retry', (e) => retries.push(e.reason));
    const messages: Message[] = [];
    const iterator = s.read({ streams: STREAMS });
    const error = await (async () => {
      for await (const m of iterator) messages.push(m);
    })().then(() => undefined, (e: unknown) => e);

    expect(error).toBeInstanceOf(StripeApiError);
    const e = error as StripeApiError;
    expect(e.name).toBe('StripeApiError');
    expect(['customers', 'invoices', 'invoice_line_items']).toContain(e.stream);
    expect(e.statusCode).toBe(500);
    expect(e.requestId).toMatch(/^req_[A-Za-z0-9]+$/);
    expect(e.message).toContain(`stream "${e.stream}"`);
    expect(e.message).toContain(`[Stripe request id: ${e.requestId}]`);
    // Not retried: every request was sent once.
    expect(retries).toEqual([]);
    expect(Math.max(...attempts)).toBe(1);
    // The read yields nothing after the error, and everything before it is covered by a checkpoint.
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    if (messages.length > 0) expectCoveredToTheEnd(messages);
    expectWholePages(messages, fake, STREAMS);

    // The last checkpoint resumes the sync against a Stripe that has healed: the union is exact.
    const last = [...messages].reverse().find((m): m is Extract<Message, { type: 'checkpoint' }> => m.type === 'checkpoint');
    const healed = await startFake({ seed: 14, records: RECORDS });
    const rest = await collect(healed.source(FAST).read({ streams: STREAMS, checkpoint: last?.checkpoint }));
    expectExact(applyMessages(rest, applyMessages(messages)), truth(healed.fake, STREAMS));
    expectOnlyGets(fake);
    expectOnlyGets(healed.fake);
  });

  it('every failed read (one per kind that never heals) leaves its last checkpoint covering all it yielded', async () => {
    // Faults on every request of one stream: each transient kind exhausts its retries, then the read stops.
    const kinds: FaultKind[] = ['server_error', 'rate_limit', 'connection_reset', 'truncated_json', 'hung', 'no_retry_server_error'];
    for (const kind of kinds) {
      const { fake, source } = await startFake({
        seed: 15, records: RECORDS, faults: { probability: 1, kinds: [kind], paths: ['/v1/subscription_items'] },
      });
      const messages: Message[] = [];
      const error = await (async () => {
        for await (const m of source({ ...FAST, maxRetries: 1, timeoutMs: 200 }).read({ streams: STREAMS })) messages.push(m);
      })().then(() => undefined, (e: unknown) => e);
      expect((error as Error | undefined)?.name, kind).toMatch(/^(StripeApiError|RateLimitError)$/);
      expect((error as StripeApiError).stream, kind).toBe('subscription_items');
      if (kind !== 'connection_reset' && kind !== 'hung') expect((error as StripeApiError).requestId, kind).toMatch(/^req_/);
      const groups = pages(messages);
      expect(groups.every((g) => g.after !== undefined || g.records.length === 0), `${kind}: records after the last checkpoint`).toBe(true);
      expectWholePages(messages, fake, STREAMS);
      // Nothing of the failing pass was delivered: no subscription without all its items.
      expect(messages.some((m) => m.type === 'record' && m.stream === 'subscription_items'), kind).toBe(false);
      expectOnlyGets(fake);
    }
  });
});

describe('fault matrix: the checks can fail', () => {
  it('a half page, a page without all its children, or records after the last checkpoint are caught', async () => {
    const { fake, source } = await startFake({ seed: 11, records: RECORDS });
    const messages = await collect(source(FAST).read({ streams: STREAMS }));
    expectWholePages(messages, fake, STREAMS);
    // A checkpoint moved into the middle of a full page of 100 customers.
    const full = pages(messages).find((g) => g.records.filter((m) => m.type === 'record' && m.stream === 'customers').length === 100)!;
    const start = messages.indexOf(full.records[0]!);
    const halfPage = [...messages.slice(0, start + 50), messages[start + 100]!, ...messages.slice(start + 50)];
    expect(() => expectWholePages(halfPage, fake, STREAMS)).toThrow();
    // One invoice line left out of its page.
    const line = messages.findIndex((m) => m.type === 'record' && m.stream === 'invoice_line_items');
    expect(() => expectWholePages(messages.filter((_, i) => i !== line), fake, STREAMS)).toThrow();
    // Records after the last checkpoint.
    expect(() => expectWholePages([...messages, messages[start]!], fake, STREAMS)).toThrow();
  });
});

describe('fault matrix: the fake injects what it says', () => {
  it('the same seed fails the same requests whatever the kind, so each case above is reproducible', async () => {
    const statuses = async () => {
      const fake = createFakeStripe({ seed: 11, records: RECORDS, now: () => NOW_MS, faults: { probability: RATE, kinds: ['server_error'] } });
      const out: number[] = [];
      for (let i = 0; i < 50; i++) {
        out.push((await fake.handle({ method: 'GET', url: '/v1/customers?limit=100', headers: { Authorization: `Bearer ${fake.apiKey}` } })).status);
      }
      return out;
    };
    const first = await statuses();
    expect(first.filter((s) => s === 500).length).toBeGreaterThan(3);
    expect(await statuses()).toEqual(first);
  });
});

export type { Checkpoint };
