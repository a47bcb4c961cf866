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
