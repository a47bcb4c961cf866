import type { StreamRecordTypes } from './catalog/records.js';
import type { ChangeStrategy, StreamName } from './catalog/streams.js';
import type { Checkpoint } from './checkpoint/schema.js';

export type { ChangeStrategy, StreamName } from './catalog/streams.js';
export type { StreamRecordTypes } from './catalog/records.js';
export type { Checkpoint } from './checkpoint/schema.js';

/** A Stripe object of one stream, typed with the `stripe` package's own types. */
export type RecordMessage = {
  [S in StreamName]: {
    readonly type: 'record';
    readonly stream: S;
    readonly record: StreamRecordTypes[S];
    /** With Connect fan-out (`accounts`): the connected account it belongs to; absent for platform-level streams. */
    readonly account?: string;
  };
}[StreamName];

/** An object that Stripe deleted (from a `*.deleted` event, or a child gone from its parent). */
export interface DeleteMessage {
  readonly type: 'delete';
  readonly stream: StreamName;
  readonly id: string;
  /** With Connect fan-out: the connected account it belonged to. */
  readonly account?: string;
}

/**
 * Brackets a fresh full read of one stream whose deletions cannot come from events (a change cursor past
 * Stripe's 30-day retention, or a stream Stripe sends no events for). Every object of the stream that still
 * exists is delivered between `start` and `end` of one `generation`; at `end`, drop what you hold of the
 * stream that the bracket did not deliver (mark and sweep). A resumed read repeats `start` with the same
 * generation, so treat `start` as idempotent.
 */
export interface ResyncMessage {
  readonly type: 'resync';
  readonly stream: StreamName;
  readonly phase: 'start' | 'end';
  /** Counts this stream's brackets (1, 2, ...); the same number on `start`, a resumed `start`, and `end`. */
  readonly generation: number;
  /** With Connect fan-out: the connected account whose stream it brackets (sweep only that account's rows). */
  readonly account?: string;
}

/**
 * Everything yielded before this message is covered by `checkpoint`: persist it after your sink has what
 * came before, and hand it back to `read()` to resume.
 */
export interface CheckpointMessage {
  readonly type: 'checkpoint';
  readonly checkpoint: Checkpoint;
}

export type Message = RecordMessage | DeleteMessage | ResyncMessage | CheckpointMessage;

export interface ReadOptions {
  /** Streams to read; default: the source's `streams` option (all streams unless narrowed). */
  streams?: readonly StreamName[];
  /** The last checkpoint you persisted; omit for a fresh sync. */
  checkpoint?: Checkpoint | unknown;
  /** Aborts the read promptly; the last checkpoint yielded stays valid. */
  signal?: AbortSignal;
  /**
   * Keep polling for changes after catching up, until `signal` aborts (the read then ends without an
   * error). Default false: the read ends once every stream is up to date.
   */
  follow?: boolean;
  /** With `follow`: pause between polls in ms; default 5,000. */
  pollIntervalMs?: number;
}

export type Mode = 'live' | 'test';
export type KeyKind = 'secret' | 'restricted';

export interface StreamAccess {
  readonly stream: StreamName;
  readonly status: 'ok' | 'forbidden';
  /** For `forbidden`: the permission Stripe named (`rak_subscription_read`), when it named one. */
  readonly permission?: string;
  /** For `forbidden`: Stripe's message. */
  readonly message?: string;
}

export interface CheckResult {
  /** The account read; null when a restricted key may not read `/v1/account` and no accountId was given. */
  readonly accountId: string | null;
  readonly mode: Mode;
  readonly keyKind: KeyKind;
  readonly streams: readonly StreamAccess[];
}

export interface CatalogEntry {
  readonly name: StreamName;
  readonly objectType: string;
  readonly primaryKey: readonly string[];
  readonly cursorField: string | null;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly partitions: readonly Readonly<Record<string, string>>[] | null;
  readonly parent: StreamName | null;
  /** How the stream stays current after its first full read (see docs/changes.md). */
  readonly changes: ChangeStrategy;
  readonly description: string;
  readonly jsonSchema: JsonSchema;
}

/** A JSON Schema (draft 2020-12) document. */
export interface JsonSchema {
  readonly [keyword: string]: JsonValue;
}

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Events on the source (`source.on(name, listener)`): progress and diagnostics, apart from the data. */
export interface SourceEvents {
  /** A request is about to be sent (after the throttle let it through). */
  request: (e: { stream: string; method: 'GET'; path: string; attempt: number; /** The connected account it was sent for (`Stripe-Account`). */ account?: string }) => void;
  /** A request failed and will be tried again after `delayMs`. */
  retry: (e: { stream: string; path: string; attempt: number; delayMs: number; reason: string; statusCode?: number; requestId?: string }) => void;
  /** Stripe answered 429. */
  rate_limited: (e: { stream: string; path: string; code: string; reason?: string; requestId?: string }) => void;
  /** A page of a stream was delivered. */
  page: (e: { stream: string; records: number; hasMore: boolean }) => void;
  stream_start: (e: { stream: string }) => void;
  stream_end: (e: { stream: string; records: number; seconds: number }) => void;
  /** Totals so far, at most about once a second and at the end. */
  progress: (e: { records: number; requests: number; elapsedSeconds: number; streams: Readonly<Record<string, StreamProgress>> }) => void;
  /** Something the host should know; `account` names the connected account with Connect fan-out. */
  warning: (e: { stream?: string; account?: string; message: string; code: string }) => void;
}

export interface StreamProgress {
  readonly records: number;
  readonly requests: number;
  readonly done: boolean;
}
