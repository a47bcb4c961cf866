/**
 * Pure planning: what is left to read of a stream, as `created` windows with resume cursors, and how a
 * page read changes that. No I/O here, so the hard cases are tested without a network.
 */
import type { StreamDefinition } from '../catalog/streams.js';
import type { CheckpointWindow, PartitionState, StreamState } from '../checkpoint/schema.js';

/** The partitions of a stream: `''` when one list returns everything, else one key per parameter set. */
export function partitionKeys(def: Pick<StreamDefinition, 'partitions'>): string[] {
  return def.partitions ? def.partitions.map(partitionKey) : [''];
}

export function partitionKey(params: Readonly<Record<string, string>>): string {
  return Object.keys(params).sort().map((k) => `${k}=${params[k]}`).join('&');
}

export function partitionParams(key: string): Record<string, string> {
  if (key === '') return {};
  return Object.fromEntries(key.split('&').map((pair) => {
    const at = pair.indexOf('=');
    return [pair.slice(0, at), pair.slice(at + 1)];
  }));
}

/**
 * Brings a stream's state up to `nowSeconds`: a new partition gets its whole range [start, now), a known
 * one keeps its unfinished windows and gains [through, now) for what was created since. Reading stops
 * short of the current second, since more objects may still be created in it; the next run reads it.
 */
export function planStreamState(options: {
  def: Pick<StreamDefinition, 'partitions'>;
  existing: StreamState | undefined;
  startSeconds: number;
  nowSeconds: number;
  /**
   * When the account was created. A fresh range is cut there: everything before it costs one (empty)
   * page as a check, and subdivision starts from the account's lifetime rather than from 1970.
   */
  accountCreated?: number;
}): StreamState {
  const { def, existing, startSeconds, nowSeconds, accountCreated } = options;
  const partitions: Record<string, PartitionState> = {};
  for (const key of partitionKeys(def)) {
    const known = existing?.partitions[key];
    if (known) {
      partitions[key] = extendPartition(known, nowSeconds);
    } else if (accountCreated !== undefined && accountCreated > startSeconds && accountCreated < nowSeconds) {
      partitions[key] = { through: nowSeconds, pending: [{ gte: startSeconds, lt: accountCreated }, { gte: accountCreated, lt: nowSeconds }] };
    } else {
      partitions[key] = extendPartition({ through: startSeconds, pending: [] }, nowSeconds);
    }
  }
  return { partitions };
}

function extendPartition(state: PartitionState, nowSeconds: number): PartitionState {
  if (nowSeconds <= state.through) return state;
  return { through: nowSeconds, pending: [...state.pending, { gte: state.through, lt: nowSeconds }] };
}

/** The list filter that reads what is left of a window. */
export function windowQuery(window: CheckpointWindow): { 'created[gte]': number; 'created[lt]': number; starting_after?: string } {
  return {
    'created[gte]': window.gte,
    'created[lt]': window.lt,
    ...(window.after ? { starting_after: window.after.id } : {}),
  };
}

/**
 * What happened to a window, in the order the host sees it. A window is known by its `lt`: windows of a
 * partition never overlap, and a split keeps the upper part's `lt`.
 */
export type WindowProgress =
  | { readonly kind: 'advanced'; readonly after: { readonly id: string; readonly created: number } }
  | { readonly kind: 'finished' }
  /**
   * The cursor object vanished (deleted), so Stripe rejects it: everything newer than the cursor's second
   * was delivered, so the window shrinks to end after that second and is read again from its top. The
   * objects of that one second may come twice; none is lost.
   */
  | { readonly kind: 'cursor_lost' }
  /** The unread part was cut at `mid`: this window keeps [mid, lt) and its cursor, a new one takes [gte, mid). */
  | { readonly kind: 'split'; readonly mid: number };

