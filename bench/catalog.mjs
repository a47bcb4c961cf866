/**
 * What the bench needs to know about the streams beyond the library's public catalog: how a demo-like
 * account spreads its objects, how children hang off parents (for the minimum request count and for the
 * baseline's hand-written child loops), and which `stripe` resource lists each stream.
 */

/** Stripe's live-mode limits: requests per second per account and per endpoint. */
export const STRIPE_LIVE_LIMITS = { global: 100, perEndpoint: 25 };
export const PAGE_SIZE = 100;

/** Same weights as the demo account (src/cli/demo-data.ts): a subscription business. */
export const DEMO_WEIGHTS = {
  charges: 18, payment_intents: 14, balance_transactions: 16, customers: 9, invoices: 8, subscriptions: 5,
  invoice_items: 4, refunds: 3, setup_intents: 1.5, prices: 3, products: 1.5, disputes: 1, payouts: 1,
  checkout_sessions: 3, credit_notes: 1, coupons: 0.5, promotion_codes: 0.5, tax_rates: 0.3, shipping_rates: 0.3,
  transfers: 1.5, application_fees: 1, early_fraud_warnings: 0.5, plans: 0.5, topups: 0.3,
};

/** The streams whose counts the fake takes (every top-level stream but events). */
export const GENERATED_STREAMS = Object.keys(DEMO_WEIGHTS);

/**
 * Children (invoice lines, subscription items, setup attempts) and events come on top of the top-level
 * objects: with the demo weights, about 0.76 more per top-level object (measured at 200k and 1M, seed 1).
 */
const ALL_PER_TOP_LEVEL = 1.76;

/** Top-level counts with the demo weights such that all objects, children and events included, come to about `total`. */
export function demoCounts(total) {
  const topLevel = total / ALL_PER_TOP_LEVEL;
  const sum = Object.values(DEMO_WEIGHTS).reduce((a, b) => a + b, 0);
  return Object.fromEntries(Object.entries(DEMO_WEIGHTS).map(([s, w]) => [s, Math.max(1, Math.round((topLevel * w) / sum))]));
}

/** Only the given streams have objects; every other generated stream is empty. */
export function onlyCounts(counts) {
  return { ...Object.fromEntries(GENERATED_STREAMS.map((s) => [s, 0])), ...counts };
}

/**
 * Child streams: the parent, the child's field naming it, how many children the parent embeds (the rest
 * are paged from `endpoint`, the fake's endpoint template that rate limits count in), and whether a
 * parent without children can be skipped without a request (`latest_attempt: null`).
 */
export const CHILDREN = {
  invoice_line_items: { parent: 'invoices', parentField: 'invoice', embedded: 'lines', embeddedMax: 10, endpoint: '/v1/invoices/{id}/lines' },
  subscription_items: { parent: 'subscriptions', parentField: 'subscription', embedded: 'items', embeddedMax: 10, endpoint: '/v1/subscription_items' },
  setup_attempts: { parent: 'setup_intents', parentField: 'setup_intent', embedded: null, embeddedMax: 0, endpoint: '/v1/setup_attempts', skipWhenNull: 'latest_attempt' },
};

/** Minimum list requests to read a list of `n` objects: one even when it is empty. */
export function listPages(n) {
  return Math.max(1, Math.ceil(n / PAGE_SIZE));
}

/** Minimum requests for one parent's `k` children beyond what the parent embeds. */
export function childPages(child, k) {
  const rest = k - child.embeddedMax;
  return rest > 0 ? Math.ceil(rest / PAGE_SIZE) : 0;
}

/** The `stripe` resource that lists a top-level stream. */
export const RESOURCES = {
  customers: (s) => s.customers,
  charges: (s) => s.charges,
  payment_intents: (s) => s.paymentIntents,
  refunds: (s) => s.refunds,
  disputes: (s) => s.disputes,
  setup_intents: (s) => s.setupIntents,
  subscriptions: (s) => s.subscriptions,
  invoices: (s) => s.invoices,
  invoice_items: (s) => s.invoiceItems,
  products: (s) => s.products,
  prices: (s) => s.prices,
  payouts: (s) => s.payouts,
  balance_transactions: (s) => s.balanceTransactions,
  shipping_rates: (s) => s.shippingRates,
  coupons: (s) => s.coupons,
  promotion_codes: (s) => s.promotionCodes,
  credit_notes: (s) => s.creditNotes,
  tax_rates: (s) => s.taxRates,
  checkout_sessions: (s) => s.checkout.sessions,
  transfers: (s) => s.transfers,
  application_fees: (s) => s.applicationFees,
  early_fraud_warnings: (s) => s.radar.earlyFraudWarnings,
  plans: (s) => s.plans,
  topups: (s) => s.topups,
  events: (s) => s.events,
  accounts: (s) => s.accounts,
};
