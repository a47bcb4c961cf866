import { describe, expect, it } from 'vitest';
import type { Checkpoint, Message, StreamName } from '../../src/index.js';
import { applyMessages, expectExact, startFake, truth } from './helpers.js';
import { Rng } from '../../src/testing/random.js';

/** The fake Stripe's own seeded PRNG, so a failing case replays from its seed. */
function prng(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}

const POOL: StreamName[] = ['customers', 'charges', 'invoices', 'invoice_line_items', 'prices', 'subscriptions', 'subscription_items', 'setup_attempts', 'refunds'];

describe('resume property: random datasets, random stop points', () => {
  it('stopping anywhere and resuming from the last checkpoint, again and again, yields exactly the account', async () => {
    for (let seed = 1; seed <= 6; seed++) {
      const rand = prng(seed * 7919);
      const streams = POOL.filter(() => rand() < 0.6);
      if (streams.length === 0) streams.push('charges');
      const { fake, source } = await startFake({
        seed,
        records: {
          customers: Math.floor(rand() * 900), charges: Math.floor(rand() * 1500), invoices: Math.floor(rand() * 60),
          prices: Math.floor(rand() * 400), subscriptions: Math.floor(rand() * 60), setup_intents: Math.floor(rand() * 40),
          refunds: Math.floor(rand() * 500),
        },
        // Jittered latency reorders concurrent windows, so splits and pages interleave differently per seed.
        latencyMs: { median: 1, p99: 15 },
      });
      const kept: Message[] = [];
      let checkpoint: Checkpoint | undefined;
      let rounds = 0;
      for (;;) {
        rounds += 1;
        expect(rounds, `seed ${seed}: too many rounds`).toBeLessThan(500);
        const stopAfter = 1 + Math.floor(rand() * 400);
        const seen: Message[] = [];
        let finished = true;
        for await (const m of source().read({ streams, checkpoint })) {
          seen.push(m);
          if (seen.length >= stopAfter) {
            finished = false;
            break;
          }
        }
        // The host keeps what its last checkpoint covers; anything after it is lost in the "crash".
        const cut = finished ? seen.length - 1 : seen.findLastIndex((m) => m.type === 'checkpoint');
        const covered = seen.slice(0, cut + 1);
        const before = new Set(kept.flatMap((m) => (m.type === 'record' ? [`${m.stream}/${(m.record as { id: string }).id}`] : [])));
        const again = covered.filter((m) => m.type === 'record' && before.has(`${m.stream}/${(m.record as { id: string }).id}`));
        expect(again.length, `seed ${seed} round ${rounds}: records before the checkpoint came again`).toBe(0);
        kept.push(...covered);
        const last = covered.findLast((m) => m.type === 'checkpoint');
        if (last?.type === 'checkpoint') checkpoint = JSON.parse(JSON.stringify(last.checkpoint)) as Checkpoint;
        if (finished) break;
      }
      expectExact(applyMessages(kept), truth(fake, streams));
    }
  }, 120_000);
});
