import { describe, expect, it } from 'vitest';
import { ExpiredCursorError, type Checkpoint, type Message, type StreamName } from '../../src/index.js';
import { applyMessages, collect, expectExact, NOW_MS, startFake, truth } from './helpers.js';

const DAY_MS = 86_400_000;

/** A fake and sources sharing one movable clock. */
async function clocked(options: Parameters<typeof startFake>[0] = {}) {
  const clock = { now: NOW_MS };
  const harness = await startFake({ now: () => clock.now, ...options });
  return {
    ...harness,
    clock,
    source: (extra: Parameters<typeof harness.source>[0] = {}) => harness.source({ now: () => clock.now, ...extra }),
  };
}

const lastCheckpoint = (messages: readonly Message[]): Checkpoint =>
  (messages.filter((m) => m.type === 'checkpoint').at(-1) as { checkpoint: Checkpoint }).checkpoint;

const recordsOf = (messages: readonly Message[], stream: StreamName): Array<Record<string, unknown>> =>
  messages.flatMap((m) => (m.type === 'record' && m.stream === stream ? [m.record as unknown as Record<string, unknown>] : []));

const deletesOf = (messages: readonly Message[]): string[] =>
  messages.flatMap((m) => (m.type === 'delete' ? [`${m.stream}/${m.id}`] : []));

