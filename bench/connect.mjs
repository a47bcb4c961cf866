#!/usr/bin/env node
/**
 * `npm run bench:connect`: the Connect benchmark of issue 7. A fake Connect platform (its own process, on
 * 127.0.0.1, Stripe's live limits per account and list latency) with 200 connected accounts of a long tail
 * of sizes; the library (its own process) reads every one with `accounts: 'all'`. Reports time against the
 * least time the limits, the latency and the account concurrency allow, and how long the smallest and the
 * largest accounts waited for their first request.
 *
 *   npm run bench:connect                   full size: 200 accounts, 85,315 records; two account orders x
 *                                           accountConcurrency 8 and 32 (about 2 minutes)
 *   npm run bench:connect -- --quick        200 smaller accounts, one order, 8 and 32 (under 60 s)
 *   node bench/connect.mjs --json           one JSON array on stdout (after `npm run build`); the table
 *                                           and notes go to stderr
 *
 * More options: --concurrency 8,32  --order age,shuffled  --accounts N  --largest N  --seed N  --time-limit S.
 * See bench/README.md (Connect fan-out) for what every figure means.
 */
import { parseArgs } from 'node:util';
import { STRIPE_LIVE_LIMITS, onlyCounts } from './catalog.mjs';
import { Child, workerResult } from './processes.mjs';
import { LIST_LATENCY } from './scenarios.mjs';

const HELP = `Usage: npm run bench:connect -- [--quick] [--json] [--concurrency 8,32] [--order age,shuffled]
                                  [--accounts N] [--largest N] [--seed N] [--time-limit S]

  --quick            smaller accounts, one order (age), under 60 s
  --json             print one JSON array of the figures on stdout (the table goes to stderr)
  --concurrency LIST accountConcurrency values to run (default 8,32)
  --order LIST       how account age relates to size: age (the biggest are the oldest, so listed last
                     by /v1/accounts, newest first), shuffled (ages drawn at random); default both
                     (quick: age)
  --accounts N       connected accounts (default 200)
  --largest N        objects of the largest account's top-level streams (default 12000; quick 3000)
  --seed N           the fake's seed (default 1)
  --time-limit S     time limit of each library run (default 300; quick 60)
  --dump PREFIX      write each run's per-account figures and the fake's truth to PREFIX-<order>-<c>.json`;

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '8,32' },
    order: { type: 'string' },
    accounts: { type: 'string', default: '200' },
    largest: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'time-limit': { type: 'string' },
    dump: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(HELP);
  process.exit(0);
}
const bad = (message) => {
  console.error(`${message}\n\n${HELP}`);
  process.exit(2);
};
const whole = (name, value, min = 1) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) bad(`--${name} must be a whole number >= ${min}, not ${JSON.stringify(value)}.`);
  return n;
};
const concurrencies = args.concurrency.split(',').map((v) => whole('concurrency', v.trim()));
if (concurrencies.some((c) => c > 100)) bad('--concurrency: accountConcurrency is at most 100.');
const orders = (args.order ?? (args.quick ? 'age' : 'age,shuffled')).split(',').map((v) => v.trim());
if (orders.some((o) => o !== 'age' && o !== 'shuffled')) bad(`--order takes age and/or shuffled, not ${JSON.stringify(args.order)}.`);
const accountCount = whole('accounts', args.accounts);
const largest = whole('largest', args.largest ?? (args.quick ? '3000' : '12000'));
const seed = whole('seed', args.seed, 0);
const timeLimitSeconds = whole('time-limit', args['time-limit'] ?? (args.quick ? '60' : '300'));

const out = args.json ? process.stderr : process.stdout;
const log = (line) => process.stderr.write(`${line}\n`);

// --- The platform -------------------------------------------------------------------------------------

