import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import type { StreamName } from '../../src/catalog/streams.js';
import { createFakeStripe, type FakeStripeOptions } from '../../src/testing/index.js';
import { Store } from '../../src/testing/store.js';
import { makeTemplate, ownDefaults, serialize } from '../../src/testing/template.js';
import { ids, NOW, NOW_MS, pageAll, serve, type Served } from './helpers.js';

// Found by path, as the fake does: the catalog's stream of connected accounts.
const ACCOUNTS = 'accounts' as StreamName;
const DAY = 86400;
const A = 'acct_1SmallShopAAAAAA';
const B = 'acct_1BiggerShopBBBBBB';
const C = 'acct_1NewestShopCCCCC';

/** Three connected accounts of different ages and sizes; the platform itself small. */
const PLATFORM: FakeStripeOptions = {
  records: { customers: 5 },
  accounts: {
    [A]: { records: { customers: 12, invoices: 4 }, startDate: NOW - 900 * DAY },
    [B]: { records: { customers: 30, charges: 40 }, startDate: NOW - 500 * DAY },
    [C]: { records: { customers: 3 }, startDate: NOW - 100 * DAY },
  },
};

const as = (account: string) => ({ headers: { 'Stripe-Account': account } });

async function platform(options: FakeStripeOptions = {}): Promise<Served> {
  return serve({ ...PLATFORM, ...options });
}

describe('a fake without connected accounts', () => {
  it('is the same single account as before: same /v1/account, no accounts, foreign Stripe-Account refused', async () => {
    const served = await serve({ records: { customers: 5 } });
    const { fake } = served;
    const account = await served.request('/v1/account');
    // Built the way the fake built it before it knew connected accounts: a year before the oldest object.
    const template = makeTemplate('account', { email: 'owner@example.com', charges_enabled: true, payouts_enabled: true });
    const store = new Store({ apiVersion: 'unused', now: () => NOW_MS });
    expect(account.text).toBe(serialize(template, ownDefaults(template, fake.accountId, NOW - 3 * 365 * DAY - 365 * DAY), store));
    expect(fake.accounts).toEqual([]);
    expect(fake.objects(ACCOUNTS)).toEqual([]);
    const list = await served.request('/v1/accounts');
    expect([list.status, list.json.data, list.json.has_more]).toEqual([200, [], false]);
    const foreign = await served.request('/v1/customers', as(A));
    expect([foreign.status, foreign.json.error.code]).toEqual([403, 'account_invalid']);
    // Its data does not change when connected accounts are added to the same seed.
    const withAccounts = createFakeStripe({ now: () => NOW_MS, ...PLATFORM });
    for (const stream of ['customers', 'charges', 'invoices', 'events'] as const) {
      expect(JSON.stringify(withAccounts.objects(stream)), stream).toBe(JSON.stringify(fake.objects(stream)));
    }
  });
});

describe('/v1/accounts', () => {
  it('lists the connected accounts newest first, pages with cursors and filters on created', async () => {
    const served = await platform();
    const { fake } = served;
    expect(fake.accounts).toEqual([A, B, C]);
    const truth = fake.objects(ACCOUNTS);
    expect(ids(truth)).toEqual([C, B, A]); // newest first
    const all = await pageAll(served, '/v1/accounts');
    expect(all).toEqual(truth);
    for (const account of all) {
      expect(account.object).toBe('account');
      // Created a little before its oldest object, so a reader may use it as the floor of its windows.
      const oldest = Math.min(...fake.objects('customers', account.id as string).map((c) => c.created as number));
      const { startDate } = PLATFORM.accounts![account.id as string]!;
      expect(account.created as number).toBeLessThan(Math.min(oldest, startDate!));
      expect(account.created as number).toBeGreaterThan(startDate! - 30 * DAY);
    }

    const first = await served.request('/v1/accounts?limit=1');
    expect([ids(first.json.data), first.json.has_more, first.json.url]).toEqual([[C], true, '/v1/accounts']);
    const next = await served.request(`/v1/accounts?limit=1&starting_after=${C}`);
    expect(ids(next.json.data)).toEqual([B]);
    const before = await served.request(`/v1/accounts?limit=1&ending_before=${A}`);
    expect(ids(before.json.data)).toEqual([B]);
    const since = truth[1]!.created as number;
    const recent = await served.request(`/v1/accounts?created[gte]=${since}`);
    expect(ids(recent.json.data)).toEqual([C, B]);
    const older = await served.request(`/v1/accounts?created[lt]=${since}`);
    expect(ids(older.json.data)).toEqual([A]);
    const tooMany = await served.request('/v1/accounts?limit=101');
    expect(tooMany.status).toBe(400);
  });

  it('retrieves one connected account, 404 for an unknown one; GET /v1/account with Stripe-Account is that account', async () => {
    const served = await platform();
    const { fake } = served;
    const listed = fake.objects(ACCOUNTS).find((a) => a.id === B)!;
    expect((await served.request(`/v1/accounts/${B}`)).json).toEqual(listed);
    const missing = await served.request('/v1/accounts/acct_1NotConnectedXXXX');
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ code: 'resource_missing', param: 'id' });
    expect((await served.request('/v1/account', as(B))).json).toEqual(listed);
    // The platform's own account, at /v1/account and at /v1/accounts/{its id}.
    const own = (await served.request('/v1/account')).json;
    expect(own.id).toBe(fake.accountId);
    expect((await served.request(`/v1/accounts/${fake.accountId}`)).json).toEqual(own);
    expect((await served.request('/v1/account', as(fake.accountId))).json).toEqual(own);
  });

  it('is empty for a connected account, which is no platform', async () => {
    const served = await platform();
    const list = await served.request('/v1/accounts', as(A));
    expect([list.status, list.json.data]).toEqual([200, []]);
    expect((await served.request(`/v1/accounts/${B}`, as(A))).status).toBe(404);
    expect((await served.request(`/v1/accounts/${A}`, as(A))).json.id).toBe(A); // itself
  });
});

