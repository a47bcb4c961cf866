import { describe, expect, it } from 'vitest';
import { STREAMS, STREAM_NAMES, getStream, type StreamName } from '../../src/catalog/streams.js';
import { createFakeStripe } from '../../src/testing/index.js';
import { ids, NOW, NOW_MS } from './helpers.js';

type Obj = Readonly<Record<string, unknown>>;
// Connected accounts (`/v1/accounts`) come from the `accounts` option, not from `records`: none by default.
const TOP_LEVEL = STREAMS.filter((s) => s.parent === undefined && s.name !== 'events' && s.path !== '/v1/accounts').map((s) => s.name);

describe('generated data', () => {
  it('is deterministic per seed', () => {
    const a = createFakeStripe({ seed: 7, now: () => NOW_MS });
    const b = createFakeStripe({ seed: 7, now: () => NOW_MS });
    const c = createFakeStripe({ seed: 8, now: () => NOW_MS });
    expect([b.apiKey, b.accountId]).toEqual([a.apiKey, a.accountId]);
    expect(a.apiKey).toMatch(/^sk_test_[A-Za-z0-9]+$/);
    expect(a.accountId).toMatch(/^acct_[A-Za-z0-9]+$/);
    for (const stream of STREAM_NAMES) expect(JSON.stringify(b.objects(stream)), stream).toBe(JSON.stringify(a.objects(stream)));
    expect(c.apiKey).not.toBe(a.apiKey);
    expect(ids(c.objects('customers'))).not.toEqual(ids(a.objects('customers')));
  });

  it('has the requested counts, catalog id prefixes, unique ids, livemode false, created in range', () => {
    const startDate = NOW - 400 * 86400;
    const fake = createFakeStripe({ now: () => NOW_MS, startDate, records: { customers: 40, topups: 0 } });
    for (const stream of STREAM_NAMES) {
      const objects = fake.objects(stream);
      const def = getStream(stream);
      if (stream === 'customers') expect(objects).toHaveLength(40);
      else if (stream === 'topups') expect(objects).toHaveLength(0);
      else if ((TOP_LEVEL as string[]).includes(stream)) expect(objects, stream).toHaveLength(15);
      expect(new Set(ids(objects)).size, stream).toBe(objects.length);
      for (const o of objects) {
        expect(o.id, stream).toMatch(new RegExp(`^${def.idPrefix}[A-Za-z0-9]{14,24}$`));
        expect(o.object).toBe(def.objectType);
        if ('livemode' in o) expect(o.livemode, stream).toBe(false); // refunds and subscription items have none
        const created = (o.created ?? o.date) as number | undefined; // invoice items say `date`, lines nothing
        if (stream !== 'invoice_line_items') expect(created, stream).toBeGreaterThanOrEqual(startDate);
        if (stream !== 'invoice_line_items') expect(created, stream).toBeLessThanOrEqual(NOW);
      }
    }
  });

  it('keeps relations consistent', () => {
    const fake = createFakeStripe({ now: () => NOW_MS, records: Object.fromEntries(TOP_LEVEL.map((s) => [s, 120])) });
    const all = (s: StreamName) => fake.objects(s);
    const index = (s: StreamName) => new Map(all(s).map((o) => [o.id as string, o]));
    const customers = index('customers');
    const charges = index('charges');
    const intents = index('payment_intents');
    const refOk = (value: unknown, pool: Map<string, Obj>) => value === null || pool.has(value as string);

    for (const charge of all('charges')) {
      expect(refOk(charge.customer, customers)).toBe(true);
      expect(refOk(charge.payment_intent, intents)).toBe(true);
      if (charge.payment_intent) expect(charge.customer).toBe(intents.get(charge.payment_intent as string)!.customer);
    }
    for (const stream of ['refunds', 'disputes', 'early_fraud_warnings', 'application_fees'] as const) {
      for (const o of all(stream)) expect(charges.has(o.charge as string), stream).toBe(true);
    }
    const txns = index('balance_transactions');
    for (const txn of txns.values()) expect(charges.has(txn.source as string)).toBe(true);
    for (const charge of charges.values()) expect(refOk(charge.balance_transaction, txns)).toBe(true);

    const attempts = all('setup_attempts');
    for (const intent of all('setup_intents')) {
      const own = attempts.filter((a) => a.setup_intent === intent.id);
      expect(own.length).toBeLessThanOrEqual(3);
      expect(intent.latest_attempt).toBe(own[0]?.id ?? null); // newest first
    }

    const subs = all('subscriptions');
    const canceled = subs.filter((s) => s.status === 'canceled').length / subs.length;
    expect(canceled).toBeGreaterThan(0.1);
    expect(canceled).toBeLessThan(0.3);
    const items = all('subscription_items');
    for (const sub of subs) {
      expect(customers.has(sub.customer as string)).toBe(true);
      const embedded = sub.items as { data: Obj[]; has_more: boolean; total_count: number; url: string };
      const own = items.filter((i) => i.subscription === sub.id);
      expect(embedded.total_count).toBe(own.length);
      expect(embedded.has_more).toBe(own.length > 10);
      // objects() is newest first; items list (and embed) in the subscription's own order, oldest first.
      expect(ids(embedded.data)).toEqual(ids(own).reverse().slice(0, 10));
      expect(embedded.data.every((i) => i.subscription === sub.id)).toBe(true);
      expect(embedded.url).toBe(`/v1/subscription_items?subscription=${sub.id}`);
    }
    expect(subs.some((s) => (s.items as { total_count: number }).total_count > 10)).toBe(true);

    const invoices = index('invoices');
    const subIds = new Set(ids(subs));
    const lines = all('invoice_line_items');
    for (const invoice of invoices.values()) {
      expect(customers.has(invoice.customer as string)).toBe(true);
      expect(invoice.subscription === null || subIds.has(invoice.subscription as string)).toBe(true);
      const embedded = invoice.lines as { data: Obj[]; total_count: number };
      expect(embedded.total_count).toBe(lines.filter((l) => l.invoice === invoice.id).length);
      expect(embedded.data.every((l) => l.invoice === invoice.id)).toBe(true);
    }
    expect([...invoices.values()].some((i) => (i.lines as { total_count: number }).total_count > 10)).toBe(true);
    for (const note of all('credit_notes')) expect(invoices.has(note.invoice as string)).toBe(true);

    const products = index('products');
    for (const stream of ['prices', 'plans'] as const) {
      const objects = all(stream);
      for (const o of objects) expect(products.has(o.product as string)).toBe(true);
      const inactive = objects.filter((o) => o.active === false).length / objects.length;
      expect(inactive, stream).toBeGreaterThan(0.12);
      expect(inactive, stream).toBeLessThan(0.4);
    }
    const coupons = index('coupons');
    for (const code of all('promotion_codes')) expect(coupons.has((code.promotion as { coupon: string }).coupon)).toBe(true);
  });

  it('clusters created: many objects share one second', () => {
    const fake = createFakeStripe({ now: () => NOW_MS, records: { charges: 5000 } });
    const perSecond = new Map<number, number>();
    for (const charge of fake.objects('charges')) perSecond.set(charge.created as number, (perSecond.get(charge.created as number) ?? 0) + 1);
    const bursts = [...perSecond.values()].filter((n) => n >= 20);
    expect(bursts.length).toBeGreaterThan(2);
    expect(Math.max(...bursts)).toBeLessThanOrEqual(300);
  });

  it('records <object>.created events for the last 30 days only, so /v1/events is not empty', () => {
    const fake = createFakeStripe({ now: () => NOW_MS });
    const events = fake.objects('events');
    expect(events.length).toBeGreaterThan(5);
    const recent = TOP_LEVEL.flatMap((s) => fake.objects(s).filter((o) => ((o.created ?? o.date) as number) >= NOW - 30 * 86400));
    const withEvents = events.map((e) => (e.data as { object: Obj }).object.id);
    for (const event of events) expect(event.created as number).toBeGreaterThanOrEqual(NOW - 30 * 86400);
    expect(new Set(withEvents).size).toBe(events.length);
    // Stripe sends no creation event for these.
    expect(recent.filter((o) => !['balance_transaction', 'shipping_rate', 'checkout.session'].includes(o.object as string)).map((o) => o.id).sort())
      .toEqual([...withEvents].sort());
  });

  it('generates 200,000 objects', () => {
    const perStream = Math.ceil(200_000 / TOP_LEVEL.length);
    const fake = createFakeStripe({ now: () => NOW_MS, records: Object.fromEntries(TOP_LEVEL.map((s) => [s, perStream])) });
    expect(fake.objects('charges')).toHaveLength(perStream);
    expect(fake.objects('invoice_line_items').length).toBeGreaterThan(perStream * 2);
  });
});

