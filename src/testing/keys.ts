/**
 * The fake's identity per seed: its account id, and the API keys it accepts: one secret key per seed, and restricted keys made on demand that lack the
 * permissions of the streams they deny (the catalog's `permission`, so streams sharing one are denied together,
 * as on Stripe: a key without `rak_invoice_read` reads neither invoices nor their lines nor invoice items).
 */
import { getStream, type StreamName } from '../catalog/streams.js';
import { Rng, deriveSeed } from './random.js';

/** The platform's own account id (`fake.accountId`), fixed per seed like its key. */
export function platformAccountId(seed: number): string {
  return `acct_${new Rng(deriveSeed(seed, 'account')).base62(16)}`;
}

export type KeyGrant =
  | { readonly kind: 'secret' }
  | { readonly kind: 'restricted'; readonly denied: ReadonlySet<string> };

export class Keys {
  readonly apiKey: string;
  private readonly grants = new Map<string, KeyGrant>();
  private readonly rng: Rng;

  constructor(seed: number) {
    this.rng = new Rng(deriveSeed(seed, 'keys'));
    this.apiKey = `sk_test_${this.rng.base62(40)}`;
    this.grants.set(this.apiKey, { kind: 'secret' });
  }

  restricted(deny: readonly StreamName[]): string {
    const key = `rk_test_${this.rng.base62(40)}`;
    this.grants.set(key, { kind: 'restricted', denied: new Set(deny.map((s) => getStream(s).permission)) });
    return key;
  }

  grant(key: string): KeyGrant | undefined {
    return this.grants.get(key);
  }
}

/** The key of a request: `Authorization: Bearer <key>` (stripe-node) or HTTP Basic with the key as user (curl -u). */
export function requestKey(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+(\S+)\s*$/i.exec(authorization);
  if (basic) {
    const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
    const user = decoded.split(':')[0];
    return user === '' ? undefined : user;
  }
  return authorization.trim() === '' ? undefined : authorization.trim();
}
