import { describe, expect, it } from 'vitest';
import { classifyFailure, parseRetryAfter } from '../../src/http/classify.js';

const NOW = Date.UTC(2026, 9, 15, 12, 0, 0);

/** Plain objects shaped like stripe-node errors (type, statusCode, code, headers, requestId). */
function stripeError(fields: { type?: string; statusCode?: number; code?: string; headers?: Record<string, string | string[]>; requestId?: string }) {
  return { message: 'from Stripe', ...fields };
}

const rateLimit = (code: string, headers: Record<string, string> = {}) =>
  stripeError({ type: 'StripeRateLimitError', statusCode: 429, code, headers: { 'request-id': 'req_h', ...headers }, requestId: 'req_429' });

describe('classifyFailure', () => {
  it('retries a 429 rate_limit', () => {
    const facts = classifyFailure(rateLimit('rate_limit', { 'stripe-rate-limited-reason': 'endpoint-rate' }), NOW);
    expect(facts).toEqual({
      retry: true,
      reason: 'rate_limit',
      statusCode: 429,
      code: 'rate_limit',
      requestId: 'req_429',
      rateLimitedReason: 'endpoint-rate',
      retryAfterMs: undefined,
    });
  });

  it('retries a 429 lock_timeout and says so', () => {
    const facts = classifyFailure(rateLimit('lock_timeout'), NOW);
    expect(facts.retry).toBe(true);
    expect(facts.reason).toBe('lock_timeout');
  });

  it('retries a 429 without a code', () => {
    expect(classifyFailure(stripeError({ type: 'StripeRateLimitError', statusCode: 429 }), NOW)).toMatchObject({ retry: true, reason: 'rate_limit' });
  });

  it.each([500, 502, 503, 504])('retries a %i', (statusCode) => {
    const facts = classifyFailure(stripeError({ type: 'StripeAPIError', statusCode }), NOW);
    expect(facts).toMatchObject({ retry: true, reason: 'server_error', statusCode });
  });

  it('retries a 409 conflict', () => {
    expect(classifyFailure(stripeError({ type: 'StripeIdempotencyError', statusCode: 409 }), NOW)).toMatchObject({ retry: true, reason: 'conflict' });
  });

  it('does not retry a 500 with stripe-should-retry: false', () => {
    const facts = classifyFailure(stripeError({ type: 'StripeAPIError', statusCode: 500, headers: { 'stripe-should-retry': 'false' } }), NOW);
    expect(facts).toMatchObject({ retry: false, reason: 'server_error' });
  });

  it('retries a 400 with stripe-should-retry: true', () => {
    const facts = classifyFailure(stripeError({ type: 'StripeInvalidRequestError', statusCode: 400, headers: { 'stripe-should-retry': 'true' } }), NOW);
    expect(facts).toMatchObject({ retry: true, reason: 'http_400' });
  });

  it('honours stripe-should-retry given as an array of values', () => {
    const facts = classifyFailure(stripeError({ statusCode: 400, headers: { 'stripe-should-retry': ['true'] } }), NOW);
    expect(facts.retry).toBe(true);
  });

  it.each([
    [401, 'StripeAuthenticationError'],
    [403, 'StripePermissionError'],
  ])('never retries a %i, even with stripe-should-retry: true', (statusCode, type) => {
    expect(classifyFailure(stripeError({ type, statusCode }), NOW)).toMatchObject({ retry: false, reason: `http_${statusCode}`, statusCode });
    expect(classifyFailure(stripeError({ type, statusCode, headers: { 'stripe-should-retry': 'true' } }), NOW).retry).toBe(false);
  });

  it.each([400, 404])('does not retry a %i', (statusCode) => {
    const facts = classifyFailure(stripeError({ type: 'StripeInvalidRequestError', statusCode, code: 'resource_missing' }), NOW);
    expect(facts).toMatchObject({ retry: false, reason: `http_${statusCode}`, code: 'resource_missing' });
  });

  it('retries a StripeConnectionError', () => {
    const facts = classifyFailure(stripeError({ type: 'StripeConnectionError' }), NOW);
    expect(facts).toMatchObject({ retry: true, reason: 'network', statusCode: undefined });
  });

  it('retries a StripeAPIError without a status code (an unparseable body)', () => {
    expect(classifyFailure(stripeError({ type: 'StripeAPIError' }), NOW)).toMatchObject({ retry: true, reason: 'malformed_response' });
  });

  it('does not retry what it does not know', () => {
    for (const error of [new Error('boom'), 'a string', null, undefined, 42, { type: 'StripeInvalidRequestError' }]) {
      expect(classifyFailure(error, NOW)).toMatchObject({ retry: false, reason: 'unknown', statusCode: undefined, requestId: undefined });
    }
  });

  it('reads Retry-After in seconds', () => {
    expect(classifyFailure(rateLimit('rate_limit', { 'retry-after': '3' }), NOW).retryAfterMs).toBe(3000);
  });

  it('reads Retry-After as an HTTP date', () => {
    const header = new Date(NOW + 7000).toUTCString();
    expect(classifyFailure(rateLimit('rate_limit', { 'retry-after': header }), NOW).retryAfterMs).toBe(7000);
  });

  it('takes the request id from the error, else from the headers', () => {
    expect(classifyFailure(stripeError({ statusCode: 500, requestId: 'req_err', headers: { 'request-id': 'req_hdr' } }), NOW).requestId).toBe('req_err');
    expect(classifyFailure(stripeError({ statusCode: 500, headers: { 'request-id': 'req_hdr' } }), NOW).requestId).toBe('req_hdr');
    expect(classifyFailure(stripeError({ statusCode: 500 }), NOW).requestId).toBeUndefined();
  });

  it('ignores headers that are not an object', () => {
    expect(classifyFailure({ statusCode: 500, headers: 'stripe-should-retry: false' }, NOW)).toMatchObject({ retry: true, requestId: undefined });
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds, fractions included', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter('5', NOW)).toBe(5000);
    expect(parseRetryAfter('1.5', NOW)).toBe(1500);
    expect(parseRetryAfter(' 2 ', NOW)).toBe(2000);
  });

  it('never returns a negative wait', () => {
    expect(parseRetryAfter('-3', NOW)).toBe(0);
    expect(parseRetryAfter(new Date(NOW - 60_000).toUTCString(), NOW)).toBe(0);
  });

  it('reads an HTTP date relative to now', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.UTC(2015, 9, 21, 7, 27, 50))).toBe(10_000);
  });

  it('gives undefined for nothing or garbage', () => {
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
    expect(parseRetryAfter('', NOW)).toBeUndefined();
    expect(parseRetryAfter('   ', NOW)).toBeUndefined();
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
  });
});
