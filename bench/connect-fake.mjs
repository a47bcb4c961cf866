#!/usr/bin/env node
/**
 * The fake Stripe of the Connect benchmark (connect.mjs) in a process of its own: a platform with connected
 * accounts, each with its own data and its own rate budget (the fake counts limits per account, as Stripe
 * does for requests made with `Stripe-Account`).
 *
 *   node bench/connect-fake.mjs '{"seed":1,"records":{"transfers":100},"accounts":{"acct_1A":{"records":{"customers":10}}}}'
 *
 * The argument is `createFakeStripe` options as JSON (`accounts` included), plus `nowMs` (a frozen clock)
 * and `port`. It prints one line `{"url","apiKey","accountId","accounts","generationSeconds"}` and serves
 * on 127.0.0.1 until SIGINT/SIGTERM or, when forked with an IPC channel, until the parent disconnects. Over
 * IPC it answers `{ id, type: 'stats' | 'reset' | 'truth' | 'close' }` with `{ id, ok, value }`; `truth`
 * takes `{ accountStreams, platformStreams }` and answers, for the platform and every connected account,
 * what a complete read must deliver and the fewest requests it takes.
 */
import { StripeSource } from '../dist/index.js';
import { CHILDREN, childPages, listPages } from './catalog.mjs';
import { answerParent, startFake } from './fake-frame.mjs';

const { fake, hello, shutdown } = await startFake();

const catalog = new StripeSource({ apiKey: fake.apiKey }).catalog();

/**
 * One account's (or the platform's, `account` undefined) truth for the selected streams: object counts,
 * the fewest list requests (one per 100 objects per list and partition, at least one per list, plus child
 * pages past what parents embed) in all and per endpoint, and `depth`: the longest chain of requests that
 * must wait for one another (a list page, then a parent's child pages one after another); `lists`: the
 * top-level lists (and partitions) to read, each at least one request.
 */
function accountTruth(selection, account) {
  const selected = new Set(selection);
  const counts = {};
  for (const name of selected) counts[name] = fake.objects(name, account).length;
  const byEndpoint = {};
  const add = (endpoint, n) => {
    if (n > 0) byEndpoint[endpoint] = (byEndpoint[endpoint] ?? 0) + n;
  };
  let depth = 0;
  let lists = 0;
  for (const entry of catalog) {
    if (entry.parent) continue;
    const children = catalog.filter((c) => c.parent === entry.name && selected.has(c.name)).map((c) => c.name);
    if (!selected.has(entry.name) && children.length === 0) continue;
    const objects = fake.objects(entry.name, account);
    for (const partition of entry.partitions ?? [{}]) {
      lists += 1;
      add(entry.path, listPages(objects.filter((o) => Object.entries(partition).every(([k, v]) => String(o[k]) === v)).length));
    }
    let childDepth = 0;
    for (const child of children) {
      const info = CHILDREN[child];
      const perParent = new Map();
      for (const c of fake.objects(child, account)) perParent.set(c[info.parentField], (perParent.get(c[info.parentField]) ?? 0) + 1);
      for (const k of perParent.values()) {
        const pages = info.embeddedMax > 0 ? childPages(info, k) : listPages(k);
        add(info.endpoint, pages);
        childDepth = Math.max(childDepth, pages);
      }
    }
    depth = Math.max(depth, 1 + childDepth);
  }
  const requests = Object.values(byEndpoint).reduce((a, b) => a + b, 0);
  const busiest = Math.max(0, ...Object.values(byEndpoint));
  return { counts, records: Object.values(counts).reduce((a, b) => a + b, 0), requests, busiest, depth, lists };
}

function truth({ accountStreams, platformStreams }) {
  const platform = accountTruth(platformStreams, undefined);
  const accounts = Object.fromEntries(fake.accounts.map((id) => [id, accountTruth(accountStreams, id)]));
  const records = platform.records + Object.values(accounts).reduce((a, t) => a + t.records, 0);
  return { platform, accounts, records };
}

answerParent({
  fake,
  hello: { ...hello, accounts: fake.accounts },
  shutdown,
  stats: () => {
    const { total, byPath, byStatus, byAccount } = fake.stats;
    return { total, byPath, byStatus, byAccount };
  },
  truth,
});
