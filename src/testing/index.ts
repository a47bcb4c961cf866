/**
 * `stripe-source/testing`: a fake Stripe account for tests, of stripe-source and of your own pipeline.
 * It serves Stripe's list semantics, errors, rate limits, latency and faults, over msw or a local server,
 * and can be a Connect platform with connected accounts.
 */
export { createFakeStripe } from './fake.js';
export { FAULT_KINDS, TRANSIENT_FAULT_KINDS } from './types.js';
export type {
  ConnectedAccountOptions, CreatedDistribution, CreatedSkew, FakeRequest, FakeResponse, FakeServer, FakeStripe, FakeStripeOptions,
  FakeStripeStats, FaultKind, FaultOptions, LatencyOptions, ListenOptions, MutationOptions, RateLimitOptions, RestrictedKeyOptions,
  StreamName, StripeObject, TransportFault,
} from './types.js';
