#!/usr/bin/env node
/**
 * `npm run bench`: the benchmark of issue 4. Every scenario starts a fake Stripe in its own process on
 * 127.0.0.1, then reads it with the library (a process of its own: its CPU time and peak RSS are the
 * library's) and with the baseline (the `stripe` package's auto-pagination, one list after another).
 *
 *   npm run bench                      full size (about 15 minutes)
 *   npm run bench -- --quick           smaller versions of every scenario (under 90 s)
 *   npm run bench -- --only a,c        some scenarios (`e` also runs `e-small`)
 *   node bench/run.mjs --json          one JSON array on stdout; the table goes to stderr (after a
 *                                      build: through npm, tsup's log comes first on stdout)
 *
 * More options: --no-baseline, --baseline-seconds S (0: read everything), --time-limit S, --seed N.
 */
import { parseArgs } from 'node:util';
import { sinkCeiling } from './sink.mjs';
import { STRIPE_LIVE_LIMITS } from './catalog.mjs';
import { Child, workerResult } from './processes.mjs';
import { scenarios } from './scenarios.mjs';

const HELP = `Usage: npm run bench -- [--quick] [--json] [--only a,b,c,d,e] [--no-baseline]
                          [--baseline-seconds S] [--time-limit S] [--seed N]

  --quick               smaller versions of every scenario (under 90 s in all)
  --json                print one JSON array of the figures on stdout (the table goes to stderr)
  --only LIST           scenarios to run: a, b, c, d, e (e runs e-small and e); f only when named
  --no-baseline         skip the stripe package's pager
  --baseline-seconds S  sampling budget of each baseline run; 0 reads everything (slow: 1000 pages take ~5 min)
  --time-limit S        time limit of each library run (figures then come from what it read)
  --seed N              the fake's seed (default 1)`;

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
    'no-baseline': { type: 'boolean', default: false },
    'baseline-seconds': { type: 'string' },
    'time-limit': { type: 'string' },
    seed: { type: 'string', default: '1' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(HELP);
  process.exit(0);
}
const number = (name) => {
  const value = args[name];
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`--${name} must be a number >= 0, not ${JSON.stringify(value)}.\n\n${HELP}`);
    process.exit(2);
  }
  return n;
};
const baselineSecondsOverride = number('baseline-seconds');
const timeLimitOverride = number('time-limit');
const seed = number('seed');

const out = args.json ? process.stderr : process.stdout;
const log = (line) => process.stderr.write(`${line}\n`);

let selected = scenarios({ quick: args.quick });
if (args.only) {
  const wanted = args.only.split(',').map((s) => s.trim()).filter(Boolean);
  const known = new Set(selected.map((s) => s.id.split('-')[0]));
  const unknown = wanted.filter((w) => !known.has(w) && !selected.some((s) => s.id === w));
  if (unknown.length > 0) {
    console.error(`--only: unknown scenario ${unknown.join(', ')}; scenarios are ${[...known].join(', ')}.`);
    process.exit(2);
  }
  selected = selected.filter((s) => wanted.includes(s.id) || wanted.includes(s.id.split('-')[0]));
} else {
  selected = selected.filter((s) => !s.optIn);
}

