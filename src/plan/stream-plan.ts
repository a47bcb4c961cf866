/**
 * Pure planning of what one run does for a stream, by its change strategy: read it for the first time,
 * continue an unfinished read, read only what is new, or read it again in full inside a resync bracket.
 */
import type { StreamDefinition } from '../catalog/streams.js';
import type { PartitionState, StreamState } from '../checkpoint/schema.js';
import { extendWithLookback, isStreamDone, planStreamState } from './windows.js';

/** Stripe keeps events for 30 days. */
export const EVENT_RETENTION_SECONDS = 30 * 24 * 60 * 60;
/**
 * A cursor this close to the retention edge counts as expired: its oldest events could vanish before the
 * pass reaches them. Re-reading an hour early costs little; a silent gap costs the data.
 */
export const EXPIRY_MARGIN_SECONDS = 60 * 60;

/** When a finished full read of the stream was planned (its partitions' common `through`). */
function lastRead(state: StreamState): number {
  return Math.min(...Object.values(state.partitions).map((p) => p.through));
}

/** True when events from `since` on can no longer all be read. */
export function cursorExpired(since: number, nowSeconds: number): boolean {
  return since < nowSeconds - EVENT_RETENTION_SECONDS + EXPIRY_MARGIN_SECONDS;
}

/** Why a stream is read again in full, inside a resync bracket. */
export type ResyncReason =
  /** Its change cursor is past Stripe's event retention. */
  | 'cursor_expired'
  /** Its state has no change cursor (a checkpoint from before change capture, or one edited by hand). */
  | 'cursor_missing'
  /** Stripe sends no events for some of its changes, so it is re-read every run. */
  | 'relist';

export interface StreamPlan {
  readonly state: StreamState;
  /** Set when this run opens a new resync bracket for the stream. */
  readonly resync?: ResyncReason;
}

export interface PlanStreamOptions {
  readonly def: Pick<StreamDefinition, 'partitions' | 'changes'>;
  readonly existing: StreamState | undefined;
  readonly startSeconds: number;
  readonly nowSeconds: number;
  readonly accountCreated?: number;
  /** For `append` streams: how far before the last run's end to read again. */
  readonly lookbackSeconds: number;
  /** For `relist` streams: the least time between two full re-reads (0: every run). */
  readonly relistIntervalSeconds?: number;
}

export function planStream(options: PlanStreamOptions): StreamPlan {
  const { def, existing, nowSeconds } = options;
  const fresh = (): Record<string, PartitionState> => planStreamState({ ...options, existing: undefined }).partitions;
  const bracket = (reason: ResyncReason, extra: Partial<StreamState> = {}): StreamPlan => ({
    state: { partitions: fresh(), ...extra, resync: { generation: (existing?.resync?.generation ?? 0) + 1, open: true } },
    resync: reason,
  });

  switch (def.changes) {
    case 'events':
    case 'events_and_new':
    case 'parent': {
      // The cursor is taken now, before the first page of the read, so what changes meanwhile is replayed.
      if (!existing) return { state: { partitions: fresh(), changes: { since: nowSeconds } } };
      if (!existing.changes) return bracket('cursor_missing', { changes: { since: nowSeconds } });
      if (cursorExpired(existing.changes.since, nowSeconds)) return bracket('cursor_expired', { changes: { since: nowSeconds } });
      if (def.changes !== 'events_and_new') return { state: existing };
      // The cursor and brackets stay: only the list part moves on to now.
      return { state: { ...existing, partitions: planStreamState({ ...options, existing }).partitions } };
    }
    case 'relist':
      if (!existing) return { state: { partitions: fresh() } };
      // An unfinished read (a crash, or a bracket still open) is continued, never restarted.
      if (!isStreamDone(existing)) return { state: existing };
      if (nowSeconds - lastRead(existing) < (options.relistIntervalSeconds ?? 0)) return { state: existing };
      return bracket('relist');
    case 'append': {
      if (!existing) return { state: { partitions: fresh() } };
      const partitions: Record<string, PartitionState> = {};
      const extended = planStreamState({ ...options, existing });
      for (const [key, partition] of Object.entries(extended.partitions)) {
        const known = existing.partitions[key];
        partitions[key] = known ? extendWithLookback(known, nowSeconds, options.lookbackSeconds) : partition;
      }
      return { state: { ...existing, partitions } };
    }
  }
}