describe('createdDistribution', () => {
  const DAY = 86400;
  const createdOf = (o: Obj) => (o.created ?? o.date) as number;
  const busiest = (times: number[], bucket: (t: number) => number) => {
    const counts = new Map<number, number>();
    for (const t of times) counts.set(bucket(t), (counts.get(bucket(t)) ?? 0) + 1);
    return [...counts.entries()].reduce((a, b) => (b[1] > a[1] ? b : a));
  };

  it('puts shareInOneDay of every stream into one UTC day and inOneSecond of those into one second', () => {
    const started = performance.now();
    const fake = createFakeStripe({
      seed: 3,
      now: () => NOW_MS,
      records: { charges: 40_000, customers: 2_000, invoice_items: 0 },
      createdDistribution: { skew: { shareInOneDay: 0.5, inOneSecond: 2000 } },
    });
    expect(performance.now() - started).toBeLessThan(15_000); // generation stays fast
    const charges = fake.objects('charges').map(createdOf);
    const [day, perDay] = busiest(charges, (t) => Math.floor(t / DAY));
    const [second, perSecond] = busiest(charges, (t) => t);
    // Half in the day, plus the few of the default spread that land on it by chance (3 years: ~1/1000 a day).
    expect(perDay).toBeGreaterThanOrEqual(20_000);
    expect(perDay).toBeLessThan(20_000 + 400);
    expect(perSecond).toBeGreaterThanOrEqual(2000);
    expect(perSecond).toBeLessThan(2000 + 300); // a default burst may share it, nothing more
    expect(Math.floor(second / DAY)).toBe(day);
    // Outside the day the default spread: the rest stays over three years, no other day comes close.
    const elsewhere = charges.filter((t) => Math.floor(t / DAY) !== day);
    expect(busiest(elsewhere, (t) => Math.floor(t / DAY))[1]).toBeLessThan(1000);
    expect(Math.max(...elsewhere) - Math.min(...elsewhere)).toBeGreaterThan(2.9 * 365 * DAY);
    // Every stream crowds into the same day and second; a share rounds, and a small stream's second is capped.
    const customers = fake.objects('customers').map(createdOf);
    expect(customers.filter((t) => Math.floor(t / DAY) === day).length).toBeGreaterThanOrEqual(1000);
    expect(customers.filter((t) => t === second).length).toBeGreaterThanOrEqual(1000);
    expect(fake.objects('invoice_items')).toHaveLength(0);
    for (const t of [...charges, ...customers]) {
      expect(t).toBeGreaterThanOrEqual(NOW - 3 * 365 * DAY);
      expect(t).toBeLessThanOrEqual(NOW);
    }
  });

  it('is deterministic per seed, and leaves the default distribution as it was', () => {
    const skew = { skew: { shareInOneDay: 0.3, inOneSecond: 100 } } as const;
    const make = (seed: number, createdDistribution?: typeof skew | 'default') =>
      createFakeStripe({ seed, now: () => NOW_MS, records: { charges: 2000 }, ...(createdDistribution ? { createdDistribution } : {}) });
    const times = (fake: ReturnType<typeof make>) => fake.objects('charges').map(createdOf);
    expect(times(make(5, skew))).toEqual(times(make(5, skew)));
    expect(times(make(6, skew))).not.toEqual(times(make(5, skew)));
    expect(times(make(5, 'default'))).toEqual(times(make(5)));
    expect(busiest(times(make(5, skew)), (t) => Math.floor(t / DAY))[1]).toBeGreaterThanOrEqual(600);
  });

  it('keeps a short range: the day is the range itself', () => {
    const startDate = NOW - 3600;
    const fake = createFakeStripe({
      now: () => NOW_MS, startDate, records: { charges: 500 },
      createdDistribution: { skew: { shareInOneDay: 1, inOneSecond: 200 } },
    });
    const charges = fake.objects('charges').map(createdOf);
    for (const t of charges) expect(t).toBeGreaterThanOrEqual(startDate);
    expect(busiest(charges, (t) => t)[1]).toBeGreaterThanOrEqual(200);
  });

  it('rejects a share outside 0..1 and a fractional count', () => {
    let caught: unknown;
    try {
      createFakeStripe({ createdDistribution: { skew: { shareInOneDay: 1.5, inOneSecond: 2.5 } } });
    } catch (error) {
      caught = error;
    }
    expect((caught as Error | undefined)?.name).toBe('ConfigError');
    expect((caught as Error).message).toMatch(/createdDistribution\.skew\.shareInOneDay/);
    expect((caught as Error).message).toMatch(/createdDistribution\.skew\.inOneSecond/);
    expect(() => createFakeStripe({ createdDistribution: 'uniform' as 'default' })).toThrow(/createdDistribution/);
  });
});
