import { describe, expect, it } from 'vitest';
import { STREAM_NAMES, type Checkpoint, type Message, type StreamName } from '../../src/index.js';
import { untilArrived } from '../support/arrivals.js';
import { NOW_MS, applyMessages, collect, expectExact, startFake, truth } from './helpers.js';

const ALL = STREAM_NAMES as readonly StreamName[];

describe('read(): a full sync', () => {
  it('delivers every object of every stream exactly, children included', async () => {
    const { fake, source } = await startFake({ seed: 7, records: { invoices: 60, subscriptions: 60, setup_intents: 60, charges: 250, prices: 80 } });
    const messages = await collect(source().read());
    expectExact(applyMessages(messages), truth(fake, ALL));
    const last = messages[messages.length - 1];
    expect(last?.type).toBe('checkpoint');
  });

  it('finds what Stripe hides by default: canceled subscriptions, inactive prices, every setup attempt, invoice lines past 10', async () => {
    const { fake, source } = await startFake({ seed: 3, records: { invoices: 80, subscriptions: 80, setup_intents: 40, prices: 60, plans: 40 } });
    const messages = await collect(source().read({ streams: ['subscriptions', 'prices', 'plans', 'setup_attempts', 'invoice_line_items', 'subscription_items'] }));
    const tables = applyMessages(messages);
    const records = (stream: string) => [...(tables.get(stream)?.values() ?? [])].map((j) => JSON.parse(j) as Record<string, unknown>);
    expect(records('subscriptions').some((s) => s.status === 'canceled')).toBe(true);
    expect(records('prices').some((p) => p.active === false)).toBe(true);
    expect(records('plans').some((p) => p.active === false)).toBe(true);
    // The fixture data must hold the hard cases, or this test proves nothing.
    const bigInvoice = fake.objects('invoices').find((i) => (i.lines as { has_more: boolean }).has_more);
    expect(bigInvoice, 'an invoice with more than 10 lines').toBeDefined();
    const linesOfBig = records('invoice_line_items').filter((l) => l.invoice === bigInvoice!.id);
    expect(linesOfBig.length).toBeGreaterThan(10);
    expect(fake.objects('subscriptions').some((s) => (s.items as { has_more: boolean }).has_more)).toBe(true);
    expectExact(tables, truth(fake, ['subscriptions', 'prices', 'plans', 'setup_attempts', 'invoice_line_items', 'subscription_items']));
    // Children selected without their parents deliver no parent records.
    expect(tables.has('invoices')).toBe(false);
    expect(tables.has('setup_intents')).toBe(false);
  });

  it('pages with limit=100, splits windows without wasting many requests, and sends only GET', async () => {
    const { fake, source } = await startFake({ records: { charges: 1234 } });
    const s = source();
    const paths: string[] = [];
    s.on('request', (e) => paths.push(e.path));
    const messages = await collect(s.read({ streams: ['charges'] }));
    expect(messages.filter((m) => m.type === 'record')).toHaveLength(1234);
    const lists = paths.filter((p) => p.startsWith('/v1/charges'));
    expect(lists.every((p) => p.includes('limit=100'))).toBe(true);
    // 13 pages hold the data; parallel windows cost a few more (a window's last page, empty halves).
    expect(lists.length).toBeGreaterThanOrEqual(13);
    expect(lists.length).toBeLessThanOrEqual(13 * 4);
    await untilArrived(fake, paths.length);
    expect(fake.stats.byPath['/v1/charges']).toBe(lists.length);
    expect(fake.stats.byMethod).toEqual({ GET: fake.stats.total });
  });

  it('yields a checkpoint after every page, covering everything before it', async () => {
    const { source } = await startFake({ records: { customers: 450 } });
    const s = source();
    let pages = 0;
    s.on('page', () => (pages += 1));
    const messages = await collect(s.read({ streams: ['customers'] }));
    const checkpoints = messages.filter((m) => m.type === 'checkpoint');
    expect(checkpoints.length).toBe(pages);
    // Records come in whole pages: never more than 100 between two checkpoints.
    let run = 0;
    for (const m of messages) {
      run = m.type === 'record' ? run + 1 : 0;
      expect(run).toBeLessThanOrEqual(100);
    }
    const final = (checkpoints.at(-1) as { checkpoint: Checkpoint }).checkpoint;
    expect(final.streams.customers?.partitions['']?.pending).toEqual([]);
  });

  it('hands out frozen checkpoints that never change afterwards, and a copy the host may change', async () => {
    const { fake, source } = await startFake({ seed: 5, records: { customers: 900, setup_intents: 40 } });
    const held: { checkpoint: Checkpoint; json: string }[] = [];
    let records = 0;
    for await (const m of source().read({ streams: ['customers', 'setup_intents', 'setup_attempts'] })) {
      if (m.type === 'record') records += 1;
      if (m.type !== 'checkpoint') continue;
      // Shared with the next checkpoints, so frozen all the way down: changing it would change the read.
      const window = Object.values(m.checkpoint.streams.customers?.partitions ?? {})[0]?.pending[0];
      expect(Object.isFrozen(m.checkpoint)).toBe(true);
      expect(Object.isFrozen(m.checkpoint.streams)).toBe(true);
      if (window) expect(Object.isFrozen(window)).toBe(true);
      expect(() => {
        (m.checkpoint as { account: string | null }).account = 'acct_other';
      }).toThrow(TypeError);
      held.push({ checkpoint: m.checkpoint, json: JSON.stringify(m.checkpoint) });
    }
    expect(held.length).toBeGreaterThan(9);
    // What a host stored at any point is what it was handed: later pages never reach into earlier checkpoints.
    for (const h of held) expect(JSON.stringify(h.checkpoint)).toBe(h.json);
    expect(records).toBe(fake.objects('customers').length + fake.objects('setup_intents').length + fake.objects('setup_attempts').length);
    // A copy is the host's to change, and resumes like the original.
    const copy = structuredClone(held[4]!.checkpoint);
    copy.streams = { ...copy.streams };
    const again = await collect(source().read({ streams: ['customers', 'setup_intents', 'setup_attempts'], checkpoint: copy }));
    expect(again.some((m) => m.type === 'record')).toBe(true);
  });

  it('reads skewed data (thousands of objects in one second) exactly with windows in parallel', async () => {
    const { fake, source } = await startFake({ seed: 9, records: { charges: 3000 } });
    // The fake's own bursts share seconds; add 700 more in one second to force a long one-second window.
    for (let i = 0; i < 700; i++) fake.create('charges', { amount: i });
    // Read a little later than the fake's clock: the second the 700 were made in must be over.
    const messages = await collect(source({ now: () => NOW_MS + 2000 }).read({ streams: ['charges'] }));
    expectExact(applyMessages(messages), truth(fake, ['charges']));
  });

  it('a slow consumer gets every record exactly, and the read ends (backpressure with windows splitting)', async () => {
    const { fake, source } = await startFake({ seed: 12, records: { charges: 2500, customers: 800 }, latencyMs: { median: 1, p99: 10 } });
    const messages: Message[] = [];
    for await (const m of source().read({ streams: ['charges', 'customers'] })) {
      messages.push(m);
      if (m.type === 'checkpoint') await new Promise((r) => setTimeout(r, 3));
    }
    expectExact(applyMessages(messages), truth(fake, ['charges', 'customers']));
  });

  it('a second run reads only what was created since the first, from one events request', async () => {
    let now = Date.UTC(2026, 9, 15, 12, 0, 0);
    const { fake, source } = await startFake({ records: { customers: 120 }, now: () => now });
    const first = await collect(source({ now: () => now }).read({ streams: ['customers'] }));
    const checkpoint = (first.at(-1) as { checkpoint: Checkpoint }).checkpoint;
    now += 5_000;
    const added = fake.create('customers', { email: 'new@example.com' });
    now += 61_000; // past the default event lag
    fake.stats.reset();
    const second = await collect(source({ now: () => now }).read({ streams: ['customers'], checkpoint }));
    const records = second.filter((m): m is Extract<Message, { type: 'record' }> => m.type === 'record');
    expect(records.map((r) => r.record.id)).toEqual([added.id]);
    expect(fake.stats.byPath).toEqual({ '/v1/account': 1, '/v1/events': 1 });
  });
});
