/**
 * One Connect fan-out run in a process of its own (forked by connect.mjs): a `StripeSource` with
 * `accounts: 'all'` reading every connected account of the fake platform. Argument: JSON `{ url, apiKey,
 * streams, accountConcurrency, maxRequestsPerSecond, maxRequestsPerSecondPerEndpoint, timeLimitSeconds }`.
 *
 * Per account (`'platform'` for the platform's own streams, whose messages and requests carry no account):
 * the time of its first request and of its last record (seconds from `new StripeSource`), its requests
 * (retries included), its records per stream. Sends `{ type: 'progress' }` every second and one
 * `{ type: 'result' }`, then exits.
 */
import { StripeSource } from '../dist/index.js';
import { timeLimit } from './time-limit.mjs';

const job = JSON.parse(process.argv[2]);
process.on('disconnect', () => process.exit(1)); // the bench died

const PLATFORM = 'platform';
/** account -> { firstRequestAt, lastRequestAt, lastRecordAt, requests, records, counts } */
const accounts = new Map();
const of = (account) => {
  const key = account ?? PLATFORM;
  let entry = accounts.get(key);
  if (!entry) accounts.set(key, (entry = { firstRequestAt: null, lastRequestAt: null, lastRecordAt: null, requests: 0, records: 0, counts: {} }));
  return entry;
};
let records = 0;
let rateLimited = 0;
let retries = 0;
let source;

const cpuStart = process.cpuUsage();
const started = performance.now();
const now = () => (performance.now() - started) / 1000;
const snapshot = (withAccounts) => {
  const cpu = process.cpuUsage(cpuStart);
  return {
    records,
    seconds: now(),
    cpuMicros: cpu.user + cpu.system,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    requests: source?.requestCount ?? 0,
    accountsStarted: accounts.size,
    rateLimited,
    retries,
    ...(withAccounts ? { accounts: Object.fromEntries(accounts) } : {}),
  };
};
const progress = setInterval(() => process.send({ type: 'progress', ...snapshot(false) }), 1000);

const limit = timeLimit(job.timeLimitSeconds);

let error = null;
try {
  source = new StripeSource({
    apiKey: job.apiKey,
    baseUrl: job.url,
    accounts: 'all',
    accountConcurrency: job.accountConcurrency,
    streams: job.streams,
    maxRequestsPerSecond: job.maxRequestsPerSecond,
    maxRequestsPerSecondPerEndpoint: job.maxRequestsPerSecondPerEndpoint,
  });
  source.on('request', (r) => {
    const entry = of(r.account);
    const at = now();
    entry.firstRequestAt ??= at;
    entry.lastRequestAt = at;
    entry.requests += 1;
  });
  source.on('rate_limited', () => rateLimited++);
  source.on('retry', () => retries++);
  for await (const m of source.read({ signal: limit.signal })) {
    if (m.type !== 'record') continue;
    records++;
    const entry = of(m.account);
    entry.records += 1;
    entry.counts[m.stream] = (entry.counts[m.stream] ?? 0) + 1;
    entry.lastRecordAt = now();
  }
} catch (e) {
  if (!limit.reached) error = String(e?.stack ?? e);
}
const result = { type: 'result', ...snapshot(true), timedOut: limit.reached, error };
limit.clear();
clearInterval(progress);
process.send(result, () => process.exit(0)); // sockets the client keeps alive must not hold the process
