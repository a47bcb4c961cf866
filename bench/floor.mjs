#!/usr/bin/env node
/**
 * What the library adds to the cost of its HTTP client and JSON parsing, on scenario (d)'s data: the
 * library and a bare client (`floor-worker.mjs`) read the same fake process in turn, round after round,
 * each in a process of its own, and their CPU per record is printed side by side. Run after a build:
 *
 *   npm run build && node bench/floor.mjs [--rounds N] [--quick]
 *
 * In turn because this machine's speed moves by half within an hour: a level is only worth comparing
 * with the other client's in the same rounds.
 */
import { parseArgs } from 'node:util';
import { StripeSource } from '../dist/index.js';
import { Child, workerResult } from './processes.mjs';
import { scenarios } from './scenarios.mjs';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const rounds = Number(args.rounds);
if (args.help || !Number.isInteger(rounds) || rounds < 1) {
  console.log('Usage: node bench/floor.mjs [--rounds N (default 3)] [--quick]   (after npm run build)');
  process.exit(args.help ? 0 : 2);
}

const DAY_MS = 86_400_000;
const scenario = scenarios({ quick: args.quick }).find((s) => s.id === 'd');
const fake = new Child('./fake-process.mjs', { seed: 1, nowMs: Math.floor(Date.now() / DAY_MS) * DAY_MS - DAY_MS, ...scenario.fake }, {
  label: 'fake Stripe',
  execArgv: ['--max-old-space-size=8192'],
});
const hello = await fake.waitFor('ready', 600);
const truth = await fake.request('truth', { streams: scenario.streams }, 600);
const paths = Object.fromEntries(new StripeSource({ apiKey: hello.apiKey }).catalog().map((entry) => [entry.name, entry.path]));
process.stderr.write(`(d)'s data: ${truth.records.toLocaleString('en-US')} records, at least ${truth.minRequests.total.toLocaleString('en-US')} requests\n`);

const clients = {
  library: () => new Child('./library-worker.mjs', { url: hello.url, apiKey: hello.apiKey, streams: scenario.streams, ...scenario.library, sink: null, timeLimitSeconds: scenario.limitSeconds }, { label: 'library' }),
  floor: () => new Child('./floor-worker.mjs', { url: hello.url, apiKey: hello.apiKey, units: truth.units, paths }, { label: 'floor' }),
};
const perRecord = { library: [], floor: [] };
let failed = false;
for (let round = 1; round <= rounds; round++) {
  const line = [];
  for (const [name, start] of Object.entries(clients)) {
    await fake.request('reset');
    const result = await workerResult(start(), {
      limitSeconds: scenario.limitSeconds,
      describe: () => '',
      log: () => undefined,
      fallback: (error) => ({ records: 0, cpuMicros: 0, error: String(error) }),
    });
    if (result.error || result.records !== truth.records) {
      failed = true;
      process.stderr.write(`${name}: ${result.error ?? `${result.records} records, ${truth.records} expected`}\n`);
      continue;
    }
    perRecord[name].push(result.cpuMicros / result.records);
    line.push(`${name} ${(result.cpuMicros / result.records).toFixed(1)}`);
  }
  process.stderr.write(`round ${round}: ${line.join(', ')} CPU µs/record\n`);
}
const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
if (perRecord.library.length > 0 && perRecord.floor.length > 0) {
  const library = mean(perRecord.library);
  const floor = mean(perRecord.floor);
  console.log(`mean CPU µs/record: library ${library.toFixed(1)}, floor ${floor.toFixed(1)}; the library adds ${(library - floor).toFixed(1)} (${rounds} round${rounds === 1 ? '' : 's'})`);
}
process.exit(failed ? 1 : 0);