describe('Stripe-Account', () => {
  it("serves each account's own data; the platform's without the header or with its own id", async () => {
    const served = await platform();
    const { fake } = served;
    const platformIds = ids(await pageAll(served, '/v1/customers'));
    expect(platformIds).toEqual(ids(fake.objects('customers')));
    expect(platformIds).toHaveLength(5);
    const viaOwnId = await served.request('/v1/customers?limit=100', as(fake.accountId));
    expect(ids(viaOwnId.json.data)).toEqual(platformIds);
    for (const [account, n] of [[A, 12], [B, 30], [C, 3]] as const) {
      const reply = await served.request('/v1/customers?limit=100', as(account));
      expect(reply.json.data, account).toEqual(fake.objects('customers', account));
      expect(reply.json.data).toHaveLength(n);
      const one = fake.objects('invoices', account)[0]!;
      expect((await served.request(`/v1/invoices/${one.id}`, as(account))).json).toEqual(one);
      // Another account's object is not there.
      expect((await served.request(`/v1/invoices/${one.id}`)).status).toBe(404);
    }
    // Platform-scoped streams are the platform's: none in a connected account unless asked for.
    expect(fake.objects('transfers', A)).toEqual([]);
    expect(fake.objects('transfers')).toHaveLength(15);
  });

  it("answers an unknown account with Stripe's 403 account_invalid, before permissions and limits", async () => {
    const served = await platform({ rateLimit: { global: 1, perEndpoint: 1 } });
    const key = served.fake.restrictedKey({ deny: ['customers'] });
    for (const init of [as('acct_1NotConnectedXXXX'), { ...as('acct_1NotConnectedXXXX'), key }]) {
      const reply = await served.request('/v1/customers', init);
      expect(reply.status).toBe(403);
      expect(reply.json.error).toMatchObject({ type: 'invalid_request_error', code: 'account_invalid' });
      expect(reply.json.error.message).toContain("'acct_1NotConnectedXXXX'");
    }
    // A restricted key's 403 names the connected account it was refused on.
    const denied = await served.request('/v1/customers', { ...as(A), key });
    expect(denied.json.error.message).toContain(`on account '${A}'`);
  });

  it('counts requests per account in stats.byAccount', async () => {
    const served = await platform();
    await served.request('/v1/customers');
    await served.request('/v1/customers', as(served.fake.accountId));
    await served.request('/v1/customers', as(A));
    await served.request('/v1/charges', as(A));
    await served.request('/v1/customers', as('acct_1NotConnectedXXXX'));
    expect(served.fake.stats.byAccount).toEqual({ platform: 2, [A]: 2, acct_1NotConnectedXXXX: 1 });
    expect(served.fake.stats.total).toBe(5);
    served.fake.stats.reset();
    expect(served.fake.stats.byAccount).toEqual({});
  });

  it('works with the stripe package and its stripeAccount option', async () => {
    const served = await platform();
    const stripe = new Stripe(served.fake.apiKey, { host: '127.0.0.1', port: Number(new URL(served.url).port), protocol: 'http', maxNetworkRetries: 0 });
    const accounts: string[] = [];
    for await (const account of stripe.accounts.list({ limit: 2 })) accounts.push(account.id);
    expect(accounts).toEqual([C, B, A]);
    const page = await stripe.customers.list({ limit: 100 }, { stripeAccount: B });
    expect(page.data).toEqual(served.fake.objects('customers', B));
    expect((await stripe.accounts.retrieveCurrent({}, { stripeAccount: C })).id).toBe(C);
    await expect(stripe.customers.list({}, { stripeAccount: 'acct_1NotConnectedXXXX' }))
      .rejects.toMatchObject({ type: 'StripePermissionError', statusCode: 403, code: 'account_invalid' });
  });
});

