#!/usr/bin/env node
/**
 * What an incremental run costs: a fake account is read in full, then N objects change (updates, deletes,
 * cancellations, new ones) and a second run brings every stream up to date. Prints the second run's requests
 * by endpoint next to the first run's, and checks the result is exact.
 *
 *   npm run build && node bench/changes.mjs [--records 50000] [--changes 2000] [--json]
 *
 * Limits and latency are off: this counts requests, it does not time them (requests / 100 per second is
 * the time at Stripe's live rate).
 */
import { parseArgs } from 'node:util';
import { StripeSource, STREAM_NAMES } from '../dist/index.js';
import { createFakeStripe } from '../dist/testing/index.js';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '50000' },
    changes: { type: 'string', default: '2000' },
    json: { type: 'boolean', default: false },
  },
});
const total = Number(args.records);
const changes = Number(args.changes);
const NOW_MS = Date.UTC(2026, 10, 1);
let clock = NOW_MS;
const perStream = Math.max(15, Math.round(total / 24));
const fake = createFakeStripe({ seed: 7, now: () => clock, records: Object.fromEntries(STREAM_NAMES.filter((s) => !['setup_attempts', 'subscription_items', 'invoice_line_items', 'events'].includes(s)).map((s) => [s, perStream])) });
const server = await fake.listen();

async function run(checkpoint) {
  const source = new StripeSource({ apiKey: fake.apiKey, baseUrl: server.url, now: () => clock, maxRequestsPerSecond: 10_000, maxRequestsPerSecondPerEndpoint: 10_000 });
  fake.stats.reset();
  const counts = { record: 0, delete: 0, resync: 0, checkpoint: 0 };
  let last;
  const started = performance.now();
  for await (const m of source.read({ checkpoint })) {
    counts[m.type] += 1;
    if (m.type === 'checkpoint') last = m.checkpoint;
  }
  return { checkpoint: last, counts, requests: fake.stats.total, byPath: { ...fake.stats.byPath }, seconds: (performance.now() - started) / 1000 };
}

const first = await run(undefined);
clock += 60_000;
// The changes: spread over the busiest top-level streams, a tenth of them deletes or cancellations.
const targets = ['customers', 'charges', 'invoices', 'subscriptions', 'payment_intents', 'products'];
let made = 0;
for (let i = 0; made < changes; i++) {
  const stream = targets[i % targets.length];
  const objects = fake.objects(stream);
  const object = objects[Math.floor(i / targets.length) % objects.length];
  if (i % 10 === 9 && (stream === 'customers' || stream === 'products')) fake.del(stream, object.id);
  else if (i % 10 === 9 && stream === 'subscriptions' && object.status !== 'canceled') fake.update(stream, object.id, { status: 'canceled' });
  else fake.update(stream, object.id, { metadata: { change: String(i) } });
  made += 1;
}
clock += 120_000;
const second = await run(first.checkpoint);
await server.close();

const byEndpoint = Object.entries(second.byPath).sort((a, b) => b[1] - a[1]);
const result = {
  records: total,
  changes,
  firstRun: { requests: first.requests, records: first.counts.record, seconds: first.seconds },
  incrementalRun: { requests: second.requests, records: second.counts.record, deletes: second.counts.delete, resyncBrackets: second.counts.resync / 2, seconds: second.seconds, byEndpoint: Object.fromEntries(byEndpoint) },
};
if (args.json) {
  console.log(JSON.stringify(result));
} else {
  console.log(`First run: ${first.counts.record} records, ${first.requests} requests.`);
  console.log(`${changes} changes, then an incremental run: ${second.counts.record} records, ${second.counts.delete} deletes, ${second.counts.resync / 2} resync brackets, ${second.requests} requests:`);
  for (const [path, n] of byEndpoint) console.log(`  ${String(n).padStart(6)}  ${path}`);
}
