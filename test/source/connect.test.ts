import { describe, expect, it } from 'vitest';
import { ConfigError, type Checkpoint, type Message, type StreamName } from '../../src/index.js';
import type { FakeStripe } from '../../src/testing/index.js';
import { canonical, collect, NOW_MS, startFake } from './helpers.js';

const ACCOUNT_STREAMS: StreamName[] = ['customers', 'charges', 'invoices', 'invoice_line_items', 'subscriptions'];
const PLATFORM_STREAMS: StreamName[] = ['accounts', 'transfers', 'application_fees'];
const STREAMS = [...ACCOUNT_STREAMS, ...PLATFORM_STREAMS];

/** account ('platform' for platform-level streams) -> stream -> id -> JSON, with deletes and resync sweeps applied. */
type Tables = Map<string, Map<string, Map<string, string>>>;

function apply(messages: readonly Message[], tables: Tables = new Map()): Tables {
  const marks = new Map<string, Set<string>>();
  const table = (account: string | undefined, stream: string): Map<string, string> => {
    const owner = account ?? 'platform';
    let streams = tables.get(owner);
    if (!streams) tables.set(owner, (streams = new Map()));
    let rows = streams.get(stream);
    if (!rows) streams.set(stream, (rows = new Map()));
    return rows;
  };
  for (const m of messages) {
    if (m.type === 'record') {
      const id = (m.record as { id: string }).id;
      table(m.account, m.stream).set(id, canonical(m.record));
      marks.get(`${m.account}/${m.stream}`)?.add(id);
    } else if (m.type === 'delete') {
      table(m.account, m.stream).delete(m.id);
    } else if (m.type === 'resync' && m.phase === 'start') {
      marks.set(`${m.account}/${m.stream}`, new Set());
    } else if (m.type === 'resync') {
      const seen = marks.get(`${m.account}/${m.stream}`)!;
      const rows = table(m.account, m.stream);
      for (const id of [...rows.keys()]) if (!seen.has(id)) rows.delete(id);
    }
  }
  return tables;
}

function expectTruth(tables: Tables, fake: FakeStripe): void {
  const rows = (account: string, stream: string) => [...(tables.get(account)?.get(stream) ?? new Map<string, string>()).entries()].sort();
  const truth = (stream: StreamName, account?: string) => fake.objects(stream, account).map((o) => [o.id as string, canonical(o)]).sort();
  for (const account of fake.accounts) {
    for (const stream of ACCOUNT_STREAMS) expect(rows(account, stream), `${account} ${stream}`).toEqual(truth(stream, account));
  }
  for (const stream of PLATFORM_STREAMS) expect(rows('platform', stream), `platform ${stream}`).toEqual(truth(stream));
  // Nothing of an account stream lands at the platform, nothing of a platform stream in an account.
  for (const stream of ACCOUNT_STREAMS) expect(tables.get('platform')?.get(stream)?.size ?? 0).toBe(0);
}

const platform = () => startFake({
  seed: 31,
  records: { transfers: 40, application_fees: 30 },
  accounts: {
    acct_1BigShop: { records: { customers: 400, charges: 600, invoices: 60, subscriptions: 40 } },
    acct_1Small: { records: { customers: 3, charges: 5, invoices: 2, subscriptions: 1 } },
    acct_1Empty: { records: { customers: 0, charges: 0, invoices: 0, subscriptions: 0 } },
  },
});

