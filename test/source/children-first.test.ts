import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/index.js';
import { applyMessages, collect, expectExact, startFake, truth } from './helpers.js';

describe("a page's child requests", () => {
  it('go ahead of the list pages waiting in the throttle, exactly', async () => {
    const { fake, source } = await startFake({ seed: 5, records: { invoices: 400 }, latencyMs: { median: 2, p99: 10 } });
    // The account's bucket is what holds requests back (an endpoint's own is wide): list pages of a dozen
    // windows queue for it, and each page's lines requests must still go out one after another, ahead of them.
    // 400 invoices over the account's years: no window is cut while its page waits (a cut needs about three
    // pages left in one window) and no second is deep enough for a chain, either of which could come between.
    // (A chain goes first even before children; the throttle's unit test covers that.)
    const s = source({ maxRequestsPerSecond: 40, maxRequestsPerSecondPerEndpoint: 1000 });
    const sent: string[] = [];
    s.on('request', (e) => sent.push(e.path));
    const messages: Message[] = await collect(s.read({ streams: ['invoices', 'invoice_line_items'] }));
    expectExact(applyMessages(messages), truth(fake, ['invoices', 'invoice_line_items']));

    // Which page (counted by checkpoints) delivered each invoice.
    const pageOf = new Map<string, number>();
    let page = 0;
    for (const m of messages) {
      if (m.type === 'checkpoint') page++;
      else if (m.type === 'record' && m.stream === 'invoices') pageOf.set((m.record as { id: string }).id, page);
    }
    const linePages = sent.map((path) => /^\/v1\/invoices\/([^/]+)\/lines/.exec(path)?.[1]).map((id) => (id === undefined ? undefined : pageOf.get(id)));
    const pagesWithLines = new Set(linePages.filter((p): p is number => p !== undefined));
    expect(pagesWithLines.size).toBeGreaterThan(2);
    for (const p of pagesWithLines) {
      const first = linePages.indexOf(p);
      const last = linePages.lastIndexOf(p);
      // Between the first and the last lines request of one page, nothing but that page's lines requests.
      expect(linePages.slice(first, last + 1).every((q) => q === p), `page ${p}: ${sent.slice(first, last + 1).join(' ')}`).toBe(true);
    }
  });
});
