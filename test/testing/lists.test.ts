import { describe, expect, it } from 'vitest';
import { ids, pageAll, serve } from './helpers.js';

describe('lists', () => {
  it('pages newest first with limit=100 and starting_after, exactly the truth, ties included', async () => {
    const served = await serve({ records: { customers: 1234 } });
    const listed = await pageAll(served, '/v1/customers');
    const truth = served.fake.objects('customers');
    expect(ids(listed)).toEqual(ids(truth));
    expect(new Set(ids(listed)).size).toBe(1234);
    const created = listed.map((c) => c.created as number);
    expect(created).toEqual([...created].sort((a, b) => b - a));
    // Bursts: many objects share one second, so pages must break ties by a fixed order.
    expect(new Set(created).size).toBeLessThan(created.length - 100);
    expect(listed.map((c) => JSON.stringify(c))).toEqual(truth.map((c) => JSON.stringify(c)));
  });

  it('pages back with ending_before, in list order', async () => {
    const served = await serve({ records: { charges: 50 } });
    const truth = ids(served.fake.objects('charges'));
    const reply = await served.request(`/v1/charges?limit=5&ending_before=${truth[20]}`);
    expect(ids(reply.json.data)).toEqual(truth.slice(15, 20));
    expect(reply.json.has_more).toBe(true);
    const first = await served.request(`/v1/charges?limit=5&ending_before=${truth[3]}`);
    expect(ids(first.json.data)).toEqual(truth.slice(0, 3));
    expect(first.json.has_more).toBe(false);
  });

  it('answers with the list envelope', async () => {
    const served = await serve();
    const reply = await served.request('/v1/customers?expand[]=data.default_source&unknown=1');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/json');
    expect(reply.headers.get('request-id')).toMatch(/^req_[A-Za-z0-9]+$/);
    expect(reply.json).toMatchObject({ object: 'list', has_more: true, url: '/v1/customers' });
    expect(reply.json.data).toHaveLength(10); // the default limit
  });

  it('filters on created: integer and gt/gte/lt/lte', async () => {
    const served = await serve({ records: { charges: 400 } });
    const truth = served.fake.objects('charges');
    const pivot = truth[200]!.created as number;
    const within = (test: (c: number) => boolean) => ids(truth.filter((o) => test(o.created as number)));
    expect(ids(await pageAll(served, '/v1/charges', `&created[gte]=${pivot}`))).toEqual(within((c) => c >= pivot));
    expect(ids(await pageAll(served, '/v1/charges', `&created[gt]=${pivot}`))).toEqual(within((c) => c > pivot));
    expect(ids(await pageAll(served, '/v1/charges', `&created[lt]=${pivot}`))).toEqual(within((c) => c < pivot));
    expect(ids(await pageAll(served, '/v1/charges', `&created[lte]=${pivot}&created[gt]=${pivot - 86400 * 90}`)))
      .toEqual(within((c) => c <= pivot && c > pivot - 86400 * 90));
    expect(ids(await pageAll(served, '/v1/charges', `&created=${pivot}`))).toEqual(within((c) => c === pivot));
    // A cursor outside the range still pages inside it.
    const inRange = await served.request(`/v1/charges?limit=3&created[lt]=${pivot}&starting_after=${truth[0]!.id}`);
    expect(ids(inRange.json.data)).toEqual(within((c) => c < pivot).slice(0, 3));
  });

  it('rejects limits outside 1..100 and bad integers with parameter_invalid_integer', async () => {
    const served = await serve();
    for (const limit of ['0', '101', 'ten', '1.5']) {
      const reply = await served.request(`/v1/customers?limit=${limit}`);
      expect(reply.status, limit).toBe(400);
      expect(reply.json.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid_integer', param: 'limit' });
    }
    expect((await served.request('/v1/customers?limit=100')).status).toBe(200);
    expect((await served.request('/v1/customers?limit=1')).json.data).toHaveLength(1);
    const created = await served.request('/v1/customers?created[gte]=yesterday');
    expect(created.json.error).toMatchObject({ code: 'parameter_invalid_integer', param: 'created[gte]' });
  });

  it('rejects both cursors at once, and unknown cursors with 404 resource_missing', async () => {
    const served = await serve();
    const [a, b] = ids(served.fake.objects('customers'));
    const both = await served.request(`/v1/customers?starting_after=${a}&ending_before=${b}`);
    expect(both.status).toBe(400);
    expect(both.json.error.type).toBe('invalid_request_error');
    const missing = await served.request('/v1/customers?starting_after=cus_doesnotexist');
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({
      type: 'invalid_request_error', code: 'resource_missing', param: 'starting_after', message: "No such customer: 'cus_doesnotexist'",
    });
    const otherList = await served.request(`/v1/charges?ending_before=${a}`);
    expect(otherList.json.error).toMatchObject({ code: 'resource_missing', param: 'ending_before' });
  });

  it('requires setup_intent and subscription on child lists', async () => {
    const served = await serve();
    const attempts = await served.request('/v1/setup_attempts');
    expect(attempts.status).toBe(400);
    expect(attempts.json.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_missing', param: 'setup_intent' });
    const items = await served.request('/v1/subscription_items?limit=100');
    expect(items.json.error).toMatchObject({ code: 'parameter_missing', param: 'subscription' });
    const unknown = await served.request('/v1/subscription_items?subscription=sub_nope');
    expect(unknown.json.error).toMatchObject({ code: 'resource_missing', param: 'subscription' });
  });

  it('hides canceled subscriptions unless status=all, and filters by status', async () => {
    const served = await serve({ records: { subscriptions: 200 } });
    const truth = served.fake.objects('subscriptions');
    const canceled = truth.filter((s) => s.status === 'canceled');
    expect(canceled.length).toBeGreaterThan(20);
    expect(ids(await pageAll(served, '/v1/subscriptions'))).toEqual(ids(truth.filter((s) => s.status !== 'canceled')));
    expect(ids(await pageAll(served, '/v1/subscriptions', '&status=all'))).toEqual(ids(truth));
    expect(ids(await pageAll(served, '/v1/subscriptions', '&status=canceled'))).toEqual(ids(canceled));
  });

  it('lists only active prices and plans unless active=false, and filters active where given', async () => {
    const served = await serve({ records: { prices: 200, plans: 100, products: 100 } });
    for (const stream of ['prices', 'plans'] as const) {
      const truth = served.fake.objects(stream);
      const path = `/v1/${stream}`;
      const inactive = ids(truth.filter((p) => p.active === false));
      expect(inactive.length).toBeGreaterThan(10);
      expect(ids(await pageAll(served, path))).toEqual(ids(truth.filter((p) => p.active === true)));
      expect(ids(await pageAll(served, path, '&active=false'))).toEqual(inactive);
      const both = [...await pageAll(served, path, '&active=true'), ...await pageAll(served, path, '&active=false')];
      expect(new Set(ids(both))).toEqual(new Set(ids(truth)));
    }
    const products = served.fake.objects('products');
    expect(ids(await pageAll(served, '/v1/products'))).toEqual(ids(products));
    expect(ids(await pageAll(served, '/v1/products', '&active=false'))).toEqual(ids(products.filter((p) => p.active === false)));
    expect((await served.request('/v1/prices?active=maybe')).json.error).toMatchObject({ param: 'active' });
  });

  it('embeds the first 10 invoice lines and pages the rest via /lines', async () => {
    const served = await serve({ records: { invoices: 30 } });
    const invoice = served.fake.objects('invoices').find((i) => (i.lines as { has_more: boolean }).has_more)!;
    const lines = invoice.lines as { data: Array<{ id: string; invoice: string }>; total_count: number; url: string };
    expect(lines.data).toHaveLength(10);
    expect(lines.total_count).toBeGreaterThan(10);
    expect(lines.url).toBe(`/v1/invoices/${invoice.id}/lines`);
    const all = await pageAll(served, lines.url);
    expect(all).toHaveLength(lines.total_count);
    expect(ids(all.slice(0, 10))).toEqual(lines.data.map((l) => l.id));
    expect(all.every((l) => l.invoice === invoice.id)).toBe(true);
    // Paging on from the embedded page, as a reader does.
    const rest = await pageAll(served, lines.url, `&starting_after=${lines.data[9]!.id}`);
    expect(ids(rest)).toEqual(ids(all.slice(10)));
    const back = await served.request(`${lines.url}?limit=3&ending_before=${all[11]!.id}`);
    expect(ids(back.json.data)).toEqual(ids(all.slice(8, 11)));
    expect(back.json.has_more).toBe(true);
    expect((await served.request(`/v1/invoices/in_nope/lines`)).status).toBe(404);
  });

  it('embeds subscription items the same way, paged via /v1/subscription_items', async () => {
    const served = await serve({ records: { subscriptions: 30 } });
    const sub = served.fake.objects('subscriptions').find((s) => (s.items as { has_more: boolean }).has_more)!;
    const items = sub.items as { data: Array<{ id: string }>; total_count: number; url: string };
    expect(items.url).toBe(`/v1/subscription_items?subscription=${sub.id}`);
    const all = await pageAll(served, items.url);
    expect(all).toHaveLength(items.total_count);
    expect(ids(all.slice(0, 10))).toEqual(ids(items.data));
    expect(all.every((i) => i.subscription === sub.id)).toBe(true);
  });

  it('lists setup attempts of an intent newest first; latest_attempt is null exactly without attempts', async () => {
    const served = await serve({ records: { setup_intents: 40 } });
    const attempts = served.fake.objects('setup_attempts');
    for (const intent of served.fake.objects('setup_intents')) {
      const listed = await pageAll(served, `/v1/setup_attempts?setup_intent=${intent.id}`);
      expect(ids(listed)).toEqual(ids(attempts.filter((a) => a.setup_intent === intent.id)));
      expect(intent.latest_attempt).toBe(listed[0]?.id ?? null);
    }
  });

  it('retrieves single objects, 404 for unknown ids, and the account', async () => {
    const served = await serve();
    const charge = served.fake.objects('charges')[3]!;
    const reply = await served.request(`/v1/charges/${charge.id}`);
    expect(reply.json).toEqual(charge);
    const session = served.fake.objects('checkout_sessions')[0]!;
    expect((await served.request(`/v1/checkout/sessions/${session.id}`)).json.id).toBe(session.id);
    const missing = await served.request('/v1/charges/ch_missing');
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ code: 'resource_missing', message: "No such charge: 'ch_missing'" });
    const account = await served.request('/v1/account');
    expect(account.json).toMatchObject({ id: served.fake.accountId, object: 'account' });
    const unknown = await served.request('/v1/nothing_here');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toContain('Unrecognized request URL (GET: /v1/nothing_here)');
  });

  it('lists events with type, type groups and types[]', async () => {
    const served = await serve({ records: { customers: 200, charges: 200 } });
    const events = served.fake.objects('events');
    expect(events.length).toBeGreaterThan(20);
    const byType = (t: string) => ids(events.filter((e) => e.type === t));
    expect(ids(await pageAll(served, '/v1/events', '&type=customer.created'))).toEqual(byType('customer.created'));
    expect(ids(await pageAll(served, '/v1/events', '&type=charge.*'))).toEqual(byType('charge.succeeded'));
    expect(ids(await pageAll(served, '/v1/events', '&types[0]=customer.created&types[1]=charge.succeeded')))
      .toEqual(ids(events.filter((e) => e.type === 'customer.created' || e.type === 'charge.succeeded')));
    expect((await served.request('/v1/events?type=a&types[0]=b')).status).toBe(400);
  });
});
