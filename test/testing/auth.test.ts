import { describe, expect, it } from 'vitest';
import { serve } from './helpers.js';

describe('keys, accounts and methods', () => {
  it('answers 401 with Stripe body for a missing or unknown key, never echoing the key', async () => {
    const served = await serve();
    const missing = await served.request('/v1/customers', { key: null });
    expect(missing.status).toBe(401);
    expect(missing.json.error.type).toBe('invalid_request_error');
    expect(missing.json.error.message).toContain('You did not provide an API key');

    const key = 'sk_test_51ThisIsNotTheRightKeyAtAllAbcdWXYZ';
    const wrong = await served.request('/v1/customers', { key });
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual({ error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_****WXYZ' } });
    expect(wrong.text).not.toContain(key);
  });

  it('accepts the key as HTTP Basic user, like curl -u', async () => {
    const served = await serve();
    const basic = Buffer.from(`${served.fake.apiKey}:`).toString('base64');
    const reply = await served.request('/v1/customers', { key: null, headers: { Authorization: `Basic ${basic}` } });
    expect(reply.status).toBe(200);
  });

  it('answers 403 naming the permission for streams a restricted key may not read', async () => {
    const served = await serve();
    const key = served.fake.restrictedKey({ deny: ['subscriptions', 'charges'] });
    expect(key).toMatch(/^rk_test_/);
    const denied = await served.request('/v1/subscriptions', { key });
    expect(denied.status).toBe(403);
    expect(denied.json.error).toEqual({
      type: 'invalid_request_error',
      message: `The provided key 'rk_test_****${key.slice(-4)}' does not have the required permissions for this endpoint on account ` +
        `'${served.fake.accountId}'. Having the 'rak_subscription_read' permission would allow this request to continue.`,
    });
    expect(denied.text).not.toContain(key);
    const sub = served.fake.objects('subscriptions')[0]!;
    expect((await served.request(`/v1/subscription_items?subscription=${sub.id}`, { key })).status).toBe(403); // same permission
    expect((await served.request(`/v1/charges/${served.fake.objects('charges')[0]!.id}`, { key })).status).toBe(403);
    expect((await served.request('/v1/customers', { key })).status).toBe(200);
    expect((await served.request('/v1/account', { key })).status).toBe(200);
  });

  it('refuses another account in Stripe-Account with account_invalid', async () => {
    const served = await serve();
    const own = await served.request('/v1/customers', { headers: { 'Stripe-Account': served.fake.accountId } });
    expect(own.status).toBe(200);
    const other = await served.request('/v1/customers', { headers: { 'Stripe-Account': 'acct_someoneelse' } });
    expect(other.status).toBe(403);
    expect(other.json.error).toMatchObject({ type: 'invalid_request_error', code: 'account_invalid' });
    expect(other.text).not.toContain(served.fake.apiKey);
  });

  it('serves only GET, and counts every request by method, endpoint and status', async () => {
    const served = await serve();
    served.fake.stats.reset();
    const post = await served.request('/v1/customers', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
    expect(post.json.error.type).toBe('invalid_request_error');
    await served.request('/v1/customers');
    const invoice = served.fake.objects('invoices')[0]!;
    await served.request(`/v1/invoices/${invoice.id}/lines`);
    await served.request(`/v1/invoices/${invoice.id}`);
    await served.request('/v1/customers', { key: 'sk_test_wrong' });
    const { stats } = served.fake;
    expect(stats.total).toBe(5);
    expect(stats.byMethod).toEqual({ POST: 1, GET: 4 });
    expect(stats.byPath).toEqual({ '/v1/customers': 3, '/v1/invoices/{id}/lines': 1, '/v1/invoices/{id}': 1 });
    expect(stats.byStatus).toEqual({ 405: 1, 200: 3, 401: 1 });
    stats.reset();
    expect(stats.total).toBe(0);
    expect(stats.byMethod).toEqual({});
  });

  it('rejects options it does not know, and counts for derived streams, all at once', async () => {
    const { createFakeStripe } = await import('../../src/testing/index.js');
    expect(() => createFakeStripe({ records: { setup_attempts: 3, events: 5 }, rateLimits: {} } as never))
      .toThrow(/rateLimits[\s\S]*setup_attempts[\s\S]*events/);
    expect(() => createFakeStripe({ latencyMs: { median: 10, p99: 5 } })).toThrow(/p99/);
  });
});
