import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { ids, serve } from './helpers.js';

/** The official client, aimed at the local server. */
async function client(options: Parameters<typeof serve>[0] = {}, key?: (fake: Awaited<ReturnType<typeof serve>>['fake']) => string) {
  const served = await serve(options);
  const port = Number(new URL(served.url).port);
  const stripe = new Stripe(key ? key(served.fake) : served.fake.apiKey, {
    host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0,
  });
  return { served, stripe };
}

describe('the official stripe client against listen()', () => {
  it('lists, pages and retrieves', async () => {
    const { served, stripe } = await client({ records: { customers: 250 } });
    const page = await stripe.customers.list({ limit: 100 });
    const truth = served.fake.objects('customers');
    expect(page.data).toHaveLength(100);
    expect(page.has_more).toBe(true);
    expect(page.data).toEqual(truth.slice(0, 100));
    const all: string[] = [];
    for await (const customer of stripe.customers.list({ limit: 100 })) all.push(customer.id);
    expect(all).toEqual(ids(truth));
    const invoice = served.fake.objects('invoices').find((i) => (i.lines as { has_more: boolean }).has_more)!;
    const lines = await stripe.invoices.listLineItems(invoice.id as string, { limit: 100 });
    expect(lines.data.length).toBe((invoice.lines as { total_count: number }).total_count);
    const since = truth[50]!.created as number;
    const recent = await stripe.customers.list({ limit: 100, created: { gte: since } });
    expect(ids(recent.data)).toEqual(ids(truth.filter((c) => (c.created as number) >= since)));
    expect((await stripe.charges.retrieve(served.fake.objects('charges')[0]!.id as string)).object).toBe('charge');
    const account = await stripe.accounts.retrieveCurrent();
    expect(account.id).toBe(served.fake.accountId);
  });

  it('gets the error classes Stripe answers map to', async () => {
    const wrong = await client({}, () => 'sk_test_notakey1234');
    await expect(wrong.stripe.customers.list()).rejects.toMatchObject({ type: 'StripeAuthenticationError', statusCode: 401 });
    const restricted = await client({}, (fake) => fake.restrictedKey({ deny: ['charges'] }));
    await expect(restricted.stripe.charges.list()).rejects.toMatchObject({ type: 'StripePermissionError', statusCode: 403 });
    const limited = await client({ faults: { probability: 1, kinds: ['rate_limit'] } });
    await expect(limited.stripe.customers.list()).rejects.toMatchObject({ type: 'StripeRateLimitError', code: 'rate_limit' });
    const missing = await client();
    await expect(missing.stripe.customers.list({ starting_after: 'cus_gone' }))
      .rejects.toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 404, code: 'resource_missing' });
    expect(missing.served.fake.stats.byMethod).toEqual({ GET: 1 });
  });
});