/** Read in every connected account (invoice lines are children of invoices), and once at the platform. */
const ACCOUNT_STREAMS = ['customers', 'charges', 'invoices', 'invoice_line_items'];
const PLATFORM_STREAMS = ['transfers', 'application_fees', 'accounts'];
const STREAMS = [...ACCOUNT_STREAMS, ...PLATFORM_STREAMS];
/** How an account's top-level objects split over its streams. */
const MIX = { customers: 0.3, charges: 0.55, invoices: 0.15 };
/** Size of the account of rank k (1 = largest): largest / k^1.2, at least 5 top-level objects. */
const TAIL_EXPONENT = 1.2;
const SMALLEST = 5;
/** The platform's own streams scale with the accounts: a transfer and some fees per 15 account objects. */
const PLATFORM_SHARE = { transfers: 1 / 15, application_fees: 1 / 25 };
const DAY = 86_400;
/** The library's options: the live-mode defaults, passed explicitly since the fake's key is sk_test_. */
const LIVE_OPTIONS = { maxRequestsPerSecond: 100, maxRequestsPerSecondPerEndpoint: 25 };

/** Yesterday 00:00 UTC: a frozen clock for the fake, safely before the library's now. */
const FAKE_NOW_MS = Math.floor(Date.now() / (DAY * 1000)) * DAY * 1000 - DAY * 1000;

