import { describe, expect, it } from 'vitest';
import { getStream } from '../../src/catalog/streams.js';
import { checkpointSchema, type CheckpointWindow, type PartitionState, type StreamState } from '../../src/checkpoint/schema.js';
import {
  applyWindowProgress,
  cutsBelowCursor,
  splitAt,
  splitPoint,
  splitPoints,
  unreadSpan,
  isStreamDone,
  partitionKey,
  partitionKeys,
  partitionParams,
  planStreamState,
  windowQuery,
  type WindowProgress,
} from '../../src/plan/windows.js';
import { Rng } from '../../src/testing/random.js';

const plain = { partitions: undefined };
const partitioned = { partitions: [{ active: 'true' }, { active: 'false' }] };

describe('planStreamState', () => {
  it('gives a fresh stream the whole range [start, now)', () => {
    const state = planStreamState({ def: plain, existing: undefined, startSeconds: 1000, nowSeconds: 5000 });
    expect(state).toEqual({ partitions: { '': { through: 5000, pending: [{ gte: 1000, lt: 5000 }] } } });
  });

  it('gives a fresh stream nothing to read when start is not before now', () => {
    expect(planStreamState({ def: plain, existing: undefined, startSeconds: 5000, nowSeconds: 5000 })).toEqual({
      partitions: { '': { through: 5000, pending: [] } },
    });
  });

  it('gives a partitioned stream one state per partition key', () => {
    const state = planStreamState({ def: partitioned, existing: undefined, startSeconds: 0, nowSeconds: 100 });
    expect(Object.keys(state.partitions).sort()).toEqual(['active=false', 'active=true']);
    for (const p of Object.values(state.partitions)) expect(p).toEqual({ through: 100, pending: [{ gte: 0, lt: 100 }] });
  });

  it('uses the catalog partitions of prices', () => {
    const state = planStreamState({ def: getStream('prices'), existing: undefined, startSeconds: 0, nowSeconds: 10 });
    expect(Object.keys(state.partitions).sort()).toEqual(['active=false', 'active=true']);
  });

  it('appends [through, now) after a completed read', () => {
    const existing: StreamState = { partitions: { '': { through: 5000, pending: [] } } };
    const state = planStreamState({ def: plain, existing, startSeconds: 0, nowSeconds: 7000 });
    expect(state).toEqual({ partitions: { '': { through: 7000, pending: [{ gte: 5000, lt: 7000 }] } } });
  });

  it('adds nothing when re-planned in the same second (or with a clock behind)', () => {
    const existing: StreamState = { partitions: { '': { through: 5000, pending: [] } } };
    expect(planStreamState({ def: plain, existing, startSeconds: 0, nowSeconds: 5000 })).toEqual(existing);
    expect(planStreamState({ def: plain, existing, startSeconds: 0, nowSeconds: 4000 })).toEqual(existing);
  });

  it('keeps unfinished windows with their cursors and adds the new range after them', () => {
    const existing: StreamState = {
      partitions: {
        '': {
          through: 5000,
          pending: [
            { gte: 1000, lt: 3000, after: { id: 'cus_A', created: 2500 } },
            { gte: 3000, lt: 5000 },
          ],
        },
      },
    };
    const state = planStreamState({ def: plain, existing, startSeconds: 1000, nowSeconds: 6000 });
    expect(state.partitions['']).toEqual({
      through: 6000,
      pending: [
        { gte: 1000, lt: 3000, after: { id: 'cus_A', created: 2500 } },
        { gte: 3000, lt: 5000 },
        { gte: 5000, lt: 6000 },
      ],
    });
  });

  it('does not mutate the existing state', () => {
    const existing: StreamState = { partitions: { '': { through: 5000, pending: [{ gte: 1, lt: 2 }] } } };
    const copy = structuredClone(existing);
    planStreamState({ def: plain, existing, startSeconds: 0, nowSeconds: 9000 });
    expect(existing).toEqual(copy);
  });

  it('gives a partition added to a known stream its whole range, and extends the known one', () => {
    const existing: StreamState = { partitions: { 'active=true': { through: 5000, pending: [] } } };
    const state = planStreamState({ def: partitioned, existing, startSeconds: 100, nowSeconds: 6000 });
    expect(state.partitions['active=true']).toEqual({ through: 6000, pending: [{ gte: 5000, lt: 6000 }] });
    expect(state.partitions['active=false']).toEqual({ through: 6000, pending: [{ gte: 100, lt: 6000 }] });
  });
});