describe('change capture through /v1/events', () => {
  it('applies updates, deletes and cancellations since the checkpoint; each object once, in its newest state', async () => {
    const { fake, source, clock } = await clocked({ records: { customers: 200, subscriptions: 60, products: 30 } });
    const streams: StreamName[] = ['customers', 'subscriptions', 'products'];
    const first = await collect(source().read({ streams }));
    const tables = applyMessages(first);

    clock.now += 10_000;
    const [renamed, removed] = fake.objects('customers');
    for (const name of ['One', 'Two', 'Three']) {
      fake.update('customers', renamed!.id as string, { name });
      clock.now += 1_000;
    }
    fake.del('customers', removed!.id as string);
    const sub = fake.objects('subscriptions').find((s) => s.status !== 'canceled')!;
    fake.update('subscriptions', sub.id as string, { status: 'canceled', canceled_at: Math.floor(clock.now / 1000) });
    const product = fake.objects('products')[3]!;
    fake.del('products', product.id as string);
    const added = fake.create('customers', { email: 'new@example.com' });
    clock.now += 61_000; // past the default event lag

    fake.stats.reset();
    const paths: string[] = [];
    const s = source();
    s.on('request', (e) => paths.push(e.path));
    const second = await collect(s.read({ streams, checkpoint: lastCheckpoint(first) }));
    expectExact(applyMessages(second, tables), truth(fake, streams));

    const customers = recordsOf(second, 'customers');
    expect(customers.filter((c) => c.id === renamed!.id).map((c) => c.name)).toEqual(['Three']);
    expect(customers.map((c) => c.id)).toContain(added.id);
    expect(recordsOf(second, 'subscriptions')).toEqual([expect.objectContaining({ id: sub.id, status: 'canceled' })]);
    expect(deletesOf(second).sort()).toEqual([`customers/${removed!.id}`, `products/${product.id}`].sort());
    // One pass over the events serves every stream; nothing is listed again.
    expect(fake.stats.byPath).toEqual({ '/v1/account': 1, '/v1/events': 1 });
    expect(paths.find((p) => p.startsWith('/v1/events'))).toMatch(/types\[0\]=customer\.created/);
    expect(second.at(-1)?.type).toBe('checkpoint');
  });

  it('replays what changed while the first full read ran, so nothing read early goes stale', async () => {
    const { fake, source, clock } = await clocked({ records: { customers: 700 }, latencyMs: 2 });
    const messages: Message[] = [];
    let mutated = false;
    for await (const m of source({ eventLagSeconds: 0 }).read({ streams: ['customers'] })) {
      messages.push(m);
      if (!mutated && m.type === 'checkpoint') {
        mutated = true;
        const all = fake.objects('customers');
        // Objects already delivered and objects not read yet, at both ends of the range.
        for (const c of [...all.slice(0, 40), ...all.slice(-40)]) fake.update('customers', c.id as string, { description: 'changed during the read' });
        fake.del('customers', all[100]!.id as string);
        fake.del('customers', all[650]!.id as string);
        fake.create('customers', { email: 'during@example.com' });
        clock.now += 2_000;
      }
    }
    expect(mutated).toBe(true);
    expectExact(applyMessages(messages), truth(fake, ['customers']));
  });

  it('keeps children in step: items and lines added and removed, attempts made, an invoice deleted', async () => {
    const { fake, source, clock } = await clocked({ records: { subscriptions: 30, invoices: 40, setup_intents: 20 } });
    const streams: StreamName[] = ['subscriptions', 'subscription_items', 'invoices', 'invoice_line_items', 'setup_intents', 'setup_attempts'];
    const first = await collect(source().read({ streams }));
    const tables = applyMessages(first);
    expectExact(tables, truth(fake, streams));

    clock.now += 5_000;
    const [subA, subB] = fake.objects('subscriptions');
    fake.create('subscription_items', { subscription: subA!.id, quantity: 3 });
    const oldItem = fake.objects('subscription_items').find((i) => i.subscription === subB!.id)!;
    fake.del('subscription_items', oldItem.id as string);
    const small = fake.objects('invoices').filter((i) => (i.lines as { total_count: number }).total_count <= 3);
    const [grow, shrink, gone] = small;
    for (let i = 0; i < 11; i++) fake.create('invoice_line_items', { invoice: grow!.id, amount: 100 + i });
    const line = fake.objects('invoice_line_items').find((l) => l.invoice === shrink!.id)!;
    fake.del('invoice_line_items', line.id as string);
    fake.del('invoices', gone!.id as string);
    const intent = fake.objects('setup_intents')[2]!;
    fake.create('setup_attempts', { setup_intent: intent.id, status: 'succeeded' });
    clock.now += 61_000;

    const second = await collect(source().read({ streams, checkpoint: lastCheckpoint(first) }));
    expectExact(applyMessages(second, tables), truth(fake, streams));
    expect(deletesOf(second)).toEqual(expect.arrayContaining([`subscription_items/${oldItem.id}`, `invoice_line_items/${line.id}`, `invoices/${gone!.id}`]));
  });

  it('fetches an object again when its event is rendered in another API version, or when asked to', async () => {
    const { fake, source, clock } = await clocked({ records: { customers: 50 }, eventApiVersion: '2024-06-20' });
    const first = await collect(source().read({ streams: ['customers'] }));
    clock.now += 5_000;
    const changed = fake.objects('customers').slice(0, 3);
    for (const c of changed) fake.update('customers', c.id as string, { name: `${c.name as string} (edited)` });
    fake.del('customers', fake.objects('customers')[10]!.id as string);
    clock.now += 61_000;

    fake.stats.reset();
    const second = await collect(source().read({ streams: ['customers'], checkpoint: lastCheckpoint(first) }));
    expectExact(applyMessages(second, applyMessages(first)), truth(fake, ['customers']));
    expect(fake.stats.byPath['/v1/customers/{id}']).toBe(3); // a delete needs no fetch

    const pinned = await clocked({ records: { customers: 50 } });
    const base = await collect(pinned.source({ updates: 'refetch' }).read({ streams: ['customers'] }));
    pinned.clock.now += 5_000;
    pinned.fake.update('customers', pinned.fake.objects('customers')[0]!.id as string, { name: 'Refetched' });
    pinned.clock.now += 61_000;
    pinned.fake.stats.reset();
    const next = await collect(pinned.source({ updates: 'refetch' }).read({ streams: ['customers'], checkpoint: lastCheckpoint(base) }));
    expect(recordsOf(next, 'customers').map((c) => c.name)).toEqual(['Refetched']);
    expect(pinned.fake.stats.byPath['/v1/customers/{id}']).toBe(1);
  });

  it('reads a cursor past the 30-day retention again in full, bracketed, so deletions in the gap are swept', async () => {
    const { fake, source, clock } = await clocked({ records: { customers: 150, charges: 40 } });
    const streams: StreamName[] = ['customers', 'charges'];
    const first = await collect(source().read({ streams }));
    const tables = applyMessages(first);

    clock.now += DAY_MS;
    const victim = fake.objects('customers')[7]!;
    fake.del('customers', victim.id as string);
    clock.now += 31 * DAY_MS; // the deletion's event is gone

    const warnings: string[] = [];
    const s = source();
    s.on('warning', (w) => warnings.push(`${w.stream}:${w.code}`));
    const second = await collect(s.read({ streams, checkpoint: lastCheckpoint(first) }));
    expect(warnings.sort()).toEqual(['charges:cursor_expired', 'customers:cursor_expired']);
    const customers = second.flatMap((m, i) => ((m.type === 'record' || m.type === 'resync') && m.stream === 'customers' ? [{ m, i }] : []));
    expect(customers[0]!.m).toEqual({ type: 'resync', stream: 'customers', phase: 'start', generation: 1 });
    expect(customers.at(-1)!.m).toEqual({ type: 'resync', stream: 'customers', phase: 'end', generation: 1 });
    expect(customers.filter(({ m }) => m.type === 'record')).toHaveLength(fake.objects('customers').length);
    expect(tables.get('customers')!.has(victim.id as string)).toBe(true);
    expectExact(applyMessages(second, tables), truth(fake, streams));
    expect(tables.get('customers')!.has(victim.id as string)).toBe(false);
    // The bracket's checkpoint is closed and the cursor fresh: the next run is incremental again.
    const cp = lastCheckpoint(second);
    expect(cp.streams.customers!.resync).toEqual({ generation: 1, open: false });
    clock.now += 61_000;
    fake.stats.reset();
    await collect(source().read({ streams, checkpoint: cp }));
    expect(fake.stats.byPath).toEqual({ '/v1/account': 1, '/v1/events': 1 });
  });

  it("with onExpiredCursor: 'error', an expired cursor is an ExpiredCursorError before any data is read", async () => {
    const { fake, source, clock } = await clocked({ records: { customers: 20 } });
    const first = await collect(source().read({ streams: ['customers'] }));
    clock.now += 31 * DAY_MS;
    fake.stats.reset();
    const failure = await collect(source({ onExpiredCursor: 'error' }).read({ streams: ['customers'], checkpoint: lastCheckpoint(first) })).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ExpiredCursorError);
    expect(failure).toMatchObject({ name: 'ExpiredCursorError', streams: ['customers'] });
    expect((failure as Error).message).toMatch(/30 days.*onExpiredCursor: 'resync'/s);
    expect(fake.stats.byPath).toEqual({ '/v1/account': 1 });
  });

  it('resumes an interrupted resync bracket with the same generation, and still sweeps exactly', async () => {
    const { fake, source, clock } = await clocked({ records: { customers: 900 } });
    const first = await collect(source().read({ streams: ['customers'] }));
    const tables = applyMessages(first);
    clock.now += DAY_MS;
    fake.del('customers', fake.objects('customers')[3]!.id as string);
    fake.del('customers', fake.objects('customers')[800]!.id as string);
    clock.now += 31 * DAY_MS;
    let checkpoint = lastCheckpoint(first);
    const starts: number[] = [];
    for (let round = 0; round < 40; round++) {
      const taken: Message[] = [];
      let finished = true;
      for await (const m of source().read({ streams: ['customers'], checkpoint })) {
        taken.push(m);
        if (m.type === 'resync' && m.phase === 'start') starts.push(m.generation);
        if (m.type === 'checkpoint') checkpoint = m.checkpoint;
        if (taken.length === 250) {
          finished = false;
          break;
        }
      }
      // The host persists only what a checkpoint covers.
      const covered = taken.slice(0, taken.map((m) => m.type).lastIndexOf('checkpoint') + 1);
      applyMessages(covered, tables);
      if (finished) break;
    }
    expect(starts.length).toBeGreaterThan(1);
    expect(new Set(starts)).toEqual(new Set([1]));
    expectExact(tables, truth(fake, ['customers']));
  });

  it('a cursor that expires while the read runs is re-read at once, without re-reading what was just re-listed', async () => {
    const { fake, source, clock } = await clocked({ records: { customers: 120, shipping_rates: 30 } });
    const streams: StreamName[] = ['customers', 'shipping_rates'];
    const first = await collect(source().read({ streams }));
    const tables = applyMessages(first);
    clock.now += 5_000;
    const messages: Message[] = [];
    let jumped = false;
    for await (const m of source().read({ streams, checkpoint: lastCheckpoint(first) })) {
      messages.push(m);
      // The list phase outlives the events' retention: by the events pass, the customers' cursor is 31 days old.
      if (!jumped && m.type === 'checkpoint') {
        jumped = true;
        clock.now += 31 * DAY_MS;
      }
    }
    const starts = messages.filter((m) => m.type === 'resync' && m.phase === 'start').map((m) => (m as { stream: string }).stream);
    expect(starts.sort()).toEqual(['customers', 'shipping_rates']);
    expectExact(applyMessages(messages, tables), truth(fake, streams));
  });

  it('re-lists streams Stripe sends no events for, each run inside a new bracket', async () => {
    const { fake, source, clock } = await clocked({ records: { shipping_rates: 30, invoice_items: 40 } });
    const streams: StreamName[] = ['shipping_rates', 'invoice_items'];
    const first = await collect(source().read({ streams }));
    expect(first.some((m) => m.type === 'resync')).toBe(false); // a first read has nothing to sweep
    const tables = applyMessages(first);
    clock.now += 5_000;
    fake.del('shipping_rates', fake.objects('shipping_rates')[4]!.id as string);
    fake.update('invoice_items', fake.objects('invoice_items')[2]!.id as string, { description: 'invoiced' });
    fake.create('shipping_rates', {});
    clock.now += 5_000;
    const second = await collect(source().read({ streams, checkpoint: lastCheckpoint(first) }));
    expect(second.filter((m) => m.type === 'resync').map((m) => `${(m as { stream: string }).stream}:${(m as { phase: string }).phase}:${(m as { generation: number }).generation}`).sort())
      .toEqual(['invoice_items:end:1', 'invoice_items:start:1', 'shipping_rates:end:1', 'shipping_rates:start:1']);
    expectExact(applyMessages(second, tables), truth(fake, streams));
    const third = await collect(source().read({ streams, checkpoint: lastCheckpoint(second) }));
    expect(third.find((m) => m.type === 'resync')).toMatchObject({ phase: 'start', generation: 2 });
  });

  it('continues immutable streams by created with a lookback, and lists new Checkout Sessions', async () => {
    const { fake, source, clock } = await clocked({ records: { balance_transactions: 40, checkout_sessions: 20 } });
    const streams: StreamName[] = ['balance_transactions', 'checkout_sessions'];
    const first = await collect(source().read({ streams }));
    const tables = applyMessages(first);
    clock.now += 5_000;
    fake.create('balance_transactions', {});
    const open = fake.create('checkout_sessions', { status: 'open' });
    const old = fake.objects('checkout_sessions').find((c) => c.status === 'open' && c.id !== open.id);
    if (old) fake.update('checkout_sessions', old.id as string, { status: 'expired' });
    clock.now += 61_000;
    const second = await collect(source().read({ streams, checkpoint: lastCheckpoint(first) }));
    expectExact(applyMessages(second, tables), truth(fake, streams));
    expect(recordsOf(second, 'checkout_sessions').map((c) => c.id)).toContain(open.id);
    // Listing what is new keeps the stream's events cursor: a third run is incremental, no re-read.
    expect(lastCheckpoint(second).streams.checkout_sessions!.changes).toBeDefined();
    const third = await collect(source().read({ streams, checkpoint: lastCheckpoint(second) }));
    expect(third.filter((m) => m.type === 'resync' || m.type === 'record')).toEqual([]);
  });

  it('collapses a long catch-up into slices, oldest first, and ends exact', async () => {
    const { fake, source, clock } = await clocked({ records: { customers: 300 } });
    const first = await collect(source().read({ streams: ['customers'] }));
    const customers = fake.objects('customers');
    for (let round = 0; round < 40; round++) {
      clock.now += 3_000;
      for (const c of customers) fake.update('customers', c.id as string, { metadata: { round: String(round) } });
    }
    clock.now += 61_000;
    fake.stats.reset();
    const second = await collect(source().read({ streams: ['customers'], checkpoint: lastCheckpoint(first) }));
    expectExact(applyMessages(second, applyMessages(first)), truth(fake, ['customers']));
    const pages = Math.ceil((40 * customers.length) / 100);
    expect(fake.stats.byPath['/v1/events']).toBeGreaterThanOrEqual(pages);
    expect(fake.stats.byPath['/v1/events']).toBeLessThanOrEqual(pages + 6);
    const checkpoints = second.filter((m) => m.type === 'checkpoint').length;
    expect(checkpoints).toBeGreaterThan(1); // one per slice
    // Within a slice an object comes once: far fewer records than events.
    expect(recordsOf(second, 'customers').length).toBeLessThanOrEqual(customers.length * checkpoints);
  });

  it('from every checkpoint of an incremental run, resuming yields the same end state', async () => {
    const { fake, source, clock } = await clocked({ records: { customers: 120, invoices: 20 } });
    const streams: StreamName[] = ['customers', 'invoices', 'invoice_line_items'];
    const first = await collect(source().read({ streams }));
    const base = () => applyMessages(first);
    for (let round = 0; round < 30; round++) {
      clock.now += 2_000;
      const c = fake.objects('customers')[round]!;
      if (round % 7 === 3) fake.del('customers', c.id as string);
      else fake.update('customers', c.id as string, { name: `round ${round}` });
      if (round % 5 === 0) fake.create('invoice_line_items', { invoice: fake.objects('invoices')[round % 20]!.id, amount: round });
    }
    clock.now += 61_000;
    const second = await collect(source().read({ streams, checkpoint: lastCheckpoint(first) }));
    const expected = truth(fake, streams);
    expectExact(applyMessages(second, base()), expected);
    for (const [i, m] of second.entries()) {
      if (m.type !== 'checkpoint') continue;
      const rest = await collect(source().read({ streams, checkpoint: JSON.parse(JSON.stringify(m.checkpoint)) as Checkpoint }));
      expectExact(applyMessages(rest, applyMessages(second.slice(0, i + 1), base())), expected);
    }
  });

  it('follows: keeps polling after catching up and ends quietly when aborted', async () => {
    const { fake, source, clock } = await clocked({ records: { customers: 40 } });
    const controller = new AbortController();
    const seen: Message[] = [];
    let added: string | undefined;
    for await (const m of source({ eventLagSeconds: 0 }).read({ streams: ['customers'], follow: true, pollIntervalMs: 5, signal: controller.signal })) {
      seen.push(m);
      if (m.type === 'checkpoint' && added === undefined) {
        added = fake.create('customers', { email: 'live@example.com' }).id as string;
        clock.now += 2_000;
      }
      if (m.type === 'record' && m.record.id === added) controller.abort();
    }
    expect(recordsOf(seen, 'customers').map((c) => c.id)).toContain(added);
    expectExact(applyMessages(seen), truth(fake, ['customers']));
  });
});
