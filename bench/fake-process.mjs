#!/usr/bin/env node
/**
 * The fake Stripe in a process of its own, so that the library's process measures only its own CPU and
 * memory.
 *
 *   node bench/fake-process.mjs '{"seed":1,"records":{"charges":1000},"rateLimit":{"global":100,"perEndpoint":25}}'
 *
 * The argument is `createFakeStripe` options as JSON, plus `nowMs` (a frozen clock) and `port`. It prints
 * one line `{"url","apiKey","accountId","generationSeconds"}` and serves on 127.0.0.1 until SIGINT/SIGTERM,
 * or, when forked with an IPC channel, until the parent disconnects. Over IPC it also answers
 * `{ id, type: 'stats' | 'reset' | 'truth' | 'close' }` with `{ id, ok, value }`.
 */
import { StripeSource, STREAM_NAMES } from '../dist/index.js';
import { CHILDREN, childPages, listPages } from './catalog.mjs';
import { answerParent, startFake } from './fake-frame.mjs';

const { fake, hello, shutdown } = await startFake();

/**
 * What a complete read of `selection` (stream names; null for all) must deliver, the fewest list requests
 * it takes (one per 100 objects per list and partition, at least one per list, plus child pages past what
 * parents embed), and the baseline's units of work: one per top-level list and partition.
 */
function truth(selection) {
  const selected = new Set(selection ?? STREAM_NAMES);
  const catalog = new StripeSource({ apiKey: fake.apiKey }).catalog();
  const counts = {};
  for (const name of selected) counts[name] = fake.objects(name).length;

  const byEndpoint = {};
  const add = (endpoint, n) => {
    if (n > 0) byEndpoint[endpoint] = (byEndpoint[endpoint] ?? 0) + n;
  };
  // Top-level lists to read: the selected ones, and the parents of selected children.
  const lists = [];
  for (const entry of catalog) {
    if (entry.parent) continue;
    const children = catalog.filter((c) => c.parent === entry.name && selected.has(c.name)).map((c) => c.name);
    if (selected.has(entry.name) || children.length > 0) lists.push({ entry, children });
  }
  const units = [];
  for (const { entry, children } of lists) {
    const objects = fake.objects(entry.name);
    const partitions = entry.partitions ?? [{}];
    // Per parent id: its children's pages past the embedded ones, and its children (selected streams only).
    const extraPages = new Map();
    const childCount = new Map();
    for (const child of children) {
      const info = CHILDREN[child];
      const perParent = new Map();
      for (const c of fake.objects(child)) {
        const parent = c[info.parentField];
        perParent.set(parent, (perParent.get(parent) ?? 0) + 1);
      }
      for (const [parent, k] of perParent) {
        const pages = info.embeddedMax > 0 ? childPages(info, k) : listPages(k);
        add(info.endpoint, pages);
        extraPages.set(parent, (extraPages.get(parent) ?? 0) + pages);
        childCount.set(parent, (childCount.get(parent) ?? 0) + k);
      }
    }
    for (const partition of partitions) {
      const inPartition = objects.filter((o) => Object.entries(partition).every(([k, v]) => String(o[k]) === v));
      const pages = listPages(inPartition.length);
      add(entry.path, pages);
      let childRequests = 0;
      let childRecords = 0;
      for (const o of inPartition) {
        childRequests += extraPages.get(o.id) ?? 0;
        childRecords += childCount.get(o.id) ?? 0;
      }
      units.push({
        stream: entry.name,
        params: { ...entry.params, ...partition },
        deliver: selected.has(entry.name),
        children,
        parents: inPartition.length,
        records: (selected.has(entry.name) ? inPartition.length : 0) + childRecords,
        requests: pages + childRequests,
      });
    }
  }
  const total = Object.values(byEndpoint).reduce((a, b) => a + b, 0);
  return { counts, records: Object.values(counts).reduce((a, b) => a + b, 0), minRequests: { total, byEndpoint }, units };
}

answerParent({
  fake,
  hello,
  shutdown,
  stats: () => {
    const { total, byMethod, byPath, byStatus } = fake.stats;
    return { total, byMethod, byPath, byStatus };
  },
  truth: (message) => truth(message.streams ?? null),
});
