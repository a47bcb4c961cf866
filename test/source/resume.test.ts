import { describe, expect, it } from 'vitest';
import type { Checkpoint, Message, StreamName } from '../../src/index.js';
import { applyMessages, collect, expectExact, startFake, truth } from './helpers.js';

const STREAMS: StreamName[] = ['customers', 'charges', 'invoices', 'invoice_line_items', 'prices', 'setup_attempts', 'subscriptions', 'subscription_items'];

function recordIds(messages: readonly Message[]): Set<string> {
  return new Set(messages.flatMap((m) => (m.type === 'record' ? [`${m.stream}/${(m.record as { id: string }).id}`] : [])));
}

describe('resuming from a checkpoint', () => {
  it('from every checkpoint of a run, yields exactly the rest: nothing lost, nothing before it again', async () => {
    const { fake, source } = await startFake({
      seed: 11,
      records: { customers: 230, charges: 310, invoices: 45, prices: 120, setup_intents: 30, subscriptions: 40 },
    });
    const full = await collect(source().read({ streams: STREAMS }));
    const expected = truth(fake, STREAMS);
    const positions = full.flatMap((m, i) => (m.type === 'checkpoint' ? [i] : []));
    expect(positions.length).toBeGreaterThan(10);

    for (const position of positions) {
      const before = full.slice(0, position + 1);
      // The host stored it as JSON.
      const checkpoint = JSON.parse(JSON.stringify((full[position] as { checkpoint: Checkpoint }).checkpoint)) as Checkpoint;
      const rest = await collect(source().read({ streams: STREAMS, checkpoint }));
      const again = [...recordIds(rest)].filter((id) => recordIds(before).has(id));
      expect(again, `records delivered before checkpoint #${position} came again`).toEqual([]);
      expectExact(applyMessages(rest, applyMessages(before)), expected);
    }
  });

  it('stopping early (break) and resuming from the last checkpoint seen completes the sync', async () => {
    const { fake, source } = await startFake({ seed: 5, records: { charges: 700, refunds: 300 } });
    const seen: Message[] = [];
    let checkpoint: Checkpoint | undefined;
    for (let round = 0; round < 50; round++) {
      let taken = 0;
      let finished = true;
      for await (const m of source().read({ streams: ['charges', 'refunds'], checkpoint })) {
        seen.push(m);
        if (m.type === 'checkpoint') checkpoint = m.checkpoint;
        if (++taken === 137) {
          finished = false;
          break;
        }
      }
      if (finished) break;
    }
    expectExact(applyMessages(seen), truth(fake, ['charges', 'refunds']));
  });

  it('keeps the state of streams left out of a later selection', async () => {
    const { source } = await startFake({ records: { customers: 50, charges: 50 } });
    const first = await collect(source().read({ streams: ['customers', 'charges'] }));
    const cp = (first.at(-1) as { checkpoint: Checkpoint }).checkpoint;
    const second = await collect(source().read({ streams: ['customers'], checkpoint: cp }));
    const cp2 = (second.at(-1) as { checkpoint: Checkpoint }).checkpoint;
    expect(cp2.streams.charges).toEqual(cp.streams.charges);
  });
});
