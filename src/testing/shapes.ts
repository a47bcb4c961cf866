/**
 * What each stream's generated objects look like beyond Stripe's example object: fixed overrides (nulls
 * where the fixture has placeholders that would point at objects that don't exist), references to other
 * generated objects, and some variety (statuses, `active`, amounts). Only data; `generate.ts` runs it.
 */
import type { StreamName } from '../catalog/streams.js';
import type { Fields, Row } from './collection.js';
import type { Rng } from './random.js';
import type { StripeObject } from './types.js';

const DAY = 24 * 60 * 60;

export interface ShapeContext {
  readonly rng: Rng;
  readonly id: string;
  readonly created: number;
  /** The fake's now, in seconds. */
  readonly now: number;
  /** 0-based rank of this object among its stream's generated objects, oldest first. */
  readonly index: number;
  /** A random object of `stream` created no later than this one (any, when none is older). */
  pick(stream: StreamName): Row | undefined;
  /** The whole object of a row, for fields Stripe returns expanded (`subscription_item.price`). */
  expand(stream: StreamName, row: Row): StripeObject;
  /** Changes an object generated earlier (`charge.disputed` when a dispute is generated). */
  patch(row: Row, fields: Record<string, unknown>): void;
}

export interface ChildShape {
  /** How many children a parent gets; `index` is the parent's rank. */
  count(rng: Rng, index: number): number;
  /** A child's `created` (it orders the child list): the parent's, or later. */
  created?(rng: Rng, parentCreated: number, now: number): number;
  fill(ctx: ShapeContext, parent: Row): Record<string, unknown>;
}

export interface Shape {
  /** Streams this one references: generated first. */
  readonly refs?: readonly StreamName[];
  /** Fixed values for every object, folded into the template once. */
  readonly overrides?: Fields;
  fill?(ctx: ShapeContext): Record<string, unknown>;
}

/**
 * Every 12th parent (rank 5, 17, 29, ...) has more children than Stripe embeds (10), so lists that must be
 * paged past the embedded page always exist once there are six parents.
 */
export function isLargeParent(index: number): boolean {
  return index % 12 === 5;
}

const amount = (rng: Rng): number => rng.int(5, 2000) * 100 + rng.pick([0, 0, 50, 99]);
const id = (row: Row | undefined): string | null => row?.id ?? null;
const field = (row: Row | undefined, name: string): unknown => row?.fields[name] ?? null;

