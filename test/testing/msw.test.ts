import { setupServer } from 'msw/node';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFakeStripe, type FakeStripe } from '../../src/testing/index.js';
import { ids, NOW_MS } from './helpers.js';

// One msw server for the file; each test swaps in its fake's handlers.
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function use(options: Parameters<typeof createFakeStripe>[0] = {}): FakeStripe {
  const fake = createFakeStripe({ now: () => NOW_MS, ...options });
  server.use(...fake.handlers);
  return fake;
}

const get = (fake: FakeStripe, path: string, init: RequestInit = {}) =>
  fetch(`https://api.stripe.com${path}`, { ...init, headers: { Authorization: `Bearer ${fake.apiKey}` } });

describe('msw handlers', () => {
  it('serve https://api.stripe.com to fetch', async () => {
    const fake = use();
    const response = await get(fake, '/v1/customers?limit=3');
    expect(response.status).toBe(200);
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    const body = await response.json() as { data: Array<{ id: string }> };
    expect(ids(body.data)).toEqual(ids(fake.objects('customers').slice(0, 3)));
    const unauthorized = await fetch('https://api.stripe.com/v1/customers');
    expect(unauthorized.status).toBe(401);
  });

  it('serve the official client with its default http client', async () => {
    const fake = use();
    const stripe = new Stripe(fake.apiKey, { maxNetworkRetries: 0 });
    const page = await stripe.subscriptions.list({ limit: 100, status: 'all' });
    expect(ids(page.data)).toEqual(ids(fake.objects('subscriptions')));
    expect(fake.stats.byPath).toEqual({ '/v1/subscriptions': 1 });
  });

  it('act out connection resets, malformed bodies and timeouts', async () => {
    const reset = use({ faults: { probability: 1, kinds: ['connection_reset'] } });
    await expect(get(reset, '/v1/customers')).rejects.toThrow();
    server.resetHandlers();
    const malformed = use({ faults: { probability: 1, kinds: ['malformed_json'] } });
    const response = await get(malformed, '/v1/customers');
    expect(response.status).toBe(200);
    await expect(response.json()).rejects.toThrow();
    server.resetHandlers();
    const hung = use({ faults: { probability: 1, kinds: ['timeout'] } });
    const started = Date.now();
    await expect(get(hung, '/v1/customers', { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });
});