describe('applyWindowProgress', () => {
  const state: PartitionState = {
    through: 300,
    pending: [
      { gte: 100, lt: 200 },
      { gte: 200, lt: 300, after: { id: 'ch_old', created: 250 } },
    ],
  };

  it('advanced: sets the window cursor and leaves the others', () => {
    const next = applyWindowProgress(state, 200, { kind: 'advanced', after: { id: 'ch_B', created: 150 } });
    expect(next).toEqual({
      through: 300,
      pending: [
        { gte: 100, lt: 200, after: { id: 'ch_B', created: 150 } },
        { gte: 200, lt: 300, after: { id: 'ch_old', created: 250 } },
      ],
    });
  });

  it('advanced: replaces an existing cursor', () => {
    const next = applyWindowProgress(state, 300, { kind: 'advanced', after: { id: 'ch_C', created: 210 } });
    expect(next.pending[1]).toEqual({ gte: 200, lt: 300, after: { id: 'ch_C', created: 210 } });
  });

  it('advanced: copies only id and created of the cursor', () => {
    const after = { id: 'ch_B', created: 150, extra: 'x' } as { id: string; created: number };
    const next = applyWindowProgress(state, 200, { kind: 'advanced', after });
    expect(next.pending[0]!.after).toEqual({ id: 'ch_B', created: 150 });
  });

  it('finished: removes just that window', () => {
    expect(applyWindowProgress(state, 200, { kind: 'finished' })).toEqual({ through: 300, pending: [state.pending[1]] });
    expect(applyWindowProgress(state, 300, { kind: 'finished' })).toEqual({ through: 300, pending: [state.pending[0]] });
  });

  it('cursor_lost: shrinks lt to the cursor second + 1 and drops the cursor', () => {
    const next = applyWindowProgress(state, 300, { kind: 'cursor_lost' });
    expect(next.pending).toEqual([{ gte: 100, lt: 200 }, { gte: 200, lt: 251 }]);
  });

  it('cursor_lost at the window start still leaves a non-empty window', () => {
    const s: PartitionState = { through: 10, pending: [{ gte: 5, lt: 10, after: { id: 'x', created: 5 } }] };
    expect(applyWindowProgress(s, 10, { kind: 'cursor_lost' }).pending).toEqual([{ gte: 5, lt: 6 }]);
  });

  it('cursor_lost without a cursor leaves the window as it is', () => {
    const next = applyWindowProgress(state, 200, { kind: 'cursor_lost' });
    expect(next.pending[0]).toEqual({ gte: 100, lt: 200 });
  });

  it('throws on an unknown window', () => {
    expect(() => applyWindowProgress(state, 150, { kind: 'finished' })).toThrow(/no pending window ends at 150/);
  });

  it('split: the window keeps [mid, lt) with its cursor, a new window takes [gte, mid)', () => {
    const next = applyWindowProgress(state, 300, { kind: 'split', mid: 220 });
    expect(next.pending).toEqual([
      { gte: 100, lt: 200 },
      { gte: 220, lt: 300, after: { id: 'ch_old', created: 250 } },
      { gte: 200, lt: 220 },
    ]);
  });

  it('split: refuses a cut outside the unread part (above the cursor or at the floor)', () => {
    expect(() => applyWindowProgress(state, 300, { kind: 'split', mid: 260 })).toThrow(/cannot split/);
    expect(() => applyWindowProgress(state, 300, { kind: 'split', mid: 200 })).toThrow(/cannot split/);
  });

  it('advanced: refuses a cursor outside its window', () => {
    expect(() => applyWindowProgress(state, 200, { kind: 'advanced', after: { id: 'x', created: 200 } })).toThrow(/outside window/);
  });

  it('does not mutate its input', () => {
    const copy = structuredClone(state);
    applyWindowProgress(state, 200, { kind: 'advanced', after: { id: 'z', created: 101 } });
    applyWindowProgress(state, 300, { kind: 'cursor_lost' });
    applyWindowProgress(state, 300, { kind: 'finished' });
    applyWindowProgress(state, 300, { kind: 'split', mid: 220 });
    expect(state).toEqual(copy);
  });
});