export const SHAPES: Partial<Record<StreamName, Shape>> = {
  customers: {
    overrides: { discount: null },
    fill: ({ index }) => ({ name: `Customer ${index + 1}`, email: `customer${index + 1}@example.com` }),
  },
  products: {
    overrides: { default_price: null },
    fill: ({ rng, index }) => ({ name: `Product ${index + 1}`, active: rng.chance(0.85) }),
  },
  prices: {
    refs: ['products'],
    fill: ({ rng, pick }) => {
      const unit = amount(rng);
      return { product: id(pick('products')), active: rng.chance(0.75), unit_amount: unit, unit_amount_decimal: String(unit) };
    },
  },
  plans: {
    refs: ['products'],
    fill: ({ rng, pick }) => {
      const unit = amount(rng);
      return { product: id(pick('products')), active: rng.chance(0.75), amount: unit, amount_decimal: String(unit) };
    },
  },
  coupons: {
    overrides: { redeem_by: null },
    fill: ({ rng }) => {
      const percent = rng.int(5, 50);
      return { percent_off: percent, name: `${percent}% off` };
    },
  },
  promotion_codes: {
    refs: ['coupons'],
    overrides: { expires_at: null },
    fill: ({ rng, pick, index }) => ({
      active: rng.chance(0.8), code: `PROMO${index + 1}`, promotion: { coupon: id(pick('coupons')), type: 'coupon' },
    }),
  },
  tax_rates: { fill: ({ rng }) => ({ active: rng.chance(0.8), percentage: rng.pick([5, 7.5, 10, 19, 20, 21]) }) },
  shipping_rates: { fill: ({ rng, index }) => ({ active: rng.chance(0.8), display_name: `Shipping ${index + 1}` }) },
  payment_intents: {
    refs: ['customers'],
    overrides: { canceled_at: null, last_payment_error: null, next_action: null, processing: null, transfer_data: null },
    fill: ({ rng, pick }) => {
      const total = amount(rng);
      const status = rng.weighted(['succeeded', 'canceled', 'requires_payment_method', 'processing'], [80, 8, 8, 4]);
      return {
        customer: id(pick('customers')), amount: total, amount_received: status === 'succeeded' ? total : 0, status,
      };
    },
  },
  charges: {
    refs: ['customers', 'payment_intents'],
    overrides: { balance_transaction: null, payment_method: null, source: null, transfer_data: null },
    fill: ({ rng, pick, patch, id: chargeId }) => {
      const intent = rng.chance(0.7) ? pick('payment_intents') : undefined;
      if (intent) patch(intent, { latest_charge: chargeId });
      const status = rng.weighted(['succeeded', 'failed', 'pending'], [88, 9, 3]);
      const total = (intent?.fields.amount as number | undefined) ?? amount(rng);
      return {
        customer: intent ? field(intent, 'customer') : id(pick('customers')),
        payment_intent: id(intent), amount: total, amount_captured: status === 'succeeded' ? total : 0,
        status, paid: status === 'succeeded', captured: status === 'succeeded',
      };
    },
  },
  balance_transactions: {
    refs: ['charges'],
    fill: ({ rng, pick, patch, id: txnId }) => {
      const charge = pick('charges');
      if (charge && charge.fields.balance_transaction === undefined) patch(charge, { balance_transaction: txnId });
      const total = (charge?.fields.amount as number | undefined) ?? amount(rng);
      const fee = Math.round(total * 0.029) + 30;
      return { source: id(charge), amount: total, fee, net: total - fee };
    },
  },
  refunds: {
    refs: ['charges'],
    fill: ({ rng, pick, patch }) => {
      const charge = pick('charges');
      const total = Math.max(1, Math.floor(((charge?.fields.amount as number | undefined) ?? amount(rng)) * rng.pick([1, 1, 0.5])));
      if (charge) {
        const refunded = ((charge.fields.amount_refunded as number | undefined) ?? 0) + total;
        patch(charge, { amount_refunded: refunded, refunded: refunded >= (charge.fields.amount as number) });
      }
      return { charge: id(charge), payment_intent: field(charge, 'payment_intent'), amount: total };
    },
  },
  disputes: {
    refs: ['charges'],
    fill: ({ rng, pick, patch }) => {
      const charge = pick('charges');
      if (charge) patch(charge, { disputed: true });
      return {
        charge: id(charge), payment_intent: field(charge, 'payment_intent'), amount: field(charge, 'amount') ?? amount(rng),
        status: rng.weighted(['needs_response', 'under_review', 'won', 'lost'], [20, 20, 35, 25]),
      };
    },
  },
  early_fraud_warnings: {
    refs: ['charges'],
    fill: ({ pick }) => {
      const charge = pick('charges');
      return { charge: id(charge), payment_intent: field(charge, 'payment_intent') };
    },
  },
  setup_intents: {
    refs: ['customers'],
    overrides: { last_setup_error: null, next_action: null, latest_attempt: null },
    fill: ({ rng, pick }) => ({
      customer: rng.chance(0.7) ? id(pick('customers')) : null,
      status: rng.weighted(['succeeded', 'requires_payment_method', 'canceled'], [70, 20, 10]),
    }),
  },
  subscriptions: {
    refs: ['customers', 'prices'],
    overrides: {
      cancel_at: null, canceled_at: null, ended_at: null, trial_start: null, trial_end: null, cancel_at_period_end: false,
      next_pending_invoice_item_invoice: null, pause_collection: null, pending_update: null, latest_invoice: null,
    },
    fill: ({ rng, pick, created, now }) => {
      const fields: Record<string, unknown> = { customer: id(pick('customers')), start_date: created, billing_cycle_anchor: created };
      if (rng.chance(0.2)) {
        const ended = Math.min(now, created + rng.int(1, 400) * DAY);
        Object.assign(fields, { status: 'canceled', canceled_at: ended, ended_at: ended });
      } else {
        fields.status = rng.weighted(['active', 'trialing', 'past_due', 'unpaid', 'incomplete', 'paused'], [75, 8, 6, 3, 4, 4]);
      }
      return fields;
    },
  },
  invoices: {
    refs: ['customers', 'subscriptions'],
    overrides: {
      due_date: null, next_payment_attempt: null, last_finalization_error: null, from_invoice: null, parent: null,
    },
    fill: ({ rng, pick }) => {
      const subscription = rng.chance(0.5) ? pick('subscriptions') : undefined;
      const total = amount(rng);
      const status = rng.weighted(['paid', 'open', 'draft', 'void', 'uncollectible'], [65, 15, 8, 7, 5]);
      const paid = status === 'paid' ? total : 0;
      return {
        customer: subscription ? field(subscription, 'customer') : id(pick('customers')), subscription: id(subscription),
        status, amount_due: total, amount_paid: paid, amount_remaining: total - paid, subtotal: total, total,
        subtotal_excluding_tax: total, total_excluding_tax: total,
      };
    },
  },
  invoice_items: {
    refs: ['customers', 'invoices'],
    fill: ({ rng, pick }) => {
      const invoice = rng.chance(0.5) ? pick('invoices') : undefined;
      return { customer: invoice ? field(invoice, 'customer') : id(pick('customers')), invoice: id(invoice), amount: amount(rng) };
    },
  },
  credit_notes: {
    refs: ['invoices'],
    overrides: { voided_at: null, refunds: [] },
    fill: ({ rng, pick }) => {
      const invoice = pick('invoices');
      const total = Math.max(1, Math.floor(((invoice?.fields.total as number | undefined) ?? amount(rng)) / 2));
      return { invoice: id(invoice), customer: field(invoice, 'customer'), amount: total, total, subtotal: total,
        status: rng.chance(0.85) ? 'issued' : 'void' };
    },
  },
  payouts: {
    overrides: { balance_transaction: null, destination: null },
    fill: ({ rng, created }) => ({
      amount: amount(rng), arrival_date: created + 2 * DAY, status: rng.weighted(['paid', 'in_transit', 'failed'], [85, 10, 5]),
    }),
  },
  transfers: {
    overrides: { balance_transaction: null, destination_payment: null },
    fill: ({ rng }) => ({ amount: amount(rng) }),
  },
  application_fees: {
    refs: ['charges'],
    overrides: { balance_transaction: null },
    fill: ({ rng, pick }) => {
      const charge = pick('charges');
      return { charge: id(charge), amount: rng.int(10, 500), fee_source: charge ? { charge: charge.id, type: 'charge' } : null };
    },
  },
  checkout_sessions: {
    refs: ['customers', 'payment_intents'],
    fill: ({ rng, pick, created }) => {
      const status = rng.weighted(['complete', 'expired', 'open'], [60, 30, 10]);
      return {
        customer: id(pick('customers')), payment_intent: status === 'complete' ? id(pick('payment_intents')) : null,
        status, payment_status: status === 'complete' ? 'paid' : 'unpaid', expires_at: created + DAY,
      };
    },
  },
  topups: {
    overrides: { source: null },
    fill: ({ rng }) => ({ amount: amount(rng), status: rng.weighted(['succeeded', 'pending', 'failed'], [85, 10, 5]) }),
  },
};

