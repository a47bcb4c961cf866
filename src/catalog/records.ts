import type Stripe from 'stripe';
import type { StreamName } from './streams.js';

/** The record type of each stream: the `stripe` package's own types, at the API version it pins. */
export interface StreamRecordTypes {
  customers: Stripe.Customer;
  charges: Stripe.Charge;
  payment_intents: Stripe.PaymentIntent;
  refunds: Stripe.Refund;
  disputes: Stripe.Dispute;
  setup_intents: Stripe.SetupIntent;
  setup_attempts: Stripe.SetupAttempt;
  subscriptions: Stripe.Subscription;
  subscription_items: Stripe.SubscriptionItem;
  invoices: Stripe.Invoice;
  invoice_line_items: Stripe.InvoiceLineItem;
  invoice_items: Stripe.InvoiceItem;
  products: Stripe.Product;
  prices: Stripe.Price;
  payouts: Stripe.Payout;
  balance_transactions: Stripe.BalanceTransaction;
  shipping_rates: Stripe.ShippingRate;
  coupons: Stripe.Coupon;
  promotion_codes: Stripe.PromotionCode;
  credit_notes: Stripe.CreditNote;
  tax_rates: Stripe.TaxRate;
  checkout_sessions: Stripe.Checkout.Session;
  transfers: Stripe.Transfer;
  application_fees: Stripe.ApplicationFee;
  early_fraud_warnings: Stripe.Radar.EarlyFraudWarning;
  plans: Stripe.Plan;
  topups: Stripe.Topup;
  accounts: Stripe.Account;
  events: Stripe.Event;
}

// Fails to compile when the table and the record types drift apart.
type Missing = Exclude<StreamName, keyof StreamRecordTypes>;
type Extra = Exclude<keyof StreamRecordTypes, StreamName>;
export const catalogMatchesRecordTypes: [Missing, Extra] extends [never, never] ? true : never = true;
