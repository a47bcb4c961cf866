import { describe, expect, it } from 'vitest';
import { ids, NOW, NOW_MS, pageAll, serve } from './helpers.js';

type Event = { id: string; type: string; created: number; data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> } };

describe('mutations', () => {
  it('create: a new object first in its list, with <object>.created', async () => {
    const served = await serve();
    const customer = served.fake.create('customers', { email: 'new@example.com', metadata: { plan: 'gold' } });
    expect(customer).toMatchObject({ object: 'customer', email: 'new@example.com', created: NOW, livemode: false });
    expect(customer.id).toMatch(/^cus_[A-Za-z0-9]{14,24}$/);
    expect((await served.request('/v1/customers?limit=1')).json.data[0]).toEqual(customer);
    expect((await served.request(`/v1/customers/${customer.id}`)).json).toEqual(customer);
    const [event] = (await served.request('/v1/events?limit=1')).json.data as Event[];
    expect(event).toMatchObject({
      object: 'event', type: 'customer.created', created: NOW, api_version: '2026-10-28.endive', livemode: false,
      pending_webhooks: 0, request: { id: null, idempotency_key: null }, data: { object: customer },
    });
    expect(event!.id).toMatch(/^evt_/);
    expect(served.fake.objects('events')[0]).toEqual(event);
  });

  it('update: shallow merge and <object>.updated with previous_attributes', async () => {
    const served = await serve();
    const before = served.fake.objects('customers')[5]!;
    const after = served.fake.update('customers', before.id as string, { name: 'Renamed', metadata: { a: '1' } });
    expect(after).toEqual({ ...before, name: 'Renamed', metadata: { a: '1' } });
    const [event] = (await served.request('/v1/events?limit=1&type=customer.updated')).json.data as Event[];
    expect(event!.data.object).toEqual(after);
    expect(event!.data.previous_attributes).toEqual({ name: before.name, metadata: {} });
    // A change that changes nothing records nothing.
    const count = served.fake.objects('events').length;
    served.fake.update('customers', before.id as string, { name: 'Renamed' });
    expect(served.fake.objects('events')).toHaveLength(count);
  });

  it('canceling a subscription records customer.subscription.deleted and hides it from the default list', async () => {
    const served = await serve();
    const sub = served.fake.objects('subscriptions').find((s) => s.status !== 'canceled')!;
    served.fake.update('subscriptions', sub.id as string, { status: 'canceled', canceled_at: NOW });
    const [event] = (await served.request('/v1/events?limit=1')).json.data as Event[];
    expect(event).toMatchObject({ type: 'customer.subscription.deleted', data: { previous_attributes: { status: sub.status } } });
    expect(ids(await pageAll(served, '/v1/subscriptions'))).not.toContain(sub.id);
    expect(ids(await pageAll(served, '/v1/subscriptions', '&status=all'))).toContain(sub.id);
    served.fake.update('subscriptions', sub.id as string, { cancel_at_period_end: true });
    expect(served.fake.objects('events')[0]!.type).toBe('customer.subscription.updated');
  });

  it('del: gone from lists and retrieval, <object>.deleted recorded, a cursor on it still pages', async () => {
    const served = await serve();
    const customers = served.fake.objects('customers');
    const victim = customers[4]!;
    served.fake.del('customers', victim.id as string);
    expect(ids(await pageAll(served, '/v1/customers'))).toEqual(ids(customers.filter((c) => c.id !== victim.id)));
    expect((await served.request(`/v1/customers/${victim.id}`)).status).toBe(404);
    const [event] = (await served.request('/v1/events?limit=1')).json.data as Event[];
    expect(event).toMatchObject({ type: 'customer.deleted', data: { object: { id: victim.id } } });
    const next = await served.request(`/v1/customers?limit=2&starting_after=${victim.id}`);
    expect(ids(next.json.data)).toEqual(ids(customers.slice(5, 7)));
    // Streams Stripe sends no delete event for just lose the object.
    const rate = served.fake.objects('tax_rates')[0]!;
    const eventCount = served.fake.objects('events').length;
    served.fake.del('tax_rates', rate.id as string);
    expect(served.fake.objects('events')).toHaveLength(eventCount);
    expect(() => served.fake.del('tax_rates', rate.id as string)).toThrow(/no object/);
  });

  it('children: an 11th invoice line flips has_more, pages via /lines and records invoice.updated', async () => {
    const served = await serve({ records: { invoices: 40 } });
    const invoice = served.fake.objects('invoices').find((i) => (i.lines as { total_count: number }).total_count <= 5)!;
    const before = invoice.lines as { data: unknown[]; total_count: number };
    const added = [];
    for (let i = before.total_count; i < 11; i++) {
      added.push(served.fake.create('invoice_line_items', { invoice: invoice.id, amount: 100 + i, description: `extra ${i}` }));
    }
    expect(added[0]).toMatchObject({ object: 'line_item', invoice: invoice.id, amount: 100 + before.total_count });
    expect(added[0]).not.toHaveProperty('created');
    const now = (await served.request(`/v1/invoices/${invoice.id}`)).json;
    expect(now.lines).toMatchObject({ has_more: true, total_count: 11, url: `/v1/invoices/${invoice.id}/lines` });
    expect(now.lines.data).toHaveLength(10);
    const all = await pageAll(served, `/v1/invoices/${invoice.id}/lines`);
    expect(ids(all.slice(-added.length))).toEqual(ids(added));
    const [event] = (await served.request('/v1/events?limit=1')).json.data as Event[];
    expect(event).toMatchObject({ type: 'invoice.updated', data: { object: { id: invoice.id, lines: { total_count: 11 } } } });
    expect((event!.data.previous_attributes!.lines as { total_count: number }).total_count).toBe(10);
    expect(served.fake.objects('invoice_line_items').filter((l) => l.invoice === invoice.id)).toHaveLength(11);

    served.fake.del('invoice_line_items', added.at(-1)!.id as string);
    expect((await served.request(`/v1/invoices/${invoice.id}`)).json.lines).toMatchObject({ has_more: false, total_count: 10 });
    served.fake.del('invoices', invoice.id as string);
    expect(served.fake.objects('invoice_line_items').filter((l) => l.invoice === invoice.id)).toEqual([]);
    expect(served.fake.objects('events')[0]!.type).toBe('invoice.deleted');
  });

  it('children: subscription items and setup attempts update their parents', async () => {
    const served = await serve();
    const sub = served.fake.objects('subscriptions')[0]!;
    const item = served.fake.create('subscription_items', { subscription: sub.id, quantity: 7 });
    const listed = await pageAll(served, `/v1/subscription_items?subscription=${sub.id}`);
    expect(listed.at(-1)).toEqual(item);
    expect(served.fake.objects('events')[0]!.type).toBe('customer.subscription.updated');

    const intent = served.fake.objects('setup_intents')[0]!;
    const attempt = served.fake.create('setup_attempts', { setup_intent: intent.id, status: 'succeeded' });
    expect((await served.request(`/v1/setup_intents/${intent.id}`)).json.latest_attempt).toBe(attempt.id);
    expect((await served.request(`/v1/setup_attempts?setup_intent=${intent.id}&limit=1`)).json.data[0]).toEqual(attempt);
    expect(served.fake.objects('events')[0]).toMatchObject({ type: 'setup_intent.succeeded', data: { object: { latest_attempt: attempt.id } } });

    expect(() => served.fake.create('invoice_line_items', { invoice: 'in_nope' })).toThrow(/existing invoice/);
    expect(() => served.fake.create('events', {})).toThrow(/events/);
    expect(() => served.fake.update('invoices', served.fake.objects('invoices')[0]!.id as string, { lines: null })).toThrow(/lines/);
  });

  it('hands out frozen objects: callers cannot corrupt the truth', async () => {
    const served = await serve();
    const [customer] = served.fake.objects('customers');
    expect(() => { (customer as Record<string, unknown>).email = 'x'; }).toThrow(TypeError);
    expect(() => { (customer!.address as Record<string, unknown>).city = 'x'; }).toThrow(TypeError);
    const input = { metadata: { k: 'v' } };
    const created = served.fake.create('products', input);
    input.metadata.k = 'changed';
    expect(created.metadata).toEqual({ k: 'v' });
    const invoice = served.fake.objects('invoices')[0]!;
    expect(() => { ((invoice.lines as { data: unknown[] }).data).push({}); }).toThrow(TypeError);
  });
});

