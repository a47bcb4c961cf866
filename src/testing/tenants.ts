/**
 * Who a request is for: the platform (the fake's own account) or one of its connected accounts. Each has
 * its own store (data and events), its own mutations and its own rate-limit budget, as on Stripe, where a
 * connected account is an account of its own that the platform acts on with `Stripe-Account`. The platform
 * also holds one `accounts` object per connected account: the list of `/v1/accounts`.
 */
import { STREAMS, type StreamName } from '../catalog/streams.js';
import { deepFreeze } from './freeze.js';
import { generate } from './generate.js';
import { Mutations } from './mutations.js';
import type { NormalizedAccount, NormalizedOptions } from './options.js';
import { Rng, deriveSeed } from './random.js';
import { Store } from './store.js';
import { makeTemplate, serialize } from './template.js';
import type { StripeObject } from './types.js';

const DAY = 24 * 60 * 60;
const YEAR = 365 * DAY;
/** A connected account was created this long before its oldest object, so a reader's floor sits below its data. */
const CONNECTED_BEFORE_DATA = 7 * DAY;
const ACCOUNT_ID = /^acct_[A-Za-z0-9]+$/;

/**
 * The catalog's stream of connected accounts, found by its path rather than its name so this file compiles
 * and runs with or without that catalog row: without it, connected accounts are still served through
 * `Stripe-Account`, only `/v1/accounts` is not.
 */
export const ACCOUNTS_STREAM: StreamName | undefined = STREAMS.find((s) => s.path === '/v1/accounts')?.name;

export interface Tenant {
  readonly id: string;
  readonly store: Store;
  readonly mutations: Mutations;
  /** The body of `GET /v1/account` (and of `/v1/accounts/{its id}`), rendered when asked: updates show. */
  accountJson(): string;
}

/** Own fields of an account object; the rest comes from Stripe's example account. */
function accountFields(id: string, created: number, email: string): Record<string, unknown> {
  return { id, created, email, charges_enabled: true, payouts_enabled: true };
}

export class Tenants {
  readonly platform: Tenant;
  private readonly connected = new Map<string, Tenant>();
  /** Ids of accounts connected with `create('accounts')`, apart from every other draw. */
  private readonly idRng: Rng;

  constructor(private readonly settings: NormalizedOptions, platformId: string) {
    const store = this.newStore();
    generate(store, {
      seed: settings.seed, records: settings.records, startDate: settings.startDate, createdDistribution: settings.createdDistribution,
    });
    // Serialized once, exactly as before connected accounts existed: a year older than the oldest object.
    const json = serialize(makeTemplate('account'), accountFields(platformId, settings.startDate - YEAR, 'owner@example.com'), store);
    this.platform = {
      id: platformId,
      store,
      mutations: new Mutations(store, new Rng(deriveSeed(settings.seed, 'mutations'))),
      accountJson: () => json,
    };
    this.idRng = new Rng(deriveSeed(settings.seed, 'connected-account-ids'));
    for (const [id, account] of settings.accounts) this.connect(id, account, true);
  }

  /** Connected account ids, in the order they were connected. */
  ids(): string[] {
    return [...this.connected.keys()];
  }

  /**
   * The tenant a `Stripe-Account` header names: the platform without one or when it names the platform,
   * undefined for an account the platform doesn't have (Stripe's 403 `account_invalid`).
   */
  resolve(header: string | undefined): Tenant | undefined {
    if (header === undefined || header === '' || header === this.platform.id) return this.platform;
    return this.connected.get(header);
  }

  /** The tenant of the JavaScript API (`objects`, `create`, ...): a mistyped id is the test's bug, so it throws. */
  get(accountId: string | undefined): Tenant {
    const tenant = this.resolve(accountId);
    if (!tenant) {
      throw new Error(`the fake has no account '${accountId}': connected accounts are ${this.ids().join(', ') || 'none'} ` +
        `(the platform is ${this.platform.id})`);
    }
    return tenant;
  }

  /** `create('accounts')` at the platform: a new connected account, created now, with no data yet. */
  createAccount(input: Record<string, unknown>): StripeObject {
    const stream = requireAccountsStream();
    const { store, mutations } = this.platform;
    const given = input.id;
    if (given !== undefined && (typeof given !== 'string' || !ACCOUNT_ID.test(given) || given === this.platform.id)) {
      throw new Error(`create('accounts'): id ${JSON.stringify(given)} is not a new connected account id (acct_ and letters and digits)`);
    }
    const id = given ?? store.newId(stream, this.idRng);
    const created = typeof input.created === 'number' ? input.created : store.nowSeconds();
    const object = mutations.create(stream, { ...accountFields(id, created, emailOf(id)), ...input }); // checks the id is new
    this.connect(id, { records: new Map(), startDate: created, createdDistribution: 'default' }, false);
    return object;
  }

  /** `del('accounts', id)` at the platform: disconnects the account; its data goes with it. */
  deleteAccount(id: string): void {
    this.platform.mutations.del(requireAccountsStream(), id);
    this.connected.delete(id);
  }

  private newStore(): Store {
    return new Store({ apiVersion: this.settings.eventApiVersion, now: this.settings.now });
  }

  /** Adds a connected account with its own generated data, and (when `list`) its object to `/v1/accounts`. */
  private connect(id: string, account: NormalizedAccount, list: boolean): void {
    const store = this.newStore();
    const seed = deriveSeed(this.settings.seed, `account:${id}`);
    generate(store, { seed, records: account.records, startDate: account.startDate, createdDistribution: account.createdDistribution });
    const platform = this.platform.store;
    const stream = ACCOUNTS_STREAM;
    const created = account.startDate - CONNECTED_BEFORE_DATA;
    const fields = deepFreeze(accountFields(id, created, emailOf(id)));
    if (stream && list) platform.collection(stream).insert({ id, created, seq: platform.nextSeq(), fields });
    this.connected.set(id, {
      id,
      store,
      mutations: new Mutations(store, new Rng(deriveSeed(seed, 'mutations'))),
      accountJson: () => {
        // The platform's object when the catalog has the stream, so `update('accounts', id, ...)` shows here too.
        const row = stream ? platform.collection(stream).get(id) : undefined;
        return row && stream ? platform.json(stream, row) : serialize(makeTemplate('account'), fields, platform);
      },
    });
  }
}

function emailOf(id: string): string {
  return `owner@${id.toLowerCase().replace('_', '-')}.example.com`;
}

function requireAccountsStream(): StreamName {
  if (!ACCOUNTS_STREAM) throw new Error("the catalog has no 'accounts' stream: connected accounts come only from the `accounts` option");
  return ACCOUNTS_STREAM;
}