describe('changes per account', () => {
  it("create, update and del change one account's data and record events in its own /v1/events", async () => {
    let now = NOW_MS;
    const served = await serve({ ...PLATFORM, now: () => now });
    const { fake } = served;
    now += 60_000;
    const created = fake.create('customers', { email: 'new@example.com' }, { account: A });
    fake.update('customers', created.id as string, { email: 'changed@example.com' }, { account: A });
    const doomed = fake.objects('customers', B)[0]!;
    fake.del('customers', doomed.id as string, { account: B });

    expect(fake.objects('customers', A)[0]).toMatchObject({ id: created.id, email: 'changed@example.com' });
    expect(ids(fake.objects('customers'))).not.toContain(created.id);
    expect(ids(fake.objects('customers', B))).not.toContain(doomed.id);
    const since = `created[gte]=${Math.floor(now / 1000)}`;
    const eventsOf = async (init?: { headers: Record<string, string> }) =>
      (await served.request(`/v1/events?${since}`, init)).json.data.map((e: { type: string; data: { object: { id: string } } }) =>
        `${e.type} ${e.data.object.id}`);
    expect(await eventsOf(as(A))).toEqual([`customer.updated ${created.id}`, `customer.created ${created.id}`]);
    expect(await eventsOf(as(B))).toEqual([`customer.deleted ${doomed.id}`]);
    expect(await eventsOf()).toEqual([]);
    expect(fake.objects('events', A).slice(0, 2).map((e) => e.type)).toEqual(['customer.updated', 'customer.created']);
    expect((await served.request(`/v1/customers/${doomed.id}`, as(B))).status).toBe(404);
    // The platform's id names the platform; an unknown account is a mistake of the test.
    expect(fake.create('customers', {}, { account: fake.accountId }).id).toBe(fake.objects('customers')[0]!.id);
    expect(() => fake.create('customers', {}, { account: 'acct_1NotConnectedXXXX' })).toThrow(/no account 'acct_1NotConnectedXXXX'/);
    expect(() => fake.objects('customers', 'acct_1NotConnectedXXXX')).toThrow(/connected accounts are acct_1Small/);
  });

  it("keeps each account's events for 30 days on the shared clock", async () => {
    let now = NOW_MS;
    const fake = createFakeStripe({ ...PLATFORM, now: () => now });
    const before = fake.objects('events', B).length;
    expect(before).toBeGreaterThan(0);
    fake.create('customers', {}, { account: B });
    expect(fake.objects('events', B)).toHaveLength(before + 1);
    now += 31 * DAY * 1000;
    expect(fake.objects('events', B)).toEqual([]);
    expect(fake.objects('events', A)).toEqual([]);
  });

  it("create('accounts') connects an account, del('accounts') disconnects it", async () => {
    const served = await platform();
    const { fake } = served;
    const added = fake.create(ACCOUNTS, { email: 'ops@example.com' });
    expect(added).toMatchObject({ object: 'account', email: 'ops@example.com', created: NOW });
    expect(fake.accounts).toEqual([A, B, C, added.id]);
    const id = added.id as string;
    expect((await served.request('/v1/accounts?limit=1')).json.data).toEqual([added]);
    expect((await served.request('/v1/customers', as(id))).json.data).toEqual([]); // no data yet
    const customer = fake.create('customers', { email: 'first@example.com' }, { account: id });
    expect((await served.request('/v1/customers', as(id))).json.data).toEqual([customer]);
    const renamed = fake.update(ACCOUNTS, id, { email: 'renamed@example.com' });
    expect((await served.request('/v1/account', as(id))).json).toEqual(renamed);

    fake.del(ACCOUNTS, A);
    expect(fake.accounts).toEqual([B, C, id]);
    expect(ids(fake.objects(ACCOUNTS))).not.toContain(A);
    expect((await served.request('/v1/customers', as(A))).json.error.code).toBe('account_invalid');
    expect(() => fake.create(ACCOUNTS, {}, { account: B })).toThrow(/belong to the platform/);
    expect(() => fake.create(ACCOUNTS, { id: 'acct_bad-id' })).toThrow(/not a new connected account id/);
    expect(() => fake.create(ACCOUNTS, { id: B })).toThrow(/not a new id/);
  });
});