describe('windowQuery', () => {
  it('filters on the window', () => {
    expect(windowQuery({ gte: 10, lt: 20 })).toEqual({ 'created[gte]': 10, 'created[lt]': 20 });
  });

  it('resumes after the cursor', () => {
    expect(windowQuery({ gte: 10, lt: 20, after: { id: 'cus_1', created: 15 } })).toEqual({
      'created[gte]': 10,
      'created[lt]': 20,
      starting_after: 'cus_1',
    });
  });
});

describe('partitionKey / partitionParams', () => {
  it('sorts parameters so the key is stable', () => {
    expect(partitionKey({ b: '2', a: '1' })).toBe('a=1&b=2');
    expect(partitionKey({})).toBe('');
    expect(partitionParams('')).toEqual({});
  });

  it('round-trips every catalog partition', () => {
    for (const def of [getStream('prices'), getStream('plans')]) {
      for (const key of partitionKeys(def)) expect(partitionKey(partitionParams(key))).toBe(key);
      expect(def.partitions!.map((p) => partitionParams(partitionKey(p)))).toEqual(def.partitions);
    }
    expect(partitionKeys(getStream('customers'))).toEqual(['']);
  });

  it('round-trips random parameter sets', () => {
    const rand = prng(7);
    const chars = 'abcdefghijklmnopqrstuvwxyz0123456789_.-[]';
    const word = (): string => Array.from({ length: 1 + Math.floor(rand() * 6) }, () => chars[Math.floor(rand() * chars.length)]).join('');
    for (let i = 0; i < 200; i++) {
      const params: Record<string, string> = {};
      const n = Math.floor(rand() * 4);
      for (let j = 0; j < n; j++) params[word()] = rand() < 0.2 ? '' : word();
      expect(partitionParams(partitionKey(params))).toEqual(params);
    }
  });
});

describe('isStreamDone', () => {
  it('is true only when no partition has a pending window', () => {
    expect(isStreamDone({ partitions: {} })).toBe(true);
    expect(isStreamDone({ partitions: { a: { through: 5, pending: [] }, b: { through: 5, pending: [] } } })).toBe(true);
    expect(isStreamDone({ partitions: { a: { through: 5, pending: [] }, b: { through: 5, pending: [{ gte: 1, lt: 5 }] } } })).toBe(false);
  });
});

/** The fake Stripe's own seeded PRNG, so a failing case replays from its seed. */
function prng(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}

function assertWellFormed(state: StreamState, context: string): void {
  // Plain checks, one expect at the end: this runs thousands of times.
  const problems: string[] = [];
  for (const [key, p] of Object.entries(state.partitions)) {
    const sorted = [...p.pending].sort((x, y) => x.gte - y.gte);
    let previousLt = -Infinity;
    for (const w of sorted) {
      if (!(w.gte < w.lt)) problems.push(`[${key}] empty window ${JSON.stringify(w)}`);
      if (w.gte < previousLt) problems.push(`[${key}] window ${JSON.stringify(w)} overlaps the one before`);
      if (w.lt > p.through) problems.push(`[${key}] window ${JSON.stringify(w)} ends after through ${p.through}`);
      if (w.after && (w.after.created < w.gte || w.after.created >= w.lt)) problems.push(`[${key}] cursor outside ${JSON.stringify(w)}`);
      previousLt = w.lt;
    }
  }
  const result = checkpointSchema.safeParse({ version: 1, account: 'acct_1Test', livemode: false, streams: { customers: state } });
  if (!result.success) problems.push(`schema: ${JSON.stringify(result.error.issues)}`);
  if (problems.length > 0) expect.fail(`${context}: ${problems.join('; ')}`);
}

/** Random non-overlapping windows in [start, through). */
function randomWindows(rand: () => number, start: number, through: number): CheckpointWindow[] {
  const cuts = new Set<number>([start, through]);
  const n = Math.floor(rand() * 6);
  for (let i = 0; i < n; i++) cuts.add(start + Math.floor(rand() * (through - start)));
  const points = [...cuts].sort((a, b) => a - b);
  const windows: CheckpointWindow[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    if (rand() < 0.7) windows.push({ gte: points[i]!, lt: points[i + 1]! });
  }
  return windows;
}