describe('Connect fan-out', () => {
  it("reads every connected account's streams with Stripe-Account, and platform streams once", async () => {
    const { fake, source } = await platform();
    const messages = await collect(source({ accounts: 'all', streams: STREAMS }).read());
    expectTruth(apply(messages), fake);
    for (const m of messages) {
      if (m.type !== 'record') continue;
      if (PLATFORM_STREAMS.includes(m.stream)) expect(m.account).toBeUndefined();
      else expect(fake.accounts).toContain(m.account);
    }
    const checkpoint = (messages.at(-1) as { checkpoint: Checkpoint }).checkpoint;
    expect(checkpoint.account).toBe(fake.accountId);
    expect(Object.keys(checkpoint.accounts ?? {}).sort()).toEqual([...fake.accounts].sort());
    expect(Object.keys(checkpoint.streams).sort()).toEqual([...PLATFORM_STREAMS].sort());
    // Shared between successive checkpoints instead of copied, so frozen: a host cannot corrupt the read's state.
    expect(Object.isFrozen(checkpoint.accounts!.acct_1Small!.streams.customers!.partitions)).toBe(true);
    expect(() => { (checkpoint.accounts as Record<string, unknown>).acct_1Small = null; }).toThrow(TypeError);
    expect(fake.stats.byAccount.acct_1BigShop).toBeGreaterThan(fake.stats.byAccount.acct_1Small!);
  });

  it('resumes from any checkpoint: each account from its own progress', async () => {
    const { fake, source } = await platform();
    const full = await collect(source({ accounts: 'all', streams: STREAMS }).read());
    const positions = full.flatMap((m, i) => (m.type === 'checkpoint' ? [i] : []));
    expect(positions.length).toBeGreaterThan(8);
    for (const position of positions.filter((_, i) => i % 4 === 1)) {
      const checkpoint = JSON.parse(JSON.stringify((full[position] as { checkpoint: Checkpoint }).checkpoint)) as Checkpoint;
      const rest = await collect(source({ accounts: 'all', streams: STREAMS }).read({ checkpoint }));
      expectTruth(apply(rest, apply(full.slice(0, position + 1))), fake);
      // Nothing the checkpoint covered comes again (relisted `accounts` aside: it is re-read in a bracket).
      const key = (m: Message) => (m.type === 'record' && m.stream !== 'accounts' ? `${m.account}/${m.stream}/${(m.record as { id: string }).id}` : undefined);
      const before = new Set(full.slice(0, position + 1).map(key).filter(Boolean));
      expect(rest.map(key).filter((k) => k !== undefined && before.has(k)), `again after checkpoint #${position}`).toEqual([]);
    }
  });

  it('keeps up with changes per account, and with accounts connected and disconnected between runs', async () => {
    const clock = { now: NOW_MS };
    const { fake, source } = await startFake({
      seed: 32, now: () => clock.now,
      accounts: { acct_1Alpha: { records: { customers: 50 } }, acct_1Beta: { records: { customers: 20 } } },
    });
    const make = () => source({ accounts: 'all', streams: STREAMS, now: () => clock.now });
    const first = await collect(make().read());
    const tables = apply(first);
    expectTruth(tables, fake);

    clock.now += 5_000;
    const alphaCustomer = fake.objects('customers', 'acct_1Alpha')[3]!;
    fake.update('customers', alphaCustomer.id as string, { name: 'Changed in Alpha' }, { account: 'acct_1Alpha' });
    fake.del('customers', fake.objects('customers', 'acct_1Beta')[0]!.id as string, { account: 'acct_1Beta' });
    const gamma = fake.create('accounts', {}) as { id: string };
    fake.create('customers', { email: 'first@gamma.example' }, { account: gamma.id });
    fake.del('accounts', 'acct_1Beta');
    clock.now += 61_000;

    const warnings: string[] = [];
    const s = make();
    s.on('warning', (w) => warnings.push(w.code));
    const second = await collect(s.read({ checkpoint: (first.at(-1) as { checkpoint: Checkpoint }).checkpoint }));
    apply(second, tables);
    tables.delete('acct_1Beta'); // disconnected: the host drops it (the warning says so)
    expectTruth(tables, fake);
    expect(fake.accounts).not.toContain('acct_1Beta');
    expect(warnings).toContain('account_gone');
    const records = second.filter((m) => m.type === 'record' && m.stream === 'customers');
    expect(records.filter((m) => m.account === 'acct_1Alpha').map((m) => (m as { record: { name: string } }).record.name)).toEqual(['Changed in Alpha']);
    // Beta's progress is kept in case it comes back.
    expect((second.at(-1) as { checkpoint: Checkpoint }).checkpoint.accounts?.acct_1Beta).toBeDefined();
  });

  it('plan() gives work units for every account and the platform; read from its checkpoint, runs go on incrementally', async () => {
    const clock = { now: NOW_MS };
    const { fake, source } = await startFake({
      seed: 34, now: () => clock.now, records: { transfers: 20 },
      accounts: { acct_1UnitA: { records: { customers: 300, charges: 100 } }, acct_1UnitB: { records: { customers: 10 } } },
    });
    const make = () => source({ accounts: 'all', streams: STREAMS, now: () => clock.now });
    const plan = await make().plan({ unitsPerStream: 3 });
    const owners = new Set(plan.units.map((u) => u.account));
    expect(owners).toEqual(new Set([null, 'acct_1UnitA', 'acct_1UnitB']));
    expect(plan.units.filter((u) => u.account === null).every((u) => PLATFORM_STREAMS.includes(u.stream))).toBe(true);
    const delivered: Message[] = [];
    for (const unit of JSON.parse(JSON.stringify(plan.units)) as typeof plan.units) delivered.push(...(await collect(make().readUnit(unit))));
    const tables = apply(delivered);
    expectTruth(tables, fake);

    clock.now += 5_000;
    fake.update('customers', fake.objects('customers', 'acct_1UnitB')[0]!.id as string, { name: 'B changed' }, { account: 'acct_1UnitB' });
    clock.now += 61_000;
    fake.stats.reset();
    const next = await collect(make().read({ checkpoint: plan.checkpoint }));
    expectTruth(apply(next, tables), fake);
    expect(next.filter((m) => m.type === 'record' && m.stream === 'customers').map((m) => m.account)).toEqual(['acct_1UnitB']);
  });

  it('a listed account the platform cannot read is a ConfigError before any data is read', async () => {
    const { fake, source } = await platform();
    const failure = await collect(source({ accounts: ['acct_1Small', 'acct_1Nobody'], streams: ['customers'] }).read()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as Error).message).toMatch(/acct_1Nobody is not a connected account/);
    expect(fake.stats.byPath['/v1/customers'] ?? 0).toBe(0);
  });

  it("gives every account its own rate budget and stays within each account's limits", async () => {
    const { fake, source } = await startFake({
      seed: 33,
      rateLimit: { global: 25, perEndpoint: 25 },
      latencyMs: 5,
      accounts: Object.fromEntries(['acct_1RateA', 'acct_1RateB', 'acct_1RateC'].map((id) => [id, { records: { customers: 700 } }])),
    });
    const messages = await collect(source({ accounts: 'all', streams: ['customers'], maxRequestsPerSecond: 24, maxRequestsPerSecondPerEndpoint: 24 }).read());
    expectTruthFor(apply(messages), fake, 'customers');
    const total = fake.stats.total;
    expect((fake.stats.byStatus['429'] ?? 0) / total).toBeLessThan(0.01);
    for (const id of fake.accounts) expect(fake.stats.byAccount[id]).toBeGreaterThan(7);
  });
});

function expectTruthFor(tables: Tables, fake: FakeStripe, stream: StreamName): void {
  for (const account of fake.accounts) {
    const got = [...(tables.get(account)?.get(stream) ?? new Map<string, string>()).keys()].sort();
    expect(got, account).toEqual(fake.objects(stream, account).map((o) => o.id as string).sort());
  }
}