describe('rate limits per account', () => {
  it('gives each account its own budget: two accounts at once each get theirs', async () => {
    const served = await platform({ rateLimit: { global: 5, perEndpoint: 5 } });
    const burst = (account?: string) => Array.from({ length: 8 }, () => served.request('/v1/customers', account ? as(account) : {}));
    const started = performance.now();
    const replies = await Promise.all([...burst(A), ...burst(B), ...burst()]);
    expect(performance.now() - started).toBeLessThan(900); // one window, or the test proves nothing
    const statuses = (from: number) => replies.slice(from, from + 8).map((r) => r.status).sort();
    for (const from of [0, 8, 16]) expect(statuses(from)).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    expect(served.fake.stats.byStatus).toEqual({ 200: 15, 429: 9 });
  });
});

describe('determinism', () => {
  it("derives each account's data from the seed and its id, whatever other accounts exist", () => {
    const a = createFakeStripe({ seed: 3, now: () => NOW_MS, ...PLATFORM });
    const b = createFakeStripe({ seed: 3, now: () => NOW_MS, ...PLATFORM });
    const onlyB = createFakeStripe({ seed: 3, now: () => NOW_MS, accounts: { [B]: PLATFORM.accounts![B]! } });
    const otherSeed = createFakeStripe({ seed: 4, now: () => NOW_MS, ...PLATFORM });
    for (const stream of ['customers', 'charges', 'invoices', 'invoice_line_items', 'events'] as const) {
      for (const account of [A, B, C]) {
        expect(JSON.stringify(b.objects(stream, account)), `${account} ${stream}`).toBe(JSON.stringify(a.objects(stream, account)));
      }
      expect(JSON.stringify(onlyB.objects(stream, B)), stream).toBe(JSON.stringify(a.objects(stream, B)));
    }
    expect(JSON.stringify(b.objects(ACCOUNTS))).toBe(JSON.stringify(a.objects(ACCOUNTS)));
    expect(ids(a.objects('customers', A))).not.toEqual(ids(a.objects('customers', B)).slice(0, 12));
    expect(ids(otherSeed.objects('customers', A))).not.toEqual(ids(a.objects('customers', A)));
  });
});

describe('options', () => {
  const problems = (options: FakeStripeOptions): string => {
    try {
      createFakeStripe({ now: () => NOW_MS, ...options });
    } catch (error) {
      expect((error as Error).name).toBe('ConfigError');
      return (error as Error).message;
    }
    throw new Error('no error');
  };

  it('checks account ids, their counts, start dates and distributions, listing every problem', () => {
    const platformId = createFakeStripe({ now: () => NOW_MS, records: {} }).accountId;
    const message = problems({
      records: { [ACCOUNTS]: 3 },
      accounts: {
        cus_123: {},
        'acct_with-dash': {},
        [platformId]: {},
        [A]: { records: { invoice_line_items: 3, customers: -1 }, startDate: NOW + DAY },
        [B]: { createdDistribution: { skew: { shareInOneDay: 2, inOneSecond: 1 } } },
      },
    });
    expect(message).toContain('fake.records.accounts: not a stream whose count can be set');
    expect(message).toContain('connected accounts come from the `accounts` option');
    expect(message).toContain("fake.accounts.cus_123: not an account id; expected 'acct_'");
    expect(message).toContain('fake.accounts.acct_with-dash: not an account id');
    expect(message).toContain(`fake.accounts.${platformId}: is the platform's own id`);
    expect(message).toContain(`fake.accounts.${A}.records.invoice_line_items: not a stream whose count can be set`);
    expect(message).toContain(`fake.accounts.${A}.records.customers:`);
    expect(message).toContain(`fake.accounts.${A}.startDate: ${NOW + DAY} is after the clock's now`);
    expect(message).toContain(`fake.accounts.${B}.createdDistribution.skew.shareInOneDay:`);
    expect(problems({ accounts: { [A]: { recrods: {} } as never } })).toContain(`fake.accounts.${A}`);
  });
});

describe('fake-server --accounts', () => {
  it('spreads the sizes of N connected accounts over a long tail, biggest and oldest first', async () => {
    const { connectedAccounts } = await import('../../src/cli/fake-server.js');
    const started = performance.now();
    const accounts = connectedAccounts(200, 360, NOW);
    const fake = createFakeStripe({ now: () => NOW_MS, records: {}, accounts });
    const ms = performance.now() - started;
    expect(fake.accounts).toHaveLength(200);
    const sizes = fake.accounts.map((id) => fake.objects('charges', id).length);
    expect(sizes[0]).toBeGreaterThan(sizes[199]! * 5);
    expect(Math.min(...sizes)).toBeGreaterThan(0);
    expect(fake.objects('transfers', fake.accounts[0])).toEqual([]);
    const created = fake.accounts.map((id) => fake.objects(ACCOUNTS).find((a) => a.id === id)!.created as number);
    expect(created).toEqual([...created].sort((a, b) => a - b));
    expect(ms).toBeLessThan(3000);
  });
});