/** Yesterday 00:00 UTC: a frozen clock for the fake (same account all day), safely before the library's now. */
const DAY_MS = 86_400_000;
const FAKE_NOW_MS = Math.floor(Date.now() / DAY_MS) * DAY_MS - DAY_MS;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (n, digits = 0) => (n === null || n === undefined || Number.isNaN(n) ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const round = (n, digits) => (n === null || n === undefined || !Number.isFinite(n) ? null : Number(n.toFixed(digits)));

/** Runs one worker to its result; on a crash or a hang, the last progress it reported stands in. */
async function runWorker(script, job, { label, limitSeconds }) {
  // BENCH_WORKER_NODE_ARGS: Node flags for the library and baseline processes only (the fake runs without
  // them), e.g. "--cpu-prof --cpu-prof-dir=prof" for a CPU profile of each (open it in Chrome's DevTools).
  const execArgv = process.env.BENCH_WORKER_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
  const worker = new Child(script, { ...job, timeLimitSeconds: limitSeconds }, { label, execArgv });
  return workerResult(worker, {
    limitSeconds,
    log,
    describe: (p) => `${fmt(p.records)} records, ${fmt(p.seconds, 0)} s`,
    fallback: (error) => {
      const partial = worker.lastProgress ?? { records: 0, counts: {}, seconds: limitSeconds, cpuMicros: 0, peakRssMb: null };
      return { ...partial, type: 'result', timedOut: true, error: `${String(error.message ?? error)} (figures from its last progress report)` };
    },
  });
}

/** One library run against the fake, checked against what the fake holds. */
async function libraryRun({ scenario, fake, hello, truth, limitSeconds, failures, notes }) {
  await fake.request('reset');
  const lib = await runWorker('./library-worker.mjs', {
    url: hello.url,
    apiKey: hello.apiKey,
    streams: scenario.streams,
    ...scenario.library,
    sink: scenario.sink ?? null,
  }, { label: 'library', limitSeconds });
  const stats = await fake.request('stats');
  if (lib.error) failures.push(`library: ${lib.error}`);
  if (lib.timedOut) notes.push(`library stopped at its ${limitSeconds} s limit after ${fmt(lib.records)} of ${fmt(truth.records)} records: figures extrapolated from that part`);
  if (!lib.timedOut && !lib.error) {
    const wrong = Object.entries(truth.counts).filter(([stream, n]) => (lib.counts[stream] ?? 0) !== n);
    if (wrong.length > 0) {
      failures.push(`library records differ from the fake's: ${wrong.map(([s, n]) => `${s} ${fmt(lib.counts[s] ?? 0)}/${fmt(n)}`).join(', ')}`);
    }
  }
  log(`  library: ${fmt(lib.records)} records in ${fmt(lib.seconds, 1)} s, ${fmt(stats.total)} requests, ${fmt(stats.byStatus['429'] ?? 0)} answered 429`);
  return { result: lib, stats };
}

/** One baseline run (the stripe package's pager), sampled for `baselineSeconds` unless that is 0. */
async function baselineRun({ scenario, fake, hello, truth, limitSeconds, failures, notes }) {
  await fake.request('reset');
  const budget = baselineSecondsOverride ?? scenario.baselineSeconds;
  const base = await runWorker('./baseline-worker.mjs', {
    url: hello.url,
    apiKey: hello.apiKey,
    units: truth.units,
    budgetSeconds: budget,
    extrapolateBy: scenario.extrapolateBy,
    sink: scenario.sink ?? null,
  }, { label: 'baseline', limitSeconds: Math.max(limitSeconds, budget * 2 + 30) });
  const stats = await fake.request('stats');
  if (base.error) failures.push(`baseline: ${base.error}`);
  if (base.sampled) {
    notes.push(`baseline sampled for ${fmt(base.seconds, 0)} s (${fmt(base.records)} records), full run estimated at ${fmt(base.estimatedSeconds, 0)} s`);
  } else if (!base.error) {
    const wrong = Object.entries(truth.counts).filter(([stream, n]) => (base.counts[stream] ?? 0) !== n);
    if (wrong.length > 0) failures.push(`baseline records differ from the fake's: ${wrong.map(([s, n]) => `${s} ${fmt(base.counts[s] ?? 0)}/${fmt(n)}`).join(', ')}`);
  }
  log(`  baseline: ${fmt(base.records)} records in ${fmt(base.seconds, 1)} s, ${fmt(stats.total)} requests, ${fmt(stats.byStatus['429'] ?? 0)} answered 429`);
  return { result: base, stats };
}

const cpuPerRecord = (result) => (result.records > 0 ? result.cpuMicros / result.records : Infinity);

/** The run with the median CPU time per record (the lower middle of an even count). */
function medianRun(runs) {
  const sorted = [...runs].sort((a, b) => cpuPerRecord(a.result) - cpuPerRecord(b.result));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

async function runScenario(scenario) {
  const notes = [];
  const failures = [];
  log(`\n(${scenario.id}) ${scenario.title}`);
  const fake = new Child('./fake-process.mjs', { seed, nowMs: FAKE_NOW_MS, ...scenario.fake }, {
    label: `fake Stripe (${scenario.id})`,
    execArgv: ['--max-old-space-size=8192'],
  });
  try {
    const hello = await fake.waitFor('ready', 600);
    if (!hello.url.startsWith('http://127.0.0.1:')) throw new Error(`the fake must listen on 127.0.0.1, not ${hello.url}`);
    const truth = await fake.request('truth', { streams: scenario.streams }, 600);
    log(`  fake at ${hello.url}: ${fmt(truth.records)} records to read, at least ${fmt(truth.minRequests.total)} requests (generated in ${fmt(hello.generationSeconds, 1)} s)`);
    const limitSeconds = timeLimitOverride ?? scenario.limitSeconds;

    // One library run, then one baseline run, `runs` times over (see scenarios.mjs).
    const libRuns = [];
    const baseRuns = [];
    for (let run = 1; run <= (scenario.runs ?? 1); run++) {
      libRuns.push(await libraryRun({ scenario, fake, hello, truth, limitSeconds, failures, notes }));
      if (!args['no-baseline']) {
        if (scenario.fake.rateLimit) await sleep(1100); // the fake's one-second rate window forgets the library's requests
        baseRuns.push(await baselineRun({ scenario, fake, hello, truth, limitSeconds, failures, notes }));
      }
    }
    const { result: lib, stats: libStats } = medianRun(libRuns);
    const { result: base = null } = baseRuns.length > 0 ? medianRun(baseRuns) : {};
    if (libRuns.length > 1) {
      const each = (runs) => runs.map(({ result }) => fmt(cpuPerRecord(result), 1)).join(', ');
      notes.push(`CPU µs/record in turn, library: ${each(libRuns)}${baseRuns.length > 0 ? `; baseline: ${each(baseRuns)}` : ''} (the row: the library's median run)`);
    }
    if (base && base.records > 0) notes.push(`baseline process${baseRuns.length > 1 ? ' (median run)' : ''}: peak RSS ${fmt(base.peakRssMb)} MB, ${fmt(cpuPerRecord(base), 1)} CPU µs/record`);

    const seconds = lib.seconds;
    const recordsPerSecond = lib.records / seconds;
    let ceilingRecordsPerSecond = null;
    let ratioToCeiling = null;
    if (scenario.ceiling) {
      const busiest = Math.max(0, ...Object.values(truth.minRequests.byEndpoint));
      const minSeconds = Math.max(truth.minRequests.total / STRIPE_LIVE_LIMITS.global, busiest / STRIPE_LIVE_LIMITS.perEndpoint);
      ceilingRecordsPerSecond = truth.records / minSeconds;
      // A run stopped early is held to the share of the minimum time that its records need.
      ratioToCeiling = (minSeconds * Math.min(1, lib.records / truth.records)) / seconds;
      notes.push(`ceiling: ${fmt(truth.minRequests.total)} requests at least, ${fmt(busiest)} on the busiest endpoint: ${fmt(minSeconds, 1)} s; the library sent ${fmt(libStats.total)}`);
    }
    const baselineRecordsPerSecond = base && !base.error ? (base.sampled ? truth.records / base.estimatedSeconds : base.records / base.seconds) : null;
    if (scenario.sink) notes.push(`sink accepts at most ~${fmt(sinkCeiling(scenario.sink))} records/s`);
    if (lib.peakHeapUsedMb) notes.push(`library process: peak heap in use ${fmt(lib.peakHeapUsedMb)} MB (sampled every second: live objects and garbage not yet collected); ${fmt(lib.peakHeapAfterFullGcMb)} MB at most right after a full collection (about the live set)`);
    const row = {
      scenario: scenario.id,
      records: lib.records,
      seconds: round(seconds, 2),
      recordsPerSecond: round(recordsPerSecond, 0),
      ceilingRecordsPerSecond: round(ceilingRecordsPerSecond, 0),
      ratioToCeiling: round(ratioToCeiling, 3),
      baselineRecordsPerSecond: round(baselineRecordsPerSecond, 0),
      speedup: baselineRecordsPerSecond ? round(recordsPerSecond / baselineRecordsPerSecond, 2) : null,
      rateLimitedShare: libStats.total > 0 ? round((libStats.byStatus['429'] ?? 0) / libStats.total, 4) : null,
      peakRssMb: round(lib.peakRssMb, 1),
      cpuMicrosPerRecord: lib.records > 0 ? round(lib.cpuMicros / lib.records, 1) : null,
    };
    return { row, notes, failures };
  } catch (error) {
    const row = Object.fromEntries(COLUMNS.map(([key]) => [key, null]));
    return { row: { ...row, scenario: scenario.id }, notes, failures: [...failures, String(error?.stack ?? error)] };
  } finally {
    await fake.kill();
  }
}

const COLUMNS = [
  ['scenario', 'scenario', (v) => v],
  ['records', 'records', (v) => fmt(v)],
  ['seconds', 's', (v) => fmt(v, 1)],
  ['recordsPerSecond', 'rec/s', (v) => fmt(v)],
  ['ceilingRecordsPerSecond', 'ceiling rec/s', (v) => fmt(v)],
  ['ratioToCeiling', 'of ceiling', (v) => (v === null ? '-' : `${(v * 100).toFixed(1)}%`)],
  ['baselineRecordsPerSecond', 'baseline rec/s', (v) => fmt(v)],
  ['speedup', 'speedup', (v) => (v === null ? '-' : `${v.toFixed(2)}x`)],
  ['rateLimitedShare', '429 share', (v) => (v === null ? '-' : `${(v * 100).toFixed(2)}%`)],
  ['peakRssMb', 'peak RSS MB', (v) => fmt(v)],
  ['cpuMicrosPerRecord', 'CPU µs/rec', (v) => fmt(v, 1)],
];

function table(rows) {
  const cells = rows.map((row) => COLUMNS.map(([key, , show]) => show(row[key])));
  const widths = COLUMNS.map(([, title], i) => Math.max(title.length, ...cells.map((c) => c[i].length)));
  const line = (values) => values.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  return [line(COLUMNS.map(([, title]) => title)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

const started = performance.now();
log(`stripe-source bench${args.quick ? ' (quick)' : ''}: ${selected.map((s) => s.id).join(', ')}; Node ${process.version}`);
const results = [];
for (const scenario of selected) results.push({ scenario, ...(await runScenario(scenario)) });

const rows = results.map((r) => r.row);
out.write(`\n${table(rows)}\n`);
for (const r of results) {
  for (const note of r.notes) out.write(`  (${r.scenario.id}) ${note}\n`);
  for (const failure of r.failures) out.write(`  (${r.scenario.id}) FAILED: ${failure}\n`);
}
out.write(`Bench took ${fmt((performance.now() - started) / 1000, 0)} s.\n`);
if (args.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
process.exitCode = results.some((r) => r.failures.length > 0) ? 1 : 0;
