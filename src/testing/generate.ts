/**
 * Fills a store with deterministic data: every top-level stream in reference order (customers before the
 * charges that name them), each parent's children, then the `<object>.created` events of the last 30 days.
 * Objects hold only their own fields; the stream's template supplies the rest.
 */
import { STREAMS, type StreamName } from '../catalog/streams.js';
import { childrenOfStream, parentSummary, type ChildInfo } from './children.js';
import { compareRows, lowerBound, type Row } from './collection.js';
import { createdEventType, eventRow, retentionCutoff } from './events.js';
import { deepFreeze } from './freeze.js';
import { Rng, deriveSeed } from './random.js';
import { CHILD_SHAPES, SHAPES, type ShapeContext } from './shapes.js';
import type { Store } from './store.js';
import { ownDefaults } from './template.js';
import type { CreatedDistribution, CreatedSkew, StripeObject } from './types.js';

const DAY = 24 * 60 * 60;

export interface GenerateOptions {
  seed: number;
  /** Count per top-level stream. */
  records: ReadonlyMap<StreamName, number>;
  /** Unix seconds of the oldest object. */
  startDate: number;
  /** Default `'default'`. */
  createdDistribution?: CreatedDistribution;
}

/** Streams generated directly (not children, not events), parents first. */
export function generationOrder(): StreamName[] {
  const order: StreamName[] = [];
  const visit = (name: StreamName): void => {
    if (order.includes(name)) return;
    for (const ref of SHAPES[name]?.refs ?? []) visit(ref);
    order.push(name);
  };
  for (const def of STREAMS) if (!def.parent && def.name !== 'events') visit(def.name);
  return order;
}

/**
 * `n` creation times in [start, end], ascending. Most fall anywhere in the range, some in the last 30 days
 * (so events exist), and about a third come in bursts that share one second, as imports and batch jobs
 * do on Stripe: up to 300 objects in one second once a stream is large, a few when it is small.
 */
export function createdTimes(rng: Rng, n: number, start: number, end: number): Float64Array {
  const times = new Float64Array(n);
  const maxBurst = Math.max(2, Math.min(300, Math.floor(n / 4)));
  const minBurst = Math.min(20, maxBurst);
  const burstChance = 0.5 / ((minBurst + maxBurst) / 2);
  const recent = Math.max(start, end - 30 * DAY);
  let i = 0;
  while (i < n) {
    const second = rng.chance(0.15) ? rng.int(recent, end) : rng.int(start, end);
    const size = rng.chance(burstChance) ? Math.min(n - i, rng.int(minBurst, maxBurst)) : 1;
    times.fill(second, i, i + size);
    i += size;
  }
  return times.sort();
}

/** The day and the second that a skewed account's objects crowd into: one per account, drawn from the seed. */
export interface SkewTarget {
  /** First and last second of the day (UTC-aligned when the range holds a whole day). */
  readonly dayStart: number;
  readonly dayEnd: number;
  readonly second: number;
}

export function skewTarget(seed: number, start: number, end: number): SkewTarget {
  const rng = new Rng(deriveSeed(seed, 'created-skew'));
  const firstDay = Math.ceil(start / DAY);
  const lastDay = Math.floor((end + 1) / DAY) - 1; // the last whole day that ends by `end`
  let dayStart: number;
  let dayEnd: number;
  if (lastDay >= firstDay) {
    dayStart = rng.int(firstDay, lastDay) * DAY;
    dayEnd = dayStart + DAY - 1;
  } else {
    dayStart = start;
    dayEnd = Math.min(end, start + DAY - 1);
  }
  return { dayStart, dayEnd, second: rng.int(dayStart, dayEnd) };
}

/**
 * `createdTimes` with a skew: `shareInOneDay` of the `n` times fall on the target's day, `inOneSecond` of
 * those on its second, the rest of the day uniformly; the others spread as by default. Ascending.
 */
export function skewedCreatedTimes(rng: Rng, n: number, start: number, end: number, skew: CreatedSkew, target: SkewTarget): Float64Array {
  const inDay = Math.min(n, Math.round(n * skew.shareInOneDay));
  const inSecond = Math.min(inDay, skew.inOneSecond);
  const times = new Float64Array(n);
  times.set(createdTimes(rng, n - inDay, start, end), 0);
  let i = n - inDay;
  times.fill(target.second, i, i + inSecond);
  for (i += inSecond; i < n; i++) times[i] = rng.int(target.dayStart, target.dayEnd);
  return times.sort();
}

