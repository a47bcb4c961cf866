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
}): StreamState {
  const { def, existing, startSeconds, nowSeconds } = options;
  const partitions: Record<string, PartitionState> = {};
  for (const key of partitionKeys(def)) {
    const known = existing?.partitions[key];
    partitions[key] = known ? extendPartition(known, nowSeconds) : extendPartition({ through: startSeconds, pending: [] }, nowSeconds);
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

/** What one page did to its window: moved the cursor to its last object, or finished the window. */
export type WindowProgress =
  | { readonly kind: 'advanced'; readonly after: { readonly id: string; readonly created: number } }
  | { readonly kind: 'finished' }
  /**
   * The cursor object vanished (deleted), so Stripe rejects it: everything newer than the cursor's second
   * was delivered, so the window shrinks to end after that second and is read again from its top. The
   * objects of that one second may come twice; none is lost.
   */
  | { readonly kind: 'cursor_lost' };

export function applyWindowProgress(state: PartitionState, windowGte: number, progress: WindowProgress): PartitionState {
  const index = state.pending.findIndex((w) => w.gte === windowGte);
  if (index < 0) throw new Error(`no pending window starts at ${windowGte}`); // a reader bug, never input
  const window = state.pending[index]!;
  const pending = [...state.pending];
  if (progress.kind === 'finished') {
    pending.splice(index, 1);
  } else if (progress.kind === 'advanced') {
    pending[index] = { ...window, after: { id: progress.after.id, created: progress.after.created } };
  } else {
    pending[index] = window.after ? { gte: window.gte, lt: window.after.created + 1 } : { gte: window.gte, lt: window.lt };
  }
  return { ...state, pending };
}

/** True when the stream has nothing left to read up to its `through`. */
export function isStreamDone(state: StreamState): boolean {
  return Object.values(state.partitions).every((p) => p.pending.length === 0);
}
