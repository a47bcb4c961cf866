import { describe, expect, it } from 'vitest';
import { StripeApiError } from '../../src/errors.js';
import { parseListPage, takeListPage } from '../../src/read/list-page.js';

const context = { stream: 'charges', path: '/v1/charges', objectType: 'charge', requestId: 'req_123' };
const charge = (id: string) => ({ id, object: 'charge', created: 1 });

describe('parseListPage', () => {
  it('accepts a Stripe list and hands back its objects untouched', () => {
    const a = charge('ch_1');
    const page = parseListPage({ object: 'list', data: [a], has_more: false, url: '/v1/charges' }, context);
    expect(page).toEqual({ data: [a], hasMore: false });
    expect(page.data[0]).toBe(a);
  });

  it.each([
    ['not JSON object', 'oops', /not a usable list/],
    ['a list without data', { object: 'list', has_more: false }, /data/],
    ['another envelope', { object: 'search_result', data: [], has_more: false }, /object/],
    ['has_more missing', { object: 'list', data: [] }, /has_more/],
    ['has_more on an empty page', { object: 'list', data: [], has_more: true }, /has_more is true on an empty page/],
    ['an object without id', { object: 'list', data: [{ object: 'charge' }], has_more: false }, /data\.0 has no id/],
    ['an item that is not an object', { object: 'list', data: [42], has_more: false }, /data\.0 is not an object/],
    ['an unknown object type', { object: 'list', data: [{ id: 'cus_1', object: 'customer' }], has_more: false }, /"customer" \(cus_1\) where "charge" was expected/],
  ])('refuses %s with a StripeApiError naming the stream and request id', (_name, body, says) => {
    let error: unknown;
    try {
      parseListPage(body, context);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StripeApiError);
    expect((error as StripeApiError).stream).toBe('charges');
    expect((error as StripeApiError).requestId).toBe('req_123');
    expect((error as Error).message).toMatch(says);
    expect((error as Error).message).toMatch(/Nothing of it was delivered/);
  });
});

describe('takeListPage', () => {
  it('gives the page and drops the records from the response body, so settled promises holding it keep none', () => {
    const body = { object: 'list', data: [{ id: 'ch_1', object: 'charge' }, { id: 'ch_2', object: 'charge' }], has_more: true, url: '/v1/charges' };
    const result = { body, requestId: 'req_1' };
    const original = body.data;
    const page = takeListPage(result, { stream: 'charges', path: '/v1/charges', objectType: 'charge' });
    // The page's array is its own, not the body's.
    expect(page.data).not.toBe(original);
    expect(page.data.map((r) => r.id)).toEqual(['ch_1', 'ch_2']);
    expect(page.hasMore).toBe(true);
    expect(body.data).toBeUndefined();
  });

  it('leaves a body it refuses as it was, and says which request it was', () => {
    const body = { object: 'list', data: [{ id: 'ch_1', object: 'refund' }], has_more: false };
    expect(() => takeListPage({ body, requestId: 'req_9' }, { stream: 'charges', path: '/v1/charges', objectType: 'charge' })).toThrow(/req_9/);
    expect(body.data).toHaveLength(1);
  });
});