describe('window progress (property, seeded)', () => {
  it('keeps windows non-overlapping, non-empty and valid under random page progress', () => {
    const rand = prng(20261015);
    let steps = 0;
    for (let run = 0; run < 300; run++) {
      const def = rand() < 0.5 ? plain : partitioned;
      const start = Math.floor(rand() * 1_000);
      let now = start + Math.floor(rand() * 50);
      let state: StreamState;
      if (rand() < 0.5) {
        state = planStreamState({ def, existing: undefined, startSeconds: start, nowSeconds: now });
      } else {
        state = { partitions: {} };
        for (const key of partitionKeys(def)) state.partitions[key] = { through: now, pending: randomWindows(rand, start, now) };
      }
      assertWellFormed(state, `run ${run} initial`);

      for (let step = 0; step < 40; step++) {
        steps++;
        const context = `run ${run} step ${step}`;
        if (rand() < 0.1) {
          now += Math.floor(rand() * 4); // sometimes the same second
          state = planStreamState({ def, existing: state, startSeconds: start, nowSeconds: now });
          assertWellFormed(state, `${context} replan`);
          continue;
        }
        const open = Object.entries(state.partitions).filter(([, p]) => p.pending.length > 0);
        if (open.length === 0) continue;
        const [key, partition] = open[Math.floor(rand() * open.length)]!;
        const window = partition.pending[Math.floor(rand() * partition.pending.length)]!;
        const r = rand();
        let progress: WindowProgress;
        if (r < 0.6) {
          // Lists run newest first: the next cursor is at or before the current one's second.
          const top = window.after ? window.after.created : window.lt - 1;
          const created = window.gte + Math.floor(rand() * (top - window.gte + 1));
          progress = { kind: 'advanced', after: { id: `obj_${run}_${step}`, created } };
        } else if (r < 0.8) {
          progress = { kind: 'finished' };
        } else if (r < 0.9 && splitPoint(window) !== null) {
          progress = { kind: 'split', mid: splitPoint(window)! };
        } else {
          progress = { kind: 'cursor_lost' };
        }
        const before = partition.pending.length;
        const next = applyWindowProgress(partition, window.lt, progress);
        if (next.through !== partition.through) expect.fail(`${context}: through changed`);
        if (next.pending.length !== before + (progress.kind === 'finished' ? -1 : progress.kind === 'split' ? 1 : 0)) expect.fail(`${context}: wrong window count`);
        state = { partitions: { ...state.partitions, [key]: next } };
        assertWellFormed(state, `${context} ${progress.kind}`);
      }
    }
    expect(steps).toBe(300 * 40);
  });

  it('reaches done when every window is finished, and a re-plan in a later second reopens it', () => {
    const rand = prng(42);
    for (let run = 0; run < 50; run++) {
      const start = Math.floor(rand() * 100);
      const now = start + 1 + Math.floor(rand() * 100);
      let state = planStreamState({ def: partitioned, existing: undefined, startSeconds: start, nowSeconds: now });
      for (const key of Object.keys(state.partitions)) {
        let p = state.partitions[key]!;
        while (p.pending.length > 0) p = applyWindowProgress(p, p.pending[0]!.lt, { kind: 'finished' });
        state = { partitions: { ...state.partitions, [key]: p } };
      }
      expect(isStreamDone(state)).toBe(true);
      expect(isStreamDone(planStreamState({ def: partitioned, existing: state, startSeconds: start, nowSeconds: now }))).toBe(true);
      const later = planStreamState({ def: partitioned, existing: state, startSeconds: start, nowSeconds: now + 1 });
      expect(isStreamDone(later)).toBe(false);
      for (const p of Object.values(later.partitions)) expect(p.pending).toEqual([{ gte: now, lt: now + 1 }]);
    }
  });
});

