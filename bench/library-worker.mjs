/**
 * One library run in a process of its own (forked by run.mjs), so its CPU time and peak RSS are the
 * library's. Argument: JSON `{ url, apiKey, streams, maxRequestsPerSecond, maxRequestsPerSecondPerEndpoint,
 * sink, timeLimitSeconds }`. Sends `{ type: 'progress' }` every second and one `{ type: 'result' }`, then exits.
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { StripeSource } from '../dist/index.js';
import { makeSink } from './sink.mjs';
import { timeLimit } from './time-limit.mjs';

const job = JSON.parse(process.argv[2]);
process.on('disconnect', () => process.exit(1)); // the bench died

const sink = makeSink(job.sink);
const counts = {};
let records = 0;
let requests = 0;
let rateLimited = 0;
let retries = 0;
let source;

// BENCH_TIMELINE=1: requests per endpoint per second and the pages' fill, on stderr at the end (diagnosis).
const timeline = process.env.BENCH_TIMELINE ? { requests: new Map(), pages: { full: 0, partial: 0, empty: 0 } } : null;
const endpointOf = (path) => path.split('?')[0].split('/').map((s) => (/^[a-z]+_[A-Za-z0-9_]+$/.test(s) && !/^[a-z_]+$/.test(s) ? '{id}' : s)).join('/');
/** Heap in use, sampled every second: the live set (RSS also holds garbage V8 has not collected yet). */
let peakHeapUsedMb = 0;
/** Heap in use right after each full (mark-compact) collection: close to the live set, without the garbage. */
let peakHeapAfterFullGcMb = 0;
new PerformanceObserver((list) => {
  if (list.getEntries().some((e) => e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)) {
    peakHeapAfterFullGcMb = Math.max(peakHeapAfterFullGcMb, process.memoryUsage().heapUsed / 1048576);
  }
}).observe({ entryTypes: ['gc'] });

const cpuStart = process.cpuUsage();
const started = performance.now();
const snapshot = () => {
  const cpu = process.cpuUsage(cpuStart);
  return {
    records,
    counts,
    seconds: (performance.now() - started) / 1000,
    cpuMicros: cpu.user + cpu.system,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    peakHeapUsedMb,
    peakHeapAfterFullGcMb,
    requests: source?.requestCount ?? requests,
    rateLimited,
    retries,
  };
};
const progress = setInterval(() => {
  peakHeapUsedMb = Math.max(peakHeapUsedMb, process.memoryUsage().heapUsed / 1048576);
  process.send({ type: 'progress', ...snapshot() });
}, 1000);

// BENCH_HEAP_SNAPSHOT_AT=S: a heap snapshot of this process S seconds in, into the working directory (what
// is alive and what holds it; open it in Chrome's DevTools). Taking it pauses the read for a while.
if (process.env.BENCH_HEAP_SNAPSHOT_AT) {
  const { writeHeapSnapshot } = await import('node:v8');
  setTimeout(() => process.stderr.write(`  heap snapshot: ${writeHeapSnapshot()}\n`), Number(process.env.BENCH_HEAP_SNAPSHOT_AT) * 1000);
}
const limit = timeLimit(job.timeLimitSeconds);

let error = null;
try {
  source = new StripeSource({
    apiKey: job.apiKey,
    baseUrl: job.url,
    maxRequestsPerSecond: job.maxRequestsPerSecond,
    maxRequestsPerSecondPerEndpoint: job.maxRequestsPerSecondPerEndpoint,
    ...(job.streams ? { streams: job.streams } : {}),
  });
  source.on('request', ({ path }) => {
    requests++;
    if (!timeline) return;
    const second = Math.floor((performance.now() - started) / 1000);
    const counts = timeline.requests.get(endpointOf(path)) ?? [];
    counts[second] = (counts[second] ?? 0) + 1;
    timeline.requests.set(endpointOf(path), counts);
  });
  if (timeline) source.on('page', (p) => timeline.pages[p.records >= 100 ? 'full' : p.records > 0 ? 'partial' : 'empty']++);
  source.on('rate_limited', () => rateLimited++);
  source.on('retry', () => retries++);
  for await (const m of source.read({ signal: limit.signal })) {
    if (m.type === 'record') {
      records++;
      counts[m.stream] = (counts[m.stream] ?? 0) + 1;
      sink.write(m.record);
      await sink.flushIfDue();
    }
  }
} catch (e) {
  if (!limit.reached) error = String(e?.stack ?? e);
}
if (timeline) {
  for (const [endpoint, counts] of timeline.requests) process.stderr.write(`  ${endpoint.padEnd(36)} ${Array.from(counts, (n) => String(n ?? 0).padStart(2)).join(' ')}\n`);
  process.stderr.write(`  pages: ${JSON.stringify(timeline.pages)}\n`);
}
const result = { type: 'result', ...snapshot(), timedOut: limit.reached, error };
limit.clear();
clearInterval(progress);
process.send(result, () => process.exit(0)); // sockets the client keeps alive must not hold the process
