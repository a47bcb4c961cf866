/**
 * The stream table. Adding a stream is adding a row here (and its record type in `records.ts`); readers,
 * planner, checkpoint, fake Stripe and docs all work from these rows.
 */

/** How a child stream hangs off its parent. */
export interface ChildLink {
  /** The parent stream's name. */
  readonly stream: string;
  /**
   * Field of the parent object that embeds the first page of children as a list (`invoice.lines`,
   * `subscription.items`). When present, children come from the parent for free and only a list with
   * `has_more` costs requests.
   */
  readonly embedded?: string;
  /**
   * The list path for children of one parent; `{parent}` is replaced by the parent's id. Used for every
   * parent (no `embedded`), or to page past an embedded list's first page.
   */
  readonly listPath: string;
  /** Query parameter that names the parent on `listPath` (`setup_intent=`), when the path doesn't. */
  readonly parentParam?: string;
  /**
   * A parent field that is null exactly when the parent has no children (`setup_intent.latest_attempt`),
   * so parents without children cost no request.
   */
  readonly skipWhenNull?: string;
}

/**
 * How a stream stays up to date after its first full read (see docs/streams.md):
 * - `events`: updates, deletes and new objects come from one pass over `/v1/events`.
 * - `events_and_new`: updates from events; new objects by listing what was created since the last run,
 *   because Stripe sends no event when one is created (an open Checkout Session).
 * - `parent`: a child stream, re-read from its parent's events (and deleted when it left the parent).
 * - `relist`: Stripe sends no event for some of its changes, so the stream is read again in full every run,
 *   inside a `resync` bracket.
 * - `append`: immutable objects: continue by `created`, looking back a little for late arrivals.
 */
export type ChangeStrategy = 'events' | 'events_and_new' | 'parent' | 'relist' | 'append';

export interface StreamDefinition {
  readonly name: string;
  /** The `object` field of the stream's records. */
  readonly objectType: string;
  /** List path, e.g. `/v1/customers`. For child streams, the path of their own list. */
  readonly path: string;
  readonly primaryKey: readonly string[];
  /** Field that list endpoints filter on (`created[gte]`/`created[lt]`); null when the list can't filter. */
  readonly cursorField: 'created' | null;
  /**
   * The record field that holds the creation time `created[...]` filters on. `created` except for invoice
   * items, whose objects carry it as `date`.
   */
  readonly createdField: 'created' | 'date';
  /** Fixed list parameters that switch off Stripe's default exclusions (`status=all`). */
  readonly params: Readonly<Record<string, string>>;
  /**
   * A list read once per partition when no single parameter value returns everything (`prices` lists
   * only active prices unless `active=false` is asked for). Partitions must not overlap.
   */
  readonly partitions?: readonly Readonly<Record<string, string>>[];
  readonly parent?: ChildLink;
  /** Event types that create or change an object of this stream. */
  readonly eventTypes: readonly string[];
  /** Event types that remove an object of this stream. */
  readonly deleteEventTypes: readonly string[];
  /** How changes after the first full read are captured. */
  readonly changes: ChangeStrategy;
  /**
   * `platform`: with Connect fan-out, read once at the platform (transfers to connected accounts, the fees
   * taken from them); `account`: read for every connected account.
   */
  readonly scope: 'account' | 'platform';
  /** Prefix of the ids Stripe gives this stream's objects (used by the fake Stripe and docs). */
  readonly idPrefix: string;
  /** Restricted-key permission that reads this stream (shown when Stripe answers 403). */
  readonly permission: string;
  /** One line for the streams reference. */
  readonly description: string;
}

const ev = (object: string, actions: readonly string[]): string[] => actions.map((a) => `${object}.${a}`);

type Defaulted = 'cursorField' | 'createdField' | 'params' | 'deleteEventTypes' | 'changes' | 'scope';
type RowInput<N extends string> = Omit<StreamDefinition, 'name' | 'primaryKey' | Defaulted> &
  Partial<Pick<StreamDefinition, Defaulted>> & { readonly name: N };

/**
 * A row with every field set, in one order (an absent one `undefined`), as is its child link: every row then
 * has one V8 shape, so the code that reads a row for every record and request (the created field, the
 * child link) stays optimized. Rows spread from their literals had a shape each, and each new one met
 * deoptimized the reader and had it compiled again (bench (d)).
 */
