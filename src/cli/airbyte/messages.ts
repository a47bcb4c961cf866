import type { JsonSchema, JsonValue } from '../../types.js';

/**
 * The Airbyte protocol messages this source writes on stdout, one JSON line each
 * (https://docs.airbyte.com/understanding-airbyte/airbyte-protocol).
 */
export interface AirbyteStreamDescriptor {
  readonly name: string;
  readonly namespace?: string;
}

export interface AirbyteStream {
  readonly name: string;
  readonly json_schema: JsonSchema;
  readonly supported_sync_modes: readonly ('full_refresh' | 'incremental')[];
  readonly source_defined_cursor: boolean;
  readonly default_cursor_field: readonly string[];
  readonly source_defined_primary_key: readonly (readonly string[])[];
  readonly is_resumable: boolean;
}

/** One stream's state: the library's per-stream checkpoint state, with what binds it to an account. */
export interface StripeStreamState {
  readonly checkpoint_version: number;
  readonly account: string | null;
  readonly livemode: boolean;
  readonly state: JsonValue;
}

export interface AirbyteStreamStateMessage {
  readonly type: 'STREAM';
  readonly stream: { readonly stream_descriptor: AirbyteStreamDescriptor; readonly stream_state: StripeStreamState | null };
  /** Records of this stream since its previous STATE. */
  readonly sourceStats?: { readonly recordCount: number };
}

export type AirbyteLogLevel = 'FATAL' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';
export type AirbyteFailureType = 'config_error' | 'system_error' | 'transient_error';

export type AirbyteMessage =
  | {
      readonly type: 'SPEC';
      readonly spec: {
        readonly documentationUrl: string;
        readonly connectionSpecification: JsonSchema;
        readonly supportsIncremental: boolean;
        readonly supported_destination_sync_modes: readonly string[];
      };
    }
  | { readonly type: 'CONNECTION_STATUS'; readonly connectionStatus: { readonly status: 'SUCCEEDED' | 'FAILED'; readonly message?: string } }
  | { readonly type: 'CATALOG'; readonly catalog: { readonly streams: readonly AirbyteStream[] } }
  | { readonly type: 'RECORD'; readonly record: { readonly stream: string; readonly data: object; readonly emitted_at: number } }
  | { readonly type: 'STATE'; readonly state: AirbyteStreamStateMessage }
  | { readonly type: 'LOG'; readonly log: { readonly level: AirbyteLogLevel; readonly message: string } }
  | {
      readonly type: 'TRACE';
      readonly trace: {
        readonly type: 'ERROR';
        readonly emitted_at: number;
        readonly error: { readonly message: string; readonly internal_message?: string; readonly failure_type: AirbyteFailureType; readonly stack_trace?: string };
      };
    };
