// One of several processes syncing the same account at once, each with the whole account's rate limit
// configured and the budget shared through Redis. Run by processes.test.ts against the built dist/.
// Input (env): BASE_URL, API_KEY, REDIS_URL, BUDGET_KEY, STREAMS (comma-separated), NOW_MS, OUT (a file).
// Output: OUT gets one JSON line per record ({stream, id, record}); the last stdout line is a JSON summary.
import { createWriteStream } from 'node:fs';
import { StripeSource } from '../../dist/index.js';

const env = process.env;
const now = Number(env.NOW_MS);
const source = new StripeSource({
  apiKey: env.API_KEY,
  baseUrl: env.BASE_URL,
  // As if this process had the account to itself: Stripe's test-mode limits less one.
  maxRequestsPerSecond: 24,
  maxRequestsPerSecondPerEndpoint: 24,
  minRetryDelayMs: 50,
  rateLimit: { redis: env.REDIS_URL, key: env.BUDGET_KEY },
  now: () => now,
});
let rateLimited = 0;
source.on('rate_limited', () => void (rateLimited += 1));
const out = createWriteStream(env.OUT);
let records = 0;
const started = performance.now();
for await (const m of source.read({ streams: env.STREAMS.split(',') })) {
  if (m.type === 'record') {
    records += 1;
    if (!out.write(`${JSON.stringify({ stream: m.stream, id: m.record.id, record: m.record })}\n`)) await new Promise((done) => out.once('drain', done));
  }
}
await new Promise((done) => out.end(done));
process.stdout.write(`${JSON.stringify({ records, requests: source.requestCount, rateLimited, seconds: (performance.now() - started) / 1000 })}\n`);
