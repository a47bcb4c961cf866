/**
 * The bad input table: options, checkpoints and responses that are wrong, one test each. Every case ends in
 * its typed error with a message that says what was wrong and what to do; bad options and damaged
 * checkpoints send no request at all. (Pure option parsing is covered case by case in
 * test/unit/config.test.ts; here every case runs against a live fake, which counts what reached it.)
 */
import { describe, expect, it } from 'vitest';
import { StripeApiError, type StripeSourceError } from '../../src/index.js';
import { CASES, firstCursor, setup } from './bad-input-cases.js';
import { applyMessages, collect, expectExact, expectOnlyGets, truth } from './helpers.js';

describe('bad input table', () => {
  it('has at least 40 cases, each named once', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const s = await setup(c.override);
    const error = await c.run(s);
    expect(error, 'expected an error').toBeInstanceOf(c.error);
    const e = error as StripeSourceError;
    expect(e.name).toBe(c.error.name);
    for (const pattern of c.says) expect(e.message).toMatch(pattern);
    expect(e.message).not.toContain(s.fake.apiKey);
    if (c.requests === 0) expect(s.fake.stats.total, 'requests sent').toBe(0);
    else if (c.requests === 'some') expect(s.fake.stats.total).toBeGreaterThan(0);
    else {
      expect(s.fake.stats.total).toBe(c.requests);
      expect(s.fake.stats.byPath).toEqual({ '/v1/account': c.requests });
    }
    if (c.error === StripeApiError && c.override) {
      // Errors about a request name its stream and Stripe's request id.
      expect(e.stream).toBe(c.name.includes('/v1/account') ? 'account' : 'customers');
      if (!c.name.includes('/v1/account') && !c.name.includes('created')) expect(e.requestId).toMatch(/^req_/);
    }
    c.check?.(e, s);
    expectOnlyGets(s.fake);
  });

  it.each([404, 400])('a cursor Stripe rejects with %i (its object deleted since the checkpoint) is no error: the second is read again, nothing skipped', async (status) => {
    // Stripe refuses a deleted object as `starting_after` ("No such customer", resource_missing; seen with
    // 400 as well as 404); the fake still pages from it, so the refusal is served on top of the fake.
    const deleted = new Set<string>();
    const s = await setup((url) => {
      const after = url.searchParams.get('starting_after');
      if (after === null || !deleted.has(after)) return undefined;
      return {
        status,
        body: JSON.stringify({ error: { type: 'invalid_request_error', code: 'resource_missing', param: 'starting_after', message: `No such customer: '${after}'` } }),
      };
    });
    const { messages, checkpoint: cp } = await firstCursor(s.source());
    const cursor = cp.streams.customers!.partitions['']!.pending.find((w) => w.after)!.after!;
    s.fake.del('customers', cursor.id);
    deleted.add(cursor.id);
    s.fake.stats.reset();
    const source = s.source();
    const warnings: string[] = [];
    source.on('warning', (w) => warnings.push(w.code));
    const rest = await collect(source.read({ streams: ['customers'], checkpoint: cp }));
    expect(warnings).toContain('cursor_lost');
    expect(s.fake.stats.byStatus['200']).toBe(s.fake.stats.total); // the fake answered; the refusal came on top
    const tables = applyMessages(rest, applyMessages(messages));
    tables.get('customers')!.delete(cursor.id);
    expectExact(tables, truth(s.fake, ['customers']));
    expectOnlyGets(s.fake);
  });
});