describe('event retention', () => {
  it('keeps 30 days of events on the fake clock', async () => {
    let now = NOW_MS;
    const served = await serve({ now: () => now, records: { customers: 300 } });
    const generated = served.fake.objects('events');
    expect(generated.length).toBeGreaterThan(10);
    expect(generated.every((e) => (e.created as number) >= NOW - 30 * 86400)).toBe(true);
    const fresh = served.fake.create('customers', {});
    const freshEvent = served.fake.objects('events')[0]!;
    expect(freshEvent.data).toMatchObject({ object: { id: fresh.id } });

    now += 20 * 86400 * 1000;
    const later = await pageAll(served, '/v1/events');
    expect(ids(later)).toEqual(ids(served.fake.objects('events')));
    expect(later.length).toBeLessThan(generated.length + 1);
    expect(ids(later)).toContain(freshEvent.id);
    expect(later.every((e) => (e.created as number) >= NOW + 20 * 86400 - 30 * 86400)).toBe(true);

    now += 11 * 86400 * 1000; // 31 days after the customer's creation
    expect(await pageAll(served, '/v1/events')).toEqual([]);
    expect(served.fake.objects('events')).toEqual([]);
    expect((await served.request(`/v1/events/${freshEvent.id}`)).status).toBe(404);
    expect((await served.request(`/v1/customers/${fresh.id}`)).status).toBe(200);
  });
});