type Context = ShapeContext & { id: string; created: number; index: number };

export function generate(store: Store, options: GenerateOptions): void {
  const now = store.nowSeconds();
  const expanded = new WeakMap<Row, StripeObject>();
  /** One mutable context per stream, updated per object: a million objects make no million closures. */
  const context = (rng: Rng): Context => {
    const ctx: Context = {
      rng, id: '', created: 0, index: 0, now,
      pick(ref) {
        const rows = store.collection(ref).rows;
        if (rows.length === 0) return undefined;
        const older = lowerBound(rows, ctx.created, Infinity); // parents are older than their children
        return rows[Math.floor(rng.next() * (older > 0 ? older : rows.length))];
      },
      expand(ref, row) {
        let object = expanded.get(row);
        if (!object) expanded.set(row, (object = store.object(ref, row)));
        return object;
      },
      patch(row, fields) {
        row.fields = deepFreeze({ ...row.fields, ...fields });
      },
    };
    return ctx;
  };

  const distribution = options.createdDistribution ?? 'default';
  const target = distribution === 'default' ? undefined : skewTarget(options.seed, options.startDate, now);
  for (const stream of generationOrder()) {
    const rng = new Rng(deriveSeed(options.seed, `data:${stream}`));
    const template = store.template(stream);
    const fill = SHAPES[stream]?.fill;
    const collection = store.collection(stream);
    const n = options.records.get(stream) ?? 0;
    const times = distribution === 'default' || !target
      ? createdTimes(rng, n, options.startDate, now)
      : skewedCreatedTimes(rng, n, options.startDate, now, distribution.skew, target);
    const ctx = context(rng);
    for (let index = 0; index < times.length; index++) {
      const created = times[index] as number;
      const id = store.newId(stream, rng, false);
      ctx.id = id;
      ctx.created = created;
      ctx.index = index;
      // The fill's object becomes the own fields: no copy per object. Key order doesn't matter here:
      // template keys (id, created) are written in the template's order anyway.
      const fields = ownDefaults(template, id, created, fill ? fill(ctx) : {});
      collection.push({ id, created, seq: store.nextSeq(), fields: deepFreeze(fields) });
    }
    for (const child of childrenOfStream(stream)) {
      generateChildren(store, child, context(new Rng(deriveSeed(options.seed, `data:${child.stream}`))));
    }
  }
  for (const def of STREAMS) store.collection(def.name).sortAll();
  generateEvents(store, options.seed);
}

function generateChildren(store: Store, child: ChildInfo, ctx: Context): void {
  const shape = CHILD_SHAPES[child.stream];
  if (!shape) return;
  const template = store.template(child.stream);
  const collection = store.collection(child.stream);
  const parents = store.collection(child.parent).rows;
  for (let rank = 0; rank < parents.length; rank++) {
    const parent = parents[rank] as Row;
    const count = shape.count(ctx.rng, rank);
    for (let index = 0; index < count; index++) {
      const created = shape.created ? shape.created(ctx.rng, parent.created, ctx.now) : parent.created;
      const id = store.newId(child.stream, ctx.rng, false);
      ctx.id = id;
      ctx.created = created;
      ctx.index = index;
      const fields = ownDefaults(template, id, created, shape.fill(ctx, parent));
      collection.push({ id, created, seq: store.nextSeq(), fields: deepFreeze(fields), parentId: parent.id });
    }
    collection.sortChildren(parent.id); // setup attempts are drawn out of order; the summary needs order
    parent.fields = deepFreeze({ ...parent.fields, ...parentSummary(store, child, parent.id) });
  }
}

/** `<object>.created` for every object of the last 30 days, in creation order. */
function generateEvents(store: Store, seed: number): void {
  const cutoff = retentionCutoff(store);
  const recent: { stream: StreamName; row: Row; type: string }[] = [];
  for (const def of STREAMS) {
    const type = createdEventType(def.name);
    if (!type || def.parent) continue;
    const rows = store.collection(def.name).rows;
    for (let i = lowerBound(rows, cutoff, -Infinity); i < rows.length; i++) {
      recent.push({ stream: def.name, row: rows[i] as Row, type });
    }
  }
  recent.sort((a, b) => compareRows(a.row, b.row));
  const rng = new Rng(deriveSeed(seed, 'events'));
  const events = store.collection('events');
  for (const { stream, row, type } of recent) {
    events.push(eventRow(store, rng, { type, created: row.created, stream, fields: row.fields }));
  }
}
