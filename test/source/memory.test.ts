import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { startFake } from './helpers.js';

// A full collection on demand: what is still alive after it is what something still references.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('memory held by a read', () => {
  it('records the consumer has been handed are not kept alive by the readers (at most the current page)', async () => {
    // Enough charges for every window slot of the stream to be busy, and a consumer that pauses, so the
    // windows are suspended waiting for permits while it holds still: nothing of theirs may pin old pages.
    const { source } = await startFake({ seed: 5, records: { charges: 12_000 }, latencyMs: { median: 1, p99: 5 } });
    const handed: Array<WeakRef<object>> = [];
    let pages = 0;
    let worst = 0;
    for await (const m of source().read({ streams: ['charges'] })) {
      if (m.type === 'record') handed.push(new WeakRef(m.record));
      if (m.type !== 'checkpoint' || ++pages % 20 !== 0) continue;
      await new Promise((resolve) => setTimeout(resolve, 20)); // the readers run ahead and then wait
      gc();
      worst = Math.max(worst, handed.filter((ref) => ref.deref() !== undefined).length);
    }
    expect(handed).toHaveLength(12_000);
    expect(pages).toBeGreaterThan(100);
    // The read still holds the page it is handing over (its checkpoint was just yielded), and V8 may keep a
    // stray record in a register; every earlier page must be collectable. Before the fix each suspended
    // window held its last page.
    expect(worst).toBeLessThanOrEqual(200);
  });

  it('keeps none of a page the consumer has taken while it waits for the next one', async () => {
    // Every charge in one second: one cursor reads them page after page, and each page is 100 ms away, so
    // the read waits for the next page right after the consumer has taken one (records and checkpoint).
    const { source } = await startFake({ seed: 8, records: { charges: 600 }, latencyMs: { median: 100, p99: 120 }, createdDistribution: { skew: { shareInOneDay: 1, inOneSecond: 600 } } });
    const messages = source().read({ streams: ['charges'] });
    let page: Array<WeakRef<object>> = [];
    const alive: number[] = [];
    let next = messages.next();
    for (;;) {
      const step = await next;
      if (step.done) break;
      const m = step.value;
      if (m.type === 'record') page.push(new WeakRef(m.record));
      next = messages.next();
      if (m.type !== 'checkpoint' || page.length === 0) continue;
      // Asked for more: the read has resumed and waits for the next page. Nothing of this one may stay.
      await new Promise((resolve) => setTimeout(resolve, 30));
      gc();
      alive.push(page.filter((ref) => ref.deref() !== undefined).length);
      page = [];
    }
    expect(alive.length).toBeGreaterThanOrEqual(5);
    // V8 may keep a stray record in a register; a whole page held from the read's frames is what this catches.
    expect(Math.max(...alive)).toBeLessThanOrEqual(2);
  });

  it('a slow consumer keeps about eight pages requested ahead of it, however many windows want one', async () => {
    // Three streams of twelve windows each, pages answered at once: the consumer is the bottleneck. What
    // the readers have asked for and the consumer not yet taken is what the read holds in memory.
    const streams = ['charges', 'customers', 'products'] as const;
    const { fake, source } = await startFake({ seed: 6, records: { charges: 4_000, customers: 4_000, products: 4_000 }, latencyMs: { median: 0, p99: 1 } });
    const listRequests = (): number => streams.reduce((n, s) => n + (fake.stats.byPath[`/v1/${s}`] ?? 0), 0);
    let pages = 0;
    let records = 0;
    const ahead: number[] = [];
    for await (const m of source().read({ streams: [...streams] })) {
      if (m.type === 'record') records += 1;
      if (m.type !== 'checkpoint') continue;
      pages += 1;
      await new Promise((resolve) => setTimeout(resolve, 15)); // the sink
      // Once the budget has seen the consumer fall behind (it shrinks by a page per page taken).
      if (pages > 80) ahead.push(listRequests() - pages);
    }
    expect(records).toBe(12_000);
    expect(ahead.length).toBeGreaterThan(30);
    // What the consumer takes in a round trip, at least eight pages (MAX_PAGES_FOR_SLOW_CONSUMER): eight
    // here, round trips being a few ms; a consumer that once finds nothing waiting (a stalled machine) lets
    // four more go. Before, a dip of the arrived pages below 16 let every free request place go at once: up
    // to 42 ahead, 21 typically.
    expect(Math.max(...ahead)).toBeLessThanOrEqual(12);
  });
});