/** A small deterministic generator (mulberry32), for the shuffled ages. */
function random(seedValue) {
  let a = seedValue >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The connected accounts: rank k (1 = largest) holds largest / k^1.2 top-level objects (at least 5),
 * split by MIX, nothing in other streams. `age`: the biggest joined first (three years ago; the smallest a
 * month ago), as `fake-server --accounts` does, so `/v1/accounts` (newest first) lists the smallest first.
 * `shuffled`: the same ages handed out at random.
 */
function platform(order) {
  const nowSeconds = Math.floor(FAKE_NOW_MS / 1000);
  const ages = Array.from({ length: accountCount }, (_, i) => Math.round(30 * DAY + ((accountCount - 1 - i) / Math.max(1, accountCount - 1)) * (3 * 365 - 30) * DAY));
  if (order === 'shuffled') {
    const next = random(seed * 7919 + 17);
    for (let i = ages.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [ages[i], ages[j]] = [ages[j], ages[i]];
    }
  }
  const accounts = {};
  const rankOf = {};
  let topLevel = 0;
  for (let i = 0; i < accountCount; i++) {
    const total = Math.max(SMALLEST, Math.round(largest / (i + 1) ** TAIL_EXPONENT));
    const records = onlyCounts(Object.fromEntries(Object.entries(MIX).map(([s, share]) => [s, Math.max(1, Math.round(total * share))])));
    const id = `acct_1Bench${String(i).padStart(4, '0')}`;
    accounts[id] = { records, startDate: nowSeconds - ages[i] };
    rankOf[id] = i + 1;
    topLevel += total;
  }
  const records = onlyCounts(Object.fromEntries(Object.entries(PLATFORM_SHARE).map(([s, share]) => [s, Math.round(topLevel * share)])));
  return { fake: { seed, nowMs: FAKE_NOW_MS, records, accounts, rateLimit: STRIPE_LIVE_LIMITS, latencyMs: LIST_LATENCY }, rankOf };
}

// --- Figures ------------------------------------------------------------------------------------------

const fmt = (n, digits = 0) => (n === null || n === undefined || Number.isNaN(n) ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const round = (n, digits) => (n === null || n === undefined || !Number.isFinite(n) ? null : Number(n.toFixed(digits)));
const pct = (v) => (v === null || v === undefined ? '-' : `${(v * 100).toFixed(1)}%`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function median(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The fake's list latency is log-normal: median m, p99 = m e^(2.326 sigma). A round trip takes m e^(sigma^2/2)
 * on average (314 ms for a median of 250 ms and a p99 of 1.2 s), and k requests sent together are all answered
 * after the largest of k draws, E[max of k] (computed below).
 */
const SIGMA = Math.log(LIST_LATENCY.p99 / LIST_LATENCY.median) / 2.326;
const ROUND_TRIP = (LIST_LATENCY.median / 1000) * Math.exp((SIGMA * SIGMA) / 2);

/** E[max of k log-normal latencies], in seconds, by integrating over the standard normal (Simpson's rule). */
function expectedMaxLatency(k) {
  if (k <= 1) return ROUND_TRIP;
  const pdf = (z) => Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI);
  const cdf = (z) => 0.5 * (1 + erf(z / Math.SQRT2));
  const steps = 2000;
  const lo = -8;
  const hi = 8;
  const h = (hi - lo) / steps;
  let sum = 0;
  for (let i = 0; i <= steps; i++) {
    const z = lo + i * h;
    const f = (LIST_LATENCY.median / 1000) * Math.exp(SIGMA * z) * k * cdf(z) ** (k - 1) * pdf(z);
    sum += f * (i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2);
  }
  return (sum * h) / 3;
}

/** Abramowitz-Stegun 7.1.26 (error under 1.5e-7). */
function erf(x) {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496735) * t + 0.254829592) * t * Math.exp(-a * a);
  return sign * y;
}

/**
 * A lower bound on the expected time of one account's read on its own budget, the largest of: its busiest
 * endpoint (or all its requests) at Stripe's limits over a sliding one-second window, the last request
 * answered a round trip later; its lists' first pages, sent together and all answered (the largest of that
 * many latencies); its chain of requests that wait for one another (a list page, then an invoice's line
 * pages one after another), one round trip each.
 */
function accountSeconds(t) {
  const paced = Math.max(Math.ceil(t.busiest / STRIPE_LIVE_LIMITS.perEndpoint) - 1, Math.ceil(t.requests / STRIPE_LIVE_LIMITS.global) - 1, 0);
  return Math.max(paced + ROUND_TRIP, expectedMaxLatency(t.lists), t.depth * ROUND_TRIP);
}

/**
 * The least time of the whole run with `concurrency` accounts at a time (see docs/performance.md, Connect
 * fan-out): the accounts must be listed first (`/v1/accounts`, 100 a page, one page after another), then
 * every read (the platform's own streams take a slot too) holds one of `concurrency` slots for at least its
 * own least time, so the run takes at least the longest of them and at least their sum / concurrency.
 */
function ceiling(truth, concurrency) {
  const reads = [truth.platform, ...Object.values(truth.accounts)].map(accountSeconds);
  const discoverySeconds = Math.max(1, Math.ceil(Object.keys(truth.accounts).length / 100)) * ROUND_TRIP;
  const longestSeconds = Math.max(...reads);
  const slotsSeconds = reads.reduce((a, b) => a + b, 0) / concurrency;
  // What the issue calls the bound of the budgets alone: the busiest account at Stripe's limits.
  const budgetSeconds = Math.max(...[truth.platform, ...Object.values(truth.accounts)].map((t) => Math.max(t.requests / STRIPE_LIVE_LIMITS.global, t.busiest / STRIPE_LIVE_LIMITS.perEndpoint)));
  return { seconds: discoverySeconds + Math.max(longestSeconds, slotsSeconds), discoverySeconds, longestSeconds, slotsSeconds, budgetSeconds };
}

/** Wait share (first request / run) and completion (last record) of a group of accounts. */
function group(ids, perAccount, seconds) {
  const waits = [];
  const done = [];
  for (const id of ids) {
    const a = perAccount[id];
    waits.push(a?.firstRequestAt === null || a?.firstRequestAt === undefined ? 1 : a.firstRequestAt / seconds);
    done.push(a?.lastRecordAt ?? a?.lastRequestAt ?? seconds);
  }
  return {
    accounts: ids.length,
    waitShareMedian: round(median(waits), 3),
    waitShareMax: round(Math.max(...waits), 3),
    completionSecondsMedian: round(median(done), 2),
    completionSecondsMax: round(Math.max(...done), 2),
    completionShareMedian: round(median(done) / seconds, 3),
  };
}

/**
 * What another start order would have done with the same per-account durations (first request to last
 * record, as measured in this run): greedy list scheduling on `concurrency` slots opening when the first
 * account started. An estimate: it ignores that durations change a little with what runs beside them.
 */
function simulate(order, perAccount, concurrency, smallest, largestIds) {
  const started = Math.min(...order.map((id) => perAccount[id]?.firstRequestAt ?? Infinity));
  const slots = Array.from({ length: concurrency }, () => started);
  const start = {};
  let end = started;
  for (const id of order) {
    const a = perAccount[id];
    const duration = Math.max(0, (a?.lastRecordAt ?? a?.lastRequestAt ?? 0) - (a?.firstRequestAt ?? 0));
    const slot = slots.indexOf(Math.min(...slots));
    start[id] = slots[slot];
    slots[slot] += duration;
    end = Math.max(end, slots[slot]);
  }
  const share = (ids) => median(ids.map((id) => start[id] / end));
  return { seconds: round(end, 1), smallestWaitShareMedian: round(share(smallest), 3), largestWaitShareMedian: round(share(largestIds), 3) };
}

// --- Runs ---------------------------------------------------------------------------------------------

async function runWorker(job, label) {
  const worker = new Child('./connect-worker.mjs', { ...job, timeLimitSeconds }, { label });
  return workerResult(worker, {
    limitSeconds: timeLimitSeconds,
    log,
    describe: (p) => `${fmt(p.records)} records, ${fmt(p.accountsStarted)} accounts started, ${fmt(p.seconds, 0)} s`,
    fallback: (error) => ({ ...(worker.lastProgress ?? { records: 0, seconds: timeLimitSeconds }), accounts: {}, timedOut: true, error: String(error?.message ?? error) }),
  });
}

async function runOrder(order) {
  const rows = [];
  const notes = [];
  const failures = [];
  const { fake: fakeOptions, rankOf } = platform(order);
  log(`\n(connect, ${order}) ${fmt(accountCount)} connected accounts, the largest ${fmt(largest)} top-level objects, 1/k^${TAIL_EXPONENT} after it`);
  const fake = new Child('./connect-fake.mjs', fakeOptions, { label: `fake Stripe (${order})`, execArgv: ['--max-old-space-size=8192'] });
  try {
    const hello = await fake.waitFor('ready', 600);
    if (!hello.url.startsWith('http://127.0.0.1:')) throw new Error(`the fake must listen on 127.0.0.1, not ${hello.url}`);
    const truth = await fake.request('truth', { accountStreams: ACCOUNT_STREAMS, platformStreams: PLATFORM_STREAMS }, 600);
    const ids = Object.keys(truth.accounts);
    const bySize = [...ids].sort((a, b) => truth.accounts[a].records - truth.accounts[b].records || rankOf[b] - rankOf[a]);
    const tenth = Math.max(1, Math.round(ids.length / 10));
    const smallest = bySize.slice(0, tenth);
    const largestIds = bySize.slice(-tenth).reverse();
    const sizes = bySize.map((id) => truth.accounts[id].records);
    log(`  fake at ${hello.url} (generated in ${fmt(hello.generationSeconds, 1)} s): ${fmt(truth.records)} records to read; accounts from ${fmt(sizes[0])} to ${fmt(sizes.at(-1))} objects (median ${fmt(median(sizes))}); platform ${fmt(truth.platform.records)}`);
    // The order the library reads them in: that of /v1/accounts, newest first.
    const listed = [...ids].sort((a, b) => fakeOptions.accounts[b].startDate - fakeOptions.accounts[a].startDate);

    for (const concurrency of concurrencies) {
      await sleep(1100); // the fake's one-second rate windows forget the previous run
      await fake.request('reset');
      const label = `library (${order}, accountConcurrency ${concurrency})`;
      const lib = await runWorker({ url: hello.url, apiKey: hello.apiKey, streams: STREAMS, accountConcurrency: concurrency, ...LIVE_OPTIONS }, label);
      const stats = await fake.request('stats');
      const run = `${order}, ${concurrency}`;
      if (lib.error) failures.push(`(${run}) library: ${lib.error}`);
      if (lib.timedOut) notes.push(`(${run}) stopped at its ${timeLimitSeconds} s limit after ${fmt(lib.records)} of ${fmt(truth.records)} records`);
      const per = lib.accounts ?? {};
      if (args.dump) {
        const { writeFileSync } = await import('node:fs');
        writeFileSync(`${args.dump}-${order}-${concurrency}.json`, JSON.stringify({ listed, truth, per, seconds: lib.seconds }));
      }
      if (!lib.timedOut && !lib.error) {
        const wrong = [];
        const check = (key, t) => {
          for (const [stream, n] of Object.entries(t.counts)) if ((per[key]?.counts?.[stream] ?? 0) !== n) wrong.push(`${key} ${stream} ${fmt(per[key]?.counts?.[stream] ?? 0)}/${fmt(n)}`);
        };
        check('platform', truth.platform);
        for (const id of ids) check(id, truth.accounts[id]);
        if (wrong.length > 0) failures.push(`(${run}) records differ from the fake's: ${wrong.slice(0, 5).join(', ')}${wrong.length > 5 ? ` and ${wrong.length - 5} more` : ''}`);
      }
      const seconds = lib.seconds;
      const bound = ceiling(truth, concurrency);
      const firstAccountAt = Math.min(...ids.map((id) => per[id]?.firstRequestAt ?? Infinity));
      const lastStart = Math.max(...ids.map((id) => per[id]?.firstRequestAt ?? -Infinity));
      log(`  ${label}: ${fmt(lib.records)} records in ${fmt(seconds, 1)} s, ${fmt(stats.total)} requests, ${fmt(stats.byStatus['429'] ?? 0)} answered 429`);
      const orderBySize = (dir) => [...ids].sort((a, b) => dir * (truth.accounts[a].records - truth.accounts[b].records));
      const seeded = new Set(orderBySize(-1).slice(0, concurrency));
      const simulated = lib.error || lib.timedOut ? null : {
        listed: simulate(listed, per, concurrency, smallest, largestIds),
        smallestFirst: simulate(orderBySize(1), per, concurrency, smallest, largestIds),
        largestFirst: simulate(orderBySize(-1), per, concurrency, smallest, largestIds),
        // The `concurrency` largest first (none of them is left to form the tail), then the rest smallest first.
        largestSlotsThenSmallest: simulate([...seeded, ...orderBySize(1).filter((id) => !seeded.has(id))], per, concurrency, smallest, largestIds),
      };
      const duration = (id) => Math.max(0, (per[id]?.lastRecordAt ?? 0) - (per[id]?.firstRequestAt ?? 0));
      const biggest = largestIds[0];
      rows.push({
        scenario: 'connect',
        order,
        accountConcurrency: concurrency,
        accounts: ids.length,
        records: lib.records,
        seconds: round(seconds, 2),
        recordsPerSecond: round(lib.records / seconds, 0),
        requests: stats.total,
        rateLimitedShare: stats.total > 0 ? round((stats.byStatus['429'] ?? 0) / stats.total, 4) : null,
        ceilingSeconds: round(bound.seconds, 2),
        ratioToCeiling: round((bound.seconds * Math.min(1, lib.records / truth.records)) / seconds, 3),
        ceiling: {
          discoverySeconds: round(bound.discoverySeconds, 2),
          longestAccountSeconds: round(bound.longestSeconds, 2),
          slotsSeconds: round(bound.slotsSeconds, 2),
          budgetsOnlySeconds: round(bound.budgetSeconds, 2),
        },
        // Each account's read (first request to last record) against its own least time: the loss inside reads.
        accountReads: lib.error || lib.timedOut ? null : {
          sumSeconds: round(ids.reduce((a, id) => a + duration(id), 0), 1),
          sumLeastSeconds: round(ids.reduce((a, id) => a + accountSeconds(truth.accounts[id]), 0), 1),
          largestSeconds: round(duration(biggest), 2),
          largestLeastSeconds: round(accountSeconds(truth.accounts[biggest]), 2),
          largestStartedAt: round(per[biggest]?.firstRequestAt, 2),
          largestRequests: per[biggest]?.requests ?? null,
          largestLeastRequests: truth.accounts[biggest].requests,
        },
        firstAccountRequestAt: round(firstAccountAt, 2),
        lastAccountStartAt: round(lastStart, 2),
        smallest10: group(smallest, per, seconds),
        largest10: group(largestIds, per, seconds),
        simulated,
        peakRssMb: round(lib.peakRssMb, 1),
        cpuMicrosPerRecord: lib.records > 0 ? round(lib.cpuMicros / lib.records, 1) : null,
      });
      const r = rows.at(-1);
      notes.push(`(${run}) ceiling ${fmt(bound.seconds, 1)} s = listing the accounts ${fmt(bound.discoverySeconds, 2)} s + max(longest read ${fmt(bound.longestSeconds, 1)} s, sum of reads / ${concurrency} slots ${fmt(bound.slotsSeconds, 1)} s); the budgets alone: ${fmt(bound.budgetSeconds, 1)} s`);
      if (simulated) {
        const reads = r.accountReads;
        notes.push(`(${run}) account reads took ${fmt(reads.sumSeconds, 0)} s in all (least ${fmt(reads.sumLeastSeconds, 0)} s); the largest ${fmt(reads.largestSeconds, 1)} s (least ${fmt(reads.largestLeastSeconds, 1)} s, ${fmt(reads.largestRequests)} requests for at least ${fmt(reads.largestLeastRequests)}), started at ${fmt(reads.largestStartedAt, 1)} s`);
        const sim = (name, v) => `${name} ${fmt(v.seconds, 1)} s (small wait ${pct(v.smallestWaitShareMedian)}, large ${pct(v.largestWaitShareMedian)})`;
        notes.push(`(${run}) same durations, other start orders: ${sim('as listed', simulated.listed)}, ${sim('smallest first', simulated.smallestFirst)}, ${sim('largest first', simulated.largestFirst)}, ${sim(`${concurrency} largest then smallest first`, simulated.largestSlotsThenSmallest)}`);
      }
    }
  } catch (error) {
    failures.push(`(${order}) ${String(error?.stack ?? error)}`);
  } finally {
    await fake.kill();
  }
  return { rows, notes, failures };
}

const COLUMNS = [
  ['order', (r) => r.order],
  ['conc', (r) => String(r.accountConcurrency)],
  ['records', (r) => fmt(r.records)],
  ['s', (r) => fmt(r.seconds, 1)],
  ['rec/s', (r) => fmt(r.recordsPerSecond)],
  ['ceiling s', (r) => fmt(r.ceilingSeconds, 1)],
  ['of ceiling', (r) => pct(r.ratioToCeiling)],
  ['429 share', (r) => (r.rateLimitedShare === null ? '-' : `${(r.rateLimitedShare * 100).toFixed(2)}%`)],
  ['small wait med/max', (r) => `${pct(r.smallest10.waitShareMedian)} / ${pct(r.smallest10.waitShareMax)}`],
  ['small done med/max s', (r) => `${fmt(r.smallest10.completionSecondsMedian, 1)} / ${fmt(r.smallest10.completionSecondsMax, 1)}`],
  ['large wait med/max', (r) => `${pct(r.largest10.waitShareMedian)} / ${pct(r.largest10.waitShareMax)}`],
  ['large done med/max s', (r) => `${fmt(r.largest10.completionSecondsMedian, 1)} / ${fmt(r.largest10.completionSecondsMax, 1)}`],
  ['RSS MB', (r) => fmt(r.peakRssMb)],
  ['CPU µs/rec', (r) => fmt(r.cpuMicrosPerRecord, 1)],
];

function table(rows) {
  const cells = rows.map((row) => COLUMNS.map(([, show]) => show(row)));
  const widths = COLUMNS.map(([title], i) => Math.max(title.length, ...cells.map((c) => c[i].length)));
  const line = (values) => values.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  return [line(COLUMNS.map(([title]) => title)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

const started = performance.now();
log(`stripe-source Connect bench${args.quick ? ' (quick)' : ''}: orders ${orders.join(', ')}; accountConcurrency ${concurrencies.join(', ')}; Node ${process.version}`);
const results = [];
for (const order of orders) results.push(await runOrder(order));
const rows = results.flatMap((r) => r.rows);
out.write(`\n${table(rows)}\n`);
for (const r of results) for (const note of r.notes) out.write(`  ${note}\n`);
for (const r of results) for (const failure of r.failures) out.write(`  FAILED: ${failure}\n`);
out.write(`Connect bench took ${fmt((performance.now() - started) / 1000, 0)} s.\n`);
if (args.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
process.exitCode = results.some((r) => r.failures.length > 0) ? 1 : 0;
