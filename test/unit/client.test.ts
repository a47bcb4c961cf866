import { describe, expect, it } from 'vitest';
import { buildPath, permissionFromMessage } from '../../src/http/client.js';

describe('buildPath', () => {
  it('keeps brackets readable', () => {
    expect(buildPath('/v1/charges', { limit: 100, 'created[gte]': 1_700_000_000, 'created[lt]': 1_700_086_400 })).toBe(
      '/v1/charges?limit=100&created[gte]=1700000000&created[lt]=1700086400',
    );
    expect(buildPath('/v1/invoices', { 'expand[]': 'data.customer' })).toBe('/v1/invoices?expand[]=data.customer');
  });

  it('drops undefined values and keeps the order given', () => {
    expect(buildPath('/v1/customers', { limit: 10, starting_after: undefined, email: 'a@b.c' })).toBe('/v1/customers?limit=10&email=a%40b.c');
  });

  it('gives the bare path without parameters', () => {
    expect(buildPath('/v1/account')).toBe('/v1/account');
    expect(buildPath('/v1/account', {})).toBe('/v1/account');
    expect(buildPath('/v1/account', { x: undefined })).toBe('/v1/account');
  });

  it('encodes values', () => {
    expect(buildPath('/v1/x', { q: 'a b&c=d/é?#' })).toBe('/v1/x?q=a%20b%26c%3Dd%2F%C3%A9%3F%23');
    expect(buildPath('/v1/x', { empty: '', zero: 0 })).toBe('/v1/x?empty=&zero=0');
  });

  it('encodes keys apart from their brackets', () => {
    expect(buildPath('/v1/x', { 'metadata[a b]': 'v', 'a&b': 'c' })).toBe('/v1/x?metadata[a%20b]=v&a%26b=c');
  });

  it('round-trips through URLSearchParams', () => {
    const query = { 'created[gte]': 1, starting_after: 'cus_1', q: 'x+y z&w' };
    const built = buildPath('/v1/customers', query);
    const parsed = Object.fromEntries(new URL(built, 'https://api.stripe.com').searchParams);
    expect(parsed).toEqual({ 'created[gte]': '1', starting_after: 'cus_1', q: 'x+y z&w' });
  });
});

describe('permissionFromMessage', () => {
  it("finds the permission in Stripe's 403 message", () => {
    expect(
      permissionFromMessage(
        "The provided key 'rk_test_****abcd' does not have the required permissions for this endpoint on account 'acct_1'. Having the 'rak_subscription_read' permission would allow this request to continue.",
      ),
    ).toBe('rak_subscription_read');
    expect(permissionFromMessage("Having the 'rak_checkout_session_read' permission would allow this request to continue.")).toBe('rak_checkout_session_read');
  });

  it('is undefined when no permission is named', () => {
    expect(permissionFromMessage('You do not have permission.')).toBeUndefined();
    expect(permissionFromMessage("'rk_test_****abcd' lacks access")).toBeUndefined();
    expect(permissionFromMessage('')).toBeUndefined();
  });
});