function row<N extends string>(def: RowInput<N>): StreamDefinition & { readonly name: N } {
  const parent = def.parent && {
    stream: def.parent.stream,
    embedded: def.parent.embedded,
    listPath: def.parent.listPath,
    parentParam: def.parent.parentParam,
    skipWhenNull: def.parent.skipWhenNull,
  };
  return {
    name: def.name,
    objectType: def.objectType,
    path: def.path,
    primaryKey: ['id'],
    cursorField: def.cursorField === undefined ? 'created' : def.cursorField,
    createdField: def.createdField ?? 'created',
    params: def.params ?? {},
    partitions: def.partitions,
    parent,
    eventTypes: def.eventTypes,
    deleteEventTypes: def.deleteEventTypes ?? [],
    changes: def.changes ?? (parent ? 'parent' : 'events'),
    scope: def.scope ?? 'account',
    idPrefix: def.idPrefix,
    permission: def.permission,
    description: def.description,
  };
}

export const STREAMS = [
  row({
    name: 'customers', objectType: 'customer', path: '/v1/customers', idPrefix: 'cus_',
    permission: 'rak_customer_read', description: 'Customers (Stripe never lists deleted customers).',
    eventTypes: ev('customer', ['created', 'updated']), deleteEventTypes: ['customer.deleted'],
  }),
  row({
    name: 'charges', objectType: 'charge', path: '/v1/charges', idPrefix: 'ch_', permission: 'rak_charge_read',
    description: 'Charges.',
    eventTypes: ev('charge', ['captured', 'expired', 'failed', 'pending', 'refunded', 'succeeded', 'updated']),
  }),
  row({
    name: 'payment_intents', objectType: 'payment_intent', path: '/v1/payment_intents', idPrefix: 'pi_',
    permission: 'rak_payment_intent_read', description: 'PaymentIntents.',
    eventTypes: ev('payment_intent', ['amount_capturable_updated', 'canceled', 'created', 'partially_funded',
      'payment_failed', 'processing', 'requires_action', 'succeeded']),
  }),
  row({
    name: 'refunds', objectType: 'refund', path: '/v1/refunds', idPrefix: 're_', permission: 'rak_refund_read',
    description: 'Refunds of charges.', eventTypes: [...ev('refund', ['created', 'failed', 'updated']), 'charge.refund.updated'],
  }),
  row({
    name: 'disputes', objectType: 'dispute', path: '/v1/disputes', idPrefix: 'dp_', permission: 'rak_dispute_read',
    description: 'Disputes of charges.',
    eventTypes: ev('charge.dispute', ['closed', 'created', 'funds_reinstated', 'funds_withdrawn', 'updated']),
  }),
  row({
    name: 'setup_intents', objectType: 'setup_intent', path: '/v1/setup_intents', idPrefix: 'seti_',
    permission: 'rak_setup_intent_read', description: 'SetupIntents.',
    eventTypes: ev('setup_intent', ['canceled', 'created', 'requires_action', 'setup_failed', 'succeeded']),
  }),
  row({
    name: 'setup_attempts', objectType: 'setup_attempt', path: '/v1/setup_attempts', idPrefix: 'setatt_',
    permission: 'rak_setup_intent_read',
    description: 'Every attempt of every SetupIntent (child of setup_intents; intents without an attempt cost no request).',
    parent: { stream: 'setup_intents', listPath: '/v1/setup_attempts', parentParam: 'setup_intent', skipWhenNull: 'latest_attempt' },
    eventTypes: [],
  }),
  row({
    name: 'subscriptions', objectType: 'subscription', path: '/v1/subscriptions', idPrefix: 'sub_',
    params: { status: 'all' }, permission: 'rak_subscription_read',
    description: 'Subscriptions in every status, canceled included (`status=all`).',
    eventTypes: ev('customer.subscription', ['created', 'deleted', 'paused', 'pending_update_applied',
      'pending_update_expired', 'resumed', 'trial_will_end', 'updated']),
  }),
  row({
    name: 'subscription_items', objectType: 'subscription_item', path: '/v1/subscription_items', idPrefix: 'si_',
    permission: 'rak_subscription_read',
    description: 'Items of every subscription (child of subscriptions; from the embedded `items`, paged past 10).',
    parent: { stream: 'subscriptions', embedded: 'items', listPath: '/v1/subscription_items', parentParam: 'subscription' },
    cursorField: null, eventTypes: [],
  }),
  row({
    name: 'invoices', objectType: 'invoice', path: '/v1/invoices', idPrefix: 'in_', permission: 'rak_invoice_read',
    description: 'Invoices in every status.',
    eventTypes: ev('invoice', ['created', 'finalization_failed', 'finalized', 'marked_uncollectible', 'overdue',
      'overpaid', 'paid', 'payment_action_required', 'payment_failed', 'payment_succeeded', 'sent', 'updated',
      'voided', 'will_be_due']),
    deleteEventTypes: ['invoice.deleted'],
  }),
  row({
    name: 'invoice_line_items', objectType: 'line_item', path: '/v1/invoices/{parent}/lines', idPrefix: 'il_',
    permission: 'rak_invoice_read',
    description: 'Lines of every invoice (child of invoices; from the embedded `lines`, paged past 10).',
    parent: { stream: 'invoices', embedded: 'lines', listPath: '/v1/invoices/{parent}/lines' },
    cursorField: null, eventTypes: [],
  }),
  row({
    name: 'invoice_items', objectType: 'invoiceitem', path: '/v1/invoiceitems', idPrefix: 'ii_',
    permission: 'rak_invoice_read', description: 'Invoice items, pending and invoiced (creation time in `date`).',
    createdField: 'date',
    // Stripe has no `invoiceitem.updated`: an item attached to an invoice or edited sends nothing.
    eventTypes: ev('invoiceitem', ['created']), deleteEventTypes: ['invoiceitem.deleted'], changes: 'relist',
  }),
  row({
    name: 'products', objectType: 'product', path: '/v1/products', idPrefix: 'prod_', permission: 'rak_product_read',
    description: 'Products, active and archived.',
    eventTypes: ev('product', ['created', 'updated']), deleteEventTypes: ['product.deleted'],
  }),
  row({
    name: 'prices', objectType: 'price', path: '/v1/prices', idPrefix: 'price_', permission: 'rak_price_read',
    description: 'Prices, active and inactive (read once with `active=true` and once with `active=false`).',
    partitions: [{ active: 'true' }, { active: 'false' }],
    eventTypes: ev('price', ['created', 'updated']), deleteEventTypes: ['price.deleted'],
  }),
  row({
    name: 'payouts', objectType: 'payout', path: '/v1/payouts', idPrefix: 'po_', permission: 'rak_payout_read',
    description: 'Payouts.',
    eventTypes: ev('payout', ['canceled', 'created', 'failed', 'paid', 'reconciliation_completed', 'updated']),
  }),
  row({
    name: 'balance_transactions', objectType: 'balance_transaction', path: '/v1/balance_transactions', idPrefix: 'txn_',
    permission: 'rak_balance_read', description: 'Balance transactions (immutable).', eventTypes: [], changes: 'append',
  }),
  row({
    name: 'shipping_rates', objectType: 'shipping_rate', path: '/v1/shipping_rates', idPrefix: 'shr_',
    permission: 'rak_shipping_rate_read', description: 'Shipping rates (Stripe sends no events for them).', eventTypes: [], changes: 'relist',
  }),
  row({
    name: 'coupons', objectType: 'coupon', path: '/v1/coupons', idPrefix: 'co_', permission: 'rak_coupon_read',
    description: 'Coupons.', eventTypes: ev('coupon', ['created', 'updated']), deleteEventTypes: ['coupon.deleted'],
  }),
  row({
    name: 'promotion_codes', objectType: 'promotion_code', path: '/v1/promotion_codes', idPrefix: 'promo_',
    permission: 'rak_promotion_code_read', description: 'Promotion codes, active and inactive.',
    eventTypes: ev('promotion_code', ['created', 'updated']),
  }),
  row({
    name: 'credit_notes', objectType: 'credit_note', path: '/v1/credit_notes', idPrefix: 'cn_',
    permission: 'rak_credit_note_read', description: 'Credit notes, voided ones included.',
    eventTypes: ev('credit_note', ['created', 'updated', 'voided']),
  }),
  row({
    name: 'tax_rates', objectType: 'tax_rate', path: '/v1/tax_rates', idPrefix: 'txr_', permission: 'rak_tax_rate_read',
    description: 'Tax rates, active and archived.', eventTypes: ev('tax_rate', ['created', 'updated']),
  }),
  row({
    name: 'checkout_sessions', objectType: 'checkout.session', path: '/v1/checkout/sessions', idPrefix: 'cs_',
    permission: 'rak_checkout_session_read', description: 'Checkout Sessions, expired ones included.',
    // No `checkout.session.created`: open sessions are found by listing what was created since the last run.
    eventTypes: ev('checkout.session', ['async_payment_failed', 'async_payment_succeeded', 'completed', 'expired']),
    changes: 'events_and_new',
  }),
  row({
    name: 'transfers', objectType: 'transfer', path: '/v1/transfers', idPrefix: 'tr_', permission: 'rak_transfer_read',
    description: 'Transfers to connected accounts.', eventTypes: ev('transfer', ['created', 'reversed', 'updated']), scope: 'platform',
  }),
  row({
    name: 'application_fees', objectType: 'application_fee', path: '/v1/application_fees', idPrefix: 'fee_',
    permission: 'rak_application_fee_read', description: 'Application fees collected by a Connect platform.',
    eventTypes: ['application_fee.created', 'application_fee.refunded', 'application_fee.refund.updated'], scope: 'platform',
  }),
  row({
    name: 'early_fraud_warnings', objectType: 'radar.early_fraud_warning', path: '/v1/radar/early_fraud_warnings',
    idPrefix: 'issfr_', permission: 'rak_radar_read', description: 'Radar early fraud warnings.',
    eventTypes: ev('radar.early_fraud_warning', ['created', 'updated']),
  }),
  row({
    name: 'plans', objectType: 'plan', path: '/v1/plans', idPrefix: 'plan_', permission: 'rak_plan_read',
    description: 'Plans (the legacy form of recurring prices), active and inactive.',
    partitions: [{ active: 'true' }, { active: 'false' }],
    eventTypes: ev('plan', ['created', 'updated']), deleteEventTypes: ['plan.deleted'],
  }),
  row({
    name: 'topups', objectType: 'topup', path: '/v1/topups', idPrefix: 'tu_', permission: 'rak_topup_read',
    description: 'Top-ups.', eventTypes: ev('topup', ['canceled', 'created', 'failed', 'reversed', 'succeeded']),
  }),
  row({
    name: 'accounts', objectType: 'account', path: '/v1/accounts', idPrefix: 'acct_', permission: 'rak_connected_account_read',
    description: "A Connect platform's connected accounts (read at the platform; not in the default selection without `accounts`).",
    // Stripe records account changes as events of the connected account itself, not in the platform's list,
    // and a disconnected account just leaves the list: the list is read again each run, inside a bracket.
    eventTypes: [], changes: 'relist', scope: 'platform',
  }),
  row({
    name: 'events', objectType: 'event', path: '/v1/events', idPrefix: 'evt_', permission: 'rak_event_read',
    description: 'The events themselves (Stripe keeps 30 days of them).', eventTypes: [], changes: 'append',
  }),
] as const;

