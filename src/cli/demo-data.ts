import type { StreamName } from '../catalog/streams.js';

/**
 * How a demo account's objects spread over the streams, roughly as in a subscription business: many
 * charges and balance transactions, fewer customers, a handful of products. Children (invoice lines,
 * subscription items, setup attempts) and events come on top.
 */
const WEIGHTS: Partial<Record<StreamName, number>> = {
  charges: 18, payment_intents: 14, balance_transactions: 16, customers: 9, invoices: 8, subscriptions: 5,
  invoice_items: 4, refunds: 3, setup_intents: 1.5, prices: 3, products: 1.5, disputes: 1, payouts: 1,
  checkout_sessions: 3, credit_notes: 1, coupons: 0.5, promotion_codes: 0.5, tax_rates: 0.3, shipping_rates: 0.3,
  transfers: 1.5, application_fees: 1, early_fraud_warnings: 0.5, plans: 0.5, topups: 0.3,
};

/** Top-level object counts adding up to about `total`. */
export function demoRecordCounts(total: number): Partial<Record<StreamName, number>> {
  const sum = Object.values(WEIGHTS).reduce((a, b) => a + b, 0);
  return Object.fromEntries(
    Object.entries(WEIGHTS).map(([stream, weight]) => [stream, Math.max(1, Math.round((total * weight) / sum))]),
  ) as Partial<Record<StreamName, number>>;
}

/** What the demo's fake account does between two runs, so a later run has changes to capture. */
export interface DemoActivity {
  readonly updated: number;
  readonly canceled: number;
  readonly deleted: number;
  readonly created: number;
}

/** Minimal view of the fake Stripe's mutations, so this file needs no testing import. */
interface Mutable {
  objects(stream: StreamName): ReadonlyArray<Readonly<Record<string, unknown>>>;
  create(stream: StreamName, fields?: Record<string, unknown>): unknown;
  update(stream: StreamName, id: string, fields: Record<string, unknown>): unknown;
  del(stream: StreamName, id: string): void;
}

/**
 * A day's worth of business on the fake account, the same every time: customers edited and a few deleted,
 * subscriptions canceled, products archived and one deleted, new customers, a shipping rate removed.
 */
export function applyDemoActivity(fake: Mutable): DemoActivity {
  let updated = 0;
  let canceled = 0;
  let deleted = 0;
  let created = 0;
  const customers = fake.objects('customers');
  customers.slice(0, 40).forEach((c, i) => {
    fake.update('customers', c.id as string, { email: `renamed-${i}@example.com` });
    updated += 1;
  });
  for (const c of customers.slice(40, 45)) {
    fake.del('customers', c.id as string);
    deleted += 1;
  }
  const active = fake.objects('subscriptions').filter((s) => s.status === 'active').slice(0, 10);
  for (const s of active) {
    fake.update('subscriptions', s.id as string, { status: 'canceled' });
    canceled += 1;
  }
  const products = fake.objects('products');
  for (const p of products.slice(0, 3)) {
    fake.update('products', p.id as string, { active: false });
    updated += 1;
  }
  const doomed = products[3];
  if (doomed) {
    fake.del('products', doomed.id as string);
    deleted += 1;
  }
  const rate = fake.objects('shipping_rates')[0];
  if (rate) {
    fake.del('shipping_rates', rate.id as string);
    deleted += 1;
  }
  for (let i = 0; i < 20; i++) {
    fake.create('customers', { email: `new-${i}@example.com` });
    created += 1;
  }
  return { updated, canceled, deleted, created };
}