describe('splitPoint / splitAt / unreadSpan', () => {
  it('cuts the unread part in the middle: below the cursor when there is one', () => {
    expect(splitPoint({ gte: 0, lt: 100 })).toBe(50);
    expect(splitPoint({ gte: 0, lt: 100, after: { id: 'a', created: 9 } })).toBe(5);
    expect(unreadSpan({ gte: 0, lt: 100, after: { id: 'a', created: 9 } })).toBe(10);
  });

  it('never cuts a one-second remainder: it can only be paged', () => {
    expect(splitPoint({ gte: 7, lt: 8 })).toBeNull();
    expect(splitPoint({ gte: 7, lt: 100, after: { id: 'a', created: 7 } })).toBeNull();
    expect(splitPoint({ gte: 7, lt: 9 })).toBe(8);
  });

  it('splitPoints cuts the unread part into equal shares, ascending, two shares being the middle', () => {
    expect(splitPoints({ gte: 0, lt: 120 }, 4)).toEqual([30, 60, 90]);
    expect(splitPoints({ gte: 0, lt: 100, after: { id: 'a', created: 59 } }, 3)).toEqual([20, 40]);
    for (const w of [{ gte: 0, lt: 100 }, { gte: 3, lt: 100, after: { id: 'a', created: 9 } }, { gte: 7, lt: 9 }]) {
      expect(splitPoints(w, 2)).toEqual([splitPoint(w)]);
    }
  });

  it('splitPoints gives fewer cuts than asked when the unread part has fewer seconds, never a one-second one', () => {
    expect(splitPoints({ gte: 10, lt: 13 }, 8)).toEqual([11, 12]);
    expect(splitPoints({ gte: 7, lt: 100, after: { id: 'a', created: 7 } }, 5)).toEqual([]);
    expect(splitPoints({ gte: 0, lt: 100 }, 1)).toEqual([]);
  });

  /** The pending windows after cutting `[0, 200)` (cursor at 150) at `cuts`, top cut first, as the reader hands them over. */
  const applyCuts = (cuts: (w: CheckpointWindow) => number[]): CheckpointWindow[] => {
    let partition: PartitionState = { through: 200, pending: [{ gte: 0, lt: 200, after: { id: 'x', created: 150 } }] };
    let rest = 200;
    for (const mid of cuts(partition.pending[0]!).reverse()) {
      partition = applyWindowProgress(partition, rest, { kind: 'split', mid });
      rest = mid;
    }
    return partition.pending;
  };

  it('applying splitPoints as successive splits, top cut first, covers the unread part exactly', () => {
    expect(applyCuts((w) => splitPoints(w, 4))).toEqual([
      { gte: 113, lt: 200, after: { id: 'x', created: 150 } },
      { gte: 75, lt: 113 },
      { gte: 37, lt: 75 },
      { gte: 0, lt: 37 },
    ]);
  });

  it('cutsBelowCursor cuts parts of the given seconds just below the cursor, ascending, the rest left to the lowest part', () => {
    // Unread part [0, 151): the window keeps [131, 200) with its cursor, parts of 20 s below it, the rest [0, 71).
    expect(cutsBelowCursor({ gte: 0, lt: 200, after: { id: 'a', created: 150 } }, { pieceSeconds: 20, count: 4 })).toEqual([71, 91, 111, 131]);
    // Without a cursor the unread part ends at lt; fractional seconds round down, never below 1 s.
    expect(cutsBelowCursor({ gte: 0, lt: 100 }, { pieceSeconds: 30.7, count: 2 })).toEqual([40, 70]);
    expect(cutsBelowCursor({ gte: 0, lt: 5 }, { pieceSeconds: 0.2, count: 2 })).toEqual([3, 4]);
  });

  it('cutsBelowCursor never cuts at or below gte: fewer cuts when the unread part is short', () => {
    expect(cutsBelowCursor({ gte: 50, lt: 100, after: { id: 'a', created: 79 } }, { pieceSeconds: 10, count: 5 })).toEqual([60, 70]);
    expect(cutsBelowCursor({ gte: 50, lt: 100, after: { id: 'a', created: 55 } }, { pieceSeconds: 10, count: 5 })).toEqual([]);
    expect(cutsBelowCursor({ gte: 0, lt: 100 }, { pieceSeconds: 10, count: 0 })).toEqual([]);
  });

  it('applying cutsBelowCursor as successive splits, top cut first, covers the unread part exactly', () => {
    expect(applyCuts((w) => cutsBelowCursor(w, { pieceSeconds: 25, count: 3 }))).toEqual([
      { gte: 126, lt: 200, after: { id: 'x', created: 150 } },
      { gte: 101, lt: 126 },
      { gte: 76, lt: 101 },
      { gte: 0, lt: 76 },
    ]);
  });

  it('the two halves cover the unread part exactly, the cursor stays with the upper one', () => {
    const w = { gte: 10, lt: 50, after: { id: 'a', created: 30 } };
    const parts = splitAt(w, splitPoint(w)!)!;
    expect(parts.upper).toEqual({ gte: 20, lt: 50, after: { id: 'a', created: 30 } });
    expect(parts.lower).toEqual({ gte: 10, lt: 20 });
    expect(splitAt(w, 31)).toBeNull();
    expect(splitAt(w, 10)).toBeNull();
  });
});