/** Children of each parent stream, keyed by child stream. */
export const CHILD_SHAPES: Partial<Record<StreamName, ChildShape>> = {
  subscription_items: {
    count: (rng, index) => (isLargeParent(index) ? rng.int(11, 25) : rng.int(1, 3)),
    fill: ({ rng, pick, expand, created }, parent) => {
      const price = pick('prices');
      const fields: Record<string, unknown> = {
        subscription: parent.id, quantity: rng.int(1, 5), current_period_start: created, current_period_end: created + 30 * DAY,
      };
      if (price) fields.price = expand('prices', price);
      return fields;
    },
  },
  invoice_line_items: {
    count: (rng, index) => (isLargeParent(index) ? rng.int(11, 40) : rng.int(1, 5)),
    fill: ({ rng, index }, parent) => ({
      invoice: parent.id, subscription: parent.fields.subscription ?? null, amount: amount(rng), description: `Line ${index + 1}`,
    }),
  },
  setup_attempts: {
    count: (rng) => rng.int(0, 3),
    created: (rng, parentCreated, now) => Math.min(now, parentCreated + rng.int(0, 2 * DAY)),
    fill: ({ rng }, parent) => {
      const succeeded = rng.chance(0.7);
      return {
        setup_intent: parent.id, customer: parent.fields.customer ?? null, status: succeeded ? 'succeeded' : 'failed',
        setup_error: succeeded ? null : { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' },
      };
    },
  },
};
