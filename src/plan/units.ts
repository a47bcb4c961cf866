/**
 * Pure planning of work units: a large first read cut into pieces (account x stream x window) that a host
 * can spread over the job queue it already runs. Each unit is plain JSON and is read on its own, with its
 * own checkpoint; once every unit is read, the plan's checkpoint starts incremental runs.
 */
import { z } from 'zod';
import { childrenOf, getStream, isStreamName, type StreamDefinition, type StreamName } from '../catalog/streams.js';
import type { StreamState } from '../checkpoint/schema.js';
import { planStream } from './stream-plan.js';

export const WORK_UNIT_VERSION = 1;

/** One window of one list, with the streams it delivers (the list's own and its selected children). */
export interface WorkUnit {
  readonly kind: 'stripe-source/work-unit';
  readonly version: typeof WORK_UNIT_VERSION;
  /** Unique within a plan: `<account>/<stream>/<partition>/<gte>-<lt>`. */
  readonly id: string;
  /** A connected account read with `Stripe-Account`, or null for the key's own account. */
  readonly account: string | null;
  /** The list read. */
  readonly stream: StreamName;
  /** Streams delivered: the list's own (when selected) and its selected children. */
  readonly members: readonly StreamName[];
  /** The list partition (`''`, or `active=false` for prices and plans). */
  readonly partition: string;
  /** Objects created in [gte, lt) (unix seconds). */
  readonly gte: number;
  readonly lt: number;
}

const unixSeconds = z.number().int().nonnegative();
export const workUnitSchema = z
  .object({
    kind: z.literal('stripe-source/work-unit'),
    version: z.literal(WORK_UNIT_VERSION),
    id: z.string().min(1),
    account: z.string().regex(/^acct_[A-Za-z0-9]+$/).nullable(),
    stream: z.string().refine(isStreamName, { message: 'not a stream of this catalog' }),
    members: z.array(z.string().refine(isStreamName, { message: 'not a stream of this catalog' })).min(1),
    partition: z.string(),
    gte: unixSeconds,
    lt: unixSeconds,
  })
  .strict()
  .refine((u) => u.gte < u.lt, { message: 'a unit needs gte < lt' });

/** The lists to read for a selection, each with the selected streams it delivers. */
export function listsFor(selection: readonly StreamName[]): Array<{ driver: StreamDefinition; members: StreamName[] }> {
  const selected = new Set(selection);
  const lists: Array<{ driver: StreamDefinition; members: StreamName[] }> = [];
  for (const name of selection) {
    const def = getStream(name);
    const driver = def.parent ? getStream(def.parent.stream as StreamName) : def;
    if (lists.some((l) => l.driver === driver)) continue;
    const members = [driver, ...childrenOf(driver.name)].map((d) => d.name as StreamName).filter((n) => selected.has(n));
    lists.push({ driver, members });
  }
  return lists;
}

/** Cuts [gte, lt) into up to `pieces` windows of equal length (whole seconds). */
export function cutRange(gte: number, lt: number, pieces: number): Array<{ gte: number; lt: number }> {
  const n = Math.max(1, Math.min(pieces, lt - gte));
  const out: Array<{ gte: number; lt: number }> = [];
  for (let i = 0; i < n; i++) {
    const a = gte + Math.floor(((lt - gte) * i) / n);
    const b = i === n - 1 ? lt : gte + Math.floor(((lt - gte) * (i + 1)) / n);
    if (a < b) out.push({ gte: a, lt: b });
  }
  return out;
}

export interface PlanUnitsOptions {
  readonly selection: readonly StreamName[];
  readonly account: string | null;
  readonly startSeconds: number;
  readonly nowSeconds: number;
  readonly accountCreated?: number;
  /** Windows per list partition over the account's lifetime. */
  readonly unitsPerStream: number;
}

/**
 * The units of one account's first read, and each selected stream's state once they are all read: lists
 * read up to now, events cursors taken now (so changes made while the units are read are replayed by the
 * first incremental run).
 */
export function planUnits(options: PlanUnitsOptions): { units: WorkUnit[]; states: Map<StreamName, StreamState> } {
  const { selection, account, nowSeconds } = options;
  const units: WorkUnit[] = [];
  const states = new Map<StreamName, StreamState>();
  for (const { driver, members } of listsFor(selection)) {
    const fresh = planStream({ def: driver, existing: undefined, startSeconds: options.startSeconds, nowSeconds, lookbackSeconds: 0, accountCreated: options.accountCreated }).state;
    for (const [partition, state] of Object.entries(fresh.partitions)) {
      // The last planned window is the account's lifetime (or all of the range): that is the one to cut.
      state.pending.forEach((window, i) => {
        const pieces = i === state.pending.length - 1 ? cutRange(window.gte, window.lt, options.unitsPerStream) : [window];
        for (const piece of pieces) {
          units.push({
            kind: 'stripe-source/work-unit', version: WORK_UNIT_VERSION,
            id: `${account ?? 'self'}/${driver.name}/${partition || '-'}/${piece.gte}-${piece.lt}`,
            account, stream: driver.name as StreamName, members, partition, gte: piece.gte, lt: piece.lt,
          });
        }
      });
    }
    for (const member of members) {
      const plan = planStream({ def: getStream(member), existing: undefined, startSeconds: options.startSeconds, nowSeconds, lookbackSeconds: 0 }).state;
      const done = Object.fromEntries(Object.keys(plan.partitions).map((key) => [key, { through: nowSeconds, pending: [] }]));
      states.set(member, { ...plan, partitions: done });
    }
  }
  return { units, states };
}

/** A unit's state before it is read: its one window, whole. */
export function unitState(unit: WorkUnit): StreamState {
  return { partitions: { [unit.partition]: { through: unit.lt, pending: [{ gte: unit.gte, lt: unit.lt }] } } };
}