export function applyWindowProgress(state: PartitionState, windowLt: number, progress: WindowProgress): PartitionState {
  const index = state.pending.findIndex((w) => w.lt === windowLt);
  if (index < 0) throw new Error(`no pending window ends at ${windowLt}`); // a reader bug, never input
  const window = state.pending[index]!;
  const pending = [...state.pending];
  switch (progress.kind) {
    case 'finished':
      pending.splice(index, 1);
      break;
    case 'advanced':
      if (progress.after.created < window.gte || progress.after.created >= window.lt) {
        throw new Error(`cursor ${progress.after.created} outside window [${window.gte}, ${window.lt})`);
      }
      pending[index] = { ...window, after: { id: progress.after.id, created: progress.after.created } };
      break;
    case 'cursor_lost':
      pending[index] = window.after ? { gte: window.gte, lt: window.after.created + 1 } : { gte: window.gte, lt: window.lt };
      break;
    case 'split': {
      const parts = splitAt(window, progress.mid);
      if (!parts) throw new Error(`cannot split [${window.gte}, ${window.lt}) at ${progress.mid}`);
      pending.splice(index, 1, parts.upper, parts.lower);
      break;
    }
  }
  return { ...state, pending };
}

/**
 * Where to cut a window's unread part in two so another reader can take half: the middle of what is left.
 * Lists run newest first, so what is left of a window with a cursor is [gte, after.created] (the cursor's
 * own second may hold more objects). Returns null when less than two seconds are left: a one-second
 * window can only be paged with its cursor.
 */
export function splitPoint(window: CheckpointWindow): number | null {
  const end = unreadEnd(window);
  if (end - window.gte < 2) return null;
  return window.gte + Math.floor((end - window.gte) / 2);
}

/**
 * Where to cut a window's unread part into `pieces` parts of equal seconds, ascending: the cuts that give
 * several free readers a share each at once. Equal shares finish at about the same time; halving the
 * remainder again and again (the middle, then the middle of what the window kept, ...) leaves one half,
 * one quarter, one eighth, which finish one after another and each frees a slot for yet another cut, and
 * every window ends on a partial page. Fewer cuts when the unread part has fewer seconds than pieces.
 */
export function splitPoints(window: CheckpointWindow, pieces: number): number[] {
  const end = unreadEnd(window);
  const span = end - window.gte;
  const cuts: number[] = [];
  for (let i = 1; i < pieces; i++) {
    const cut = window.gte + Math.floor((i * span) / pieces);
    if (cut > window.gte && cut < end && cut !== cuts[cuts.length - 1]) cuts.push(cut);
  }
  return cuts;
}

/**
 * Where to cut a dense window's unread part so that the parts just below its cursor, where its density
 * is known, hold `pieceSeconds` each: up to `count` cuts, ascending, every one above `gte`. The window
 * keeps the top part and its cursor; the part below the lowest cut keeps whatever is left, read on its
 * own (and cut again once its own pages show what it holds).
 */
export function cutsBelowCursor(window: CheckpointWindow, options: { pieceSeconds: number; count: number }): number[] {
  const end = unreadEnd(window);
  const step = Math.max(1, Math.floor(options.pieceSeconds));
  const cuts: number[] = [];
  for (let i = 1; i <= options.count && end - i * step > window.gte; i++) cuts.unshift(end - i * step);
  return cuts;
}

/** Where a window's unread part ends: lists run newest first, so below its cursor's second (which may hold more), else at `lt`. */
function unreadEnd(window: CheckpointWindow): number {
  return window.after ? window.after.created + 1 : window.lt;
}

/** Seconds not yet read in a window, the measure for choosing which window to split. */
export function unreadSpan(window: CheckpointWindow): number {
  return unreadEnd(window) - window.gte;
}

export function splitAt(window: CheckpointWindow, mid: number): { upper: CheckpointWindow; lower: CheckpointWindow } | null {
  const end = unreadEnd(window);
  if (!(mid > window.gte && mid < end)) return null;
  return { upper: { ...window, gte: mid }, lower: { gte: window.gte, lt: mid } };
}

/** True when the stream has nothing left to read up to its `through`. */
export function isStreamDone(state: StreamState): boolean {
  return Object.values(state.partitions).every((p) => p.pending.length === 0);
}

/**
 * Brings a partition up to `nowSeconds` and reads the last `lookbackSeconds` before its old end again, for
 * immutable objects that may show up in a list a little late. The lookback never reaches into a window
 * still pending, so windows never overlap.
 */
export function extendWithLookback(state: PartitionState, nowSeconds: number, lookbackSeconds: number): PartitionState {
  if (nowSeconds <= state.through) return state;
  const floor = Math.max(0, state.through - lookbackSeconds, ...state.pending.map((w) => w.lt));
  const gte = Math.min(floor, state.through);
  return { through: nowSeconds, pending: [...state.pending, { gte, lt: nowSeconds }] };
}
