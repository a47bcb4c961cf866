import type { StreamRecordTypes } from './catalog/records.js';
import type { StreamName } from './catalog/streams.js';
import type { Checkpoint } from './checkpoint/schema.js';

export type { StreamName } from './catalog/streams.js';
export type { StreamRecordTypes } from './catalog/records.js';
export type { Checkpoint } from './checkpoint/schema.js';

/** A Stripe object of one stream, typed with the `stripe` package's own types. */
export type RecordMessage = {
  [S in StreamName]: { readonly type: 'record'; readonly stream: S; readonly record: StreamRecordTypes[S] };
}[StreamName];

/** An object that Stripe deleted. */
export interface DeleteMessage {
  readonly type: 'delete';
  readonly stream: StreamName;
  readonly id: string;
}

/**
 * Everything yielded before this message is covered by `checkpoint`: persist it after your sink has what
 * came before, and hand it back to `read()` to resume.
 */
export interface CheckpointMessage {
  readonly type: 'checkpoint';
  readonly checkpoint: Checkpoint;
}

export type Message = RecordMessage | DeleteMessage | CheckpointMessage;

export interface ReadOptions {
  /** Streams to read; default: the source's `streams` option (all streams unless narrowed). */
  streams?: readonly StreamName[];
  /** The last checkpoint you persisted; omit for a fresh sync. */
  checkpoint?: Checkpoint | unknown;
  /** Aborts the read promptly; the last checkpoint yielded stays valid. */
  signal?: AbortSignal;
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
  request: (e: { stream: string; method: 'GET'; path: string; attempt: number }) => void;
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
  warning: (e: { stream?: string; message: string; code: string }) => void;
}

export interface StreamProgress {
  readonly records: number;
  readonly requests: number;
  readonly done: boolean;
}