export type StreamName = (typeof STREAMS)[number]['name'];

export const STREAM_NAMES: readonly StreamName[] = STREAMS.map((s) => s.name);

/**
 * Streams read when none are named. `accounts` only with Connect fan-out: Stripe refuses `/v1/accounts`
 * to an account that is not a Connect platform, and a plain sync must not fail on it.
 */
export function defaultStreams(options: { connect: boolean }): readonly StreamName[] {
  return options.connect ? STREAM_NAMES : STREAM_NAMES.filter((name) => name !== 'accounts');
}

const byName = new Map<string, StreamDefinition>(STREAMS.map((s) => [s.name, s]));

export function isStreamName(name: string): name is StreamName {
  return byName.has(name);
}

export function getStream(name: StreamName): StreamDefinition {
  const def = byName.get(name);
  if (!def) throw new Error(`unknown stream ${name}`); // unreachable for a StreamName
  return def;
}

/** A selection split by where Connect fan-out reads it: once at the platform, or for every connected account. */
export function byScope(selection: readonly StreamName[]): { platform: StreamName[]; account: StreamName[] } {
  return {
    platform: selection.filter((name) => getStream(name).scope === 'platform'),
    account: selection.filter((name) => getStream(name).scope === 'account'),
  };
}

/** Child streams of a parent. */
export function childrenOf(parent: string): StreamDefinition[] {
  return STREAMS.filter((s: StreamDefinition) => s.parent?.stream === parent);
}

/**
 * Streams users ask for that Stripe no longer serves, with the change that removed them. Asking for one is
 * a ConfigError that says so, rather than a 404 in the middle of a sync.
 */
export const REMOVED_STREAMS: Readonly<Record<string, string>> = {
  order_returns:
    'Stripe removed the legacy Orders API, and order returns with it, in 2022 (API version 2022-08-01 ' +
    'dropped /v1/order_returns). Returns now live on refunds and credit notes: select "refunds" and "credit_notes".',
  usage_record_summaries:
    'Stripe removed legacy usage records with API version 2025-03-31.basil (/v1/subscription_items/{id}/' +
    'usage_record_summaries is gone; usage-based billing moved to Billing Meters). stripe-source pins ' +
    '2026-10-28.endive, whose objects have another shape, so mixing in a pre-basil endpoint would give ' +
    'records no other stream could join. Read meter event summaries with the stripe package instead.',
};
