/**
 * The baseline, in a process of its own: the `stripe` package's auto-pagination,
 * `for await (const c of stripe.charges.list({ limit: 100 }))`, one list after another, and children the
 * way a hand-written loop reads them: inside the parent loop, the parent's embedded first page
 * (`invoice.lines`, `subscription.items`) and then the child list from where it stops, or every setup
 * intent's attempts when it has any.
 *
 * Argument: JSON `{ url, apiKey, units, budgetSeconds, extrapolateBy, sink, timeLimitSeconds }`; `units`
 * come from the fake's `truth` (one per top-level list and partition, with the records and the fewest
 * requests it takes). With a budget, each unit gets a share of it by its requests and stops once over it
 * (at a page boundary, or after any parent when parents have children to read); its full time is
 * extrapolated from the share of the unit done: of its requests (`extrapolateBy: 'requests'`, when
 * latency sets the pace) or of its records (`'records'`, when the sink or the CPU does). A sequential
 * pager's pace is steady, so this estimates the full run's rate without waiting for it.
 */
import Stripe from 'stripe';
import { PAGE_SIZE, RESOURCES } from './catalog.mjs';
import { makeSink } from './sink.mjs';

const job = JSON.parse(process.argv[2]);
process.on('disconnect', () => process.exit(1));

const url = new URL(job.url);
if (url.hostname !== '127.0.0.1') throw new Error(`the baseline only talks to 127.0.0.1, not ${url.hostname}`);
const stripe = new Stripe(job.apiKey, { host: url.hostname, port: Number(url.port), protocol: 'http' });
const sink = makeSink(job.sink);
let requests = 0;
stripe.on('request', () => requests++);

const counts = {};
let records = 0;
const deliver = async (stream, record) => {
  records++;
  counts[stream] = (counts[stream] ?? 0) + 1;
  sink.write(record);
  await sink.flushIfDue();
};

/** Every child of one parent, as a hand-written loop would read them. */
async function readChildren(child, parent) {
  if (child === 'invoice_line_items') {
    const lines = parent.lines;
    for (const line of lines.data) await deliver(child, line);
    if (lines.has_more) {
      const after = lines.data[lines.data.length - 1].id;
      for await (const line of stripe.invoices.listLineItems(parent.id, { limit: PAGE_SIZE, starting_after: after })) await deliver(child, line);
    }
  } else if (child === 'subscription_items') {
    const items = parent.items;
    for (const item of items.data) await deliver(child, item);
    if (items.has_more) {
      const after = items.data[items.data.length - 1].id;
      for await (const item of stripe.subscriptionItems.list({ subscription: parent.id, limit: PAGE_SIZE, starting_after: after })) await deliver(child, item);
    }
  } else if (child === 'setup_attempts') {
    if (parent.latest_attempt === null) return;
    for await (const attempt of stripe.setupAttempts.list({ setup_intent: parent.id, limit: PAGE_SIZE })) await deliver(child, attempt);
  } else {
    throw new Error(`no baseline loop for child stream ${child}`);
  }
}

const totalRequests = job.units.reduce((a, u) => a + u.requests, 0);
const deadline = performance.now() + job.timeLimitSeconds * 1000;
const cpuStart = process.cpuUsage();
const started = performance.now();
let estimatedSeconds = 0;
/** Requests of the units whose (full or extrapolated) time is in estimatedSeconds. */
let requestsCovered = 0;
let sampled = false;
let timedOut = false;
let error = null;

const progress = setInterval(() => process.send({ type: 'progress', records, counts, seconds: (performance.now() - started) / 1000 }), 1000);

try {
  for (const unit of job.units) {
    const unitBudgetMs = job.budgetSeconds > 0 ? (job.budgetSeconds * 1000 * unit.requests) / totalRequests : Infinity;
    const unitStarted = performance.now();
    const unitRequests = requests;
    const unitRecords = records;
    let parents = 0;
    let stopped = false;
    for await (const parent of RESOURCES[unit.stream](stripe).list({ limit: PAGE_SIZE, ...unit.params })) {
      parents++;
      if (unit.deliver) await deliver(unit.stream, parent);
      for (const child of unit.children) await readChildren(child, parent);
      // Without children, stop at a page boundary (a page's request is then shared by all its records);
      // with children, after any parent: each may cost requests of its own.
      if (unit.children.length > 0 || parents % PAGE_SIZE === 0) {
        const now = performance.now();
        if (now > deadline) {
          timedOut = true;
          stopped = true;
          break;
        }
        if (now - unitStarted > unitBudgetMs && parents < unit.parents) {
          stopped = true;
          break;
        }
      }
    }
    const unitSeconds = (performance.now() - unitStarted) / 1000;
    if (stopped) {
      sampled = true;
      const done = job.extrapolateBy === 'records'
        ? (records - unitRecords) / Math.max(1, unit.records)
        : (requests - unitRequests) / Math.max(1, unit.requests);
      estimatedSeconds += unitSeconds / Math.min(1, Math.max(done, 1e-6));
    } else {
      estimatedSeconds += unitSeconds;
    }
    requestsCovered += unit.requests;
    if (timedOut) break;
  }
  // Out of time before the last unit: the units not read are assumed to go at the same pace per request.
  if (timedOut && requestsCovered > 0) estimatedSeconds *= totalRequests / requestsCovered;
} catch (e) {
  error = String(e?.stack ?? e);
}
const cpu = process.cpuUsage(cpuStart);
const seconds = (performance.now() - started) / 1000;
clearInterval(progress);
process.send(
  {
    type: 'result',
    records,
    counts,
    seconds,
    // With a budget, the time the whole read would have taken; without one, the time it took.
    estimatedSeconds: sampled ? estimatedSeconds : seconds,
    requests,
    sampled,
    timedOut,
    error,
    cpuMicros: cpu.user + cpu.system,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  },
  () => process.exit(0),
);
