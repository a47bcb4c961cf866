import type { Checkpoint } from '../../checkpoint/schema.js';
import type { JsonSchema } from '../../types.js';

/**
 * The Singer messages this tap writes on stdout (https://hub.meltano.com/singer/spec): a SCHEMA for every
 * selected stream before any of its records, RECORDs, and a STATE after the records it covers.
 */
export interface SingerSchemaMessage {
  readonly type: 'SCHEMA';
  readonly stream: string;
  readonly schema: JsonSchema;
  readonly key_properties: readonly string[];
  readonly bookmark_properties?: readonly string[];
}

export interface SingerRecordMessage {
  readonly type: 'RECORD';
  readonly stream: string;
  readonly record: object;
  /** When the tap read the record (ISO 8601, UTC). */
  readonly time_extracted: string;
}

/** The tap's state: the library's checkpoint under one key, so the value stays open to additions. */
export interface SingerState {
  readonly stripe_source: Checkpoint;
}

export interface SingerStateMessage {
  readonly type: 'STATE';
  readonly value: SingerState;
}

export type SingerMessage = SingerSchemaMessage | SingerRecordMessage | SingerStateMessage;
